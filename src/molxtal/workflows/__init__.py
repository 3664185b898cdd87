"""Workflows: plain functions that take Atoms and a Model and return a typed result."""
