"""Use cases of the cooperation workspace (issue 15): the HTTP API and the CLI call these."""
