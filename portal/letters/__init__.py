"""What the IRO writes to a looked-after child, in plain language (issue 19): their introduction at
allocation, and what was decided when a disagreement about the child's plan was resolved."""
