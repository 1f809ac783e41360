"""The execution engine: runs graphs of blocks durably. See docs/engine.md."""
