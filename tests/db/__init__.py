"""The database: what survives a restart, and the scaled-out set-up (PostgreSQL, Redis)."""
