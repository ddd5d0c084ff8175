"""The engine's face: `Engine` runs every batch from `validating` to a terminal status."""

from batchyard.engine.engine import Engine

__all__ = ["Engine"]
