"""Retention: how long a concluded case is kept, legal holds, and the clock's deletion of what is due."""
