"""The federation of kelisim nodes (issue 14): pure rules, no web, no SQL."""
