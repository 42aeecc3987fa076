"""The audit trail of reads and writes."""
