"""Data access as plain functions with keyword-only arguments, one module per table family."""
