"""Reports for IRO managers (issue 19), drafted from the portal's data and reconciled with the dashboards."""
