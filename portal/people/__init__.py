"""Organisations and the people who work for them: provisioned by an administrator."""
