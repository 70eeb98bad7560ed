"""Session-wide test set-up: one real PostGIS test database for the whole run (DESIGN §6)."""
