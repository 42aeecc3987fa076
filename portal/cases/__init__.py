"""Care proceedings, the children they concern, and who is on each case."""
