"""The GraphQL API (strawberry): the single way into the domain, for API clients and the web pages alike."""
