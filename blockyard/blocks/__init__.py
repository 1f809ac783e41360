"""Blocks: the steps an agent is made of.

See base.py for the protocol and registry.py for discovery.
"""
