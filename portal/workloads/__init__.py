"""IRO workloads as IRO managers count them, and conflicts of interest between an IRO and a child (issue
19)."""
