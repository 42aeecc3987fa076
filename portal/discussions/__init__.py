"""Discussion records on the child's file (P7, P13)."""
