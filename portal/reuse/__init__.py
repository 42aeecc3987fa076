"""Serving a case's view again while nothing it shows has changed (issue 15)."""
