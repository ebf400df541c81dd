"""Persistence: engine, column types, tables and repositories."""
