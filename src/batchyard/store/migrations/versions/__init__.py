"""One file per schema change, oldest first (see docs/migrations.md)."""
