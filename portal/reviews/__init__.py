"""Looked-after reviews: the reg 33 schedule and what the guardian is told (P4, P5, P10, P11)."""
