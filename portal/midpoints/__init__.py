"""The IRO's monitoring between a looked-after child's reviews (issue 19): midpoint checks, and the coverage
the IRO manager reports (RESEARCH-NOTES.md §5.6, §7.2)."""
