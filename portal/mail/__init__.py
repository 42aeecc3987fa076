"""Email: the transactional outbox and the sender that empties it."""
