"""Use cases as plain functions; the HTTP API, the web UI and the CLI all call these."""
