"""Significant changes in a looked-after child's circumstances, notified to the child's IRO, who books an
additional review or records why none is needed (SC; CPPCR 2010 reg 33(3); issue 18)."""
