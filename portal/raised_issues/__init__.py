"""Concerns (P8) and significant issues (P9), raised by one side and acknowledged by the other."""
