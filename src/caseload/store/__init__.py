"""Persistence: tables, migrations, connections and bulk writes (SQLite / PostgreSQL)."""
