"""The two-sided contact ledger between the guardian and the IRO."""
