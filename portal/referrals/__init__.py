"""Referral to Cafcass (CA 1989 s25B(3)(a), CPPCR 2010 reg 45)."""
