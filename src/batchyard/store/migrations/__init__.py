"""Alembic migrations for the metadata store; `batchyard.store.migrate` applies them."""
