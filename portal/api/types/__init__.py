"""GraphQL object types, mapped explicitly from the tables."""

# Describe the domain's enums before any type uses them.
from portal.api.types import enums as enums
