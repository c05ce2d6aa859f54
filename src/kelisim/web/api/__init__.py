"""The documented HTTP API under /api/v1."""
