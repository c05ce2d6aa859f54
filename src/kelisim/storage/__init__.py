"""Adapters that keep the domain's records in SQLite or PostgreSQL (SQLAlchemy Core)."""
