"""The web pages: server-rendered GOV.UK Frontend, a client of the GraphQL schema run in-process."""
