"""Every statement of the dashboards: one module per section, each building the per-case (or per-obligation,
per-version, per-child) rows its figures are counted from and its drill-downs filter, and ``sql`` for the
date arithmetic they share. What the figures mean is in the section's module one level up."""
