"""Blockyard: build, run and share AI agents as graphs of blocks."""

__version__ = "0.1.0"
