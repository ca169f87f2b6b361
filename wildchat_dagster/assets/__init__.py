"""Thin assets: read the upstream table, call core, return the output with metadata."""
