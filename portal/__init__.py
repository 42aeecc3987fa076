"""The guardian–IRO multi-agency collaboration portal."""
