"""Persistence: the session database and private files in the user's data directory."""
