"""Analysis of results."""
