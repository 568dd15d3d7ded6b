"""SQLite for ventanilla: the embedded default database (see base.py)."""
