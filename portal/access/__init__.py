"""Who may do what: the role → permission table, and fetching a case only for those who may see it."""
