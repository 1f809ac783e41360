"""Connections to outside services: credentials, OAuth providers, webhooks, LLM providers.

May import ``store``, ``runtime``, ``engine``, ``graph``, ``blocks``, ``errors`` and
``settings``; is imported by ``wiring`` and above.
"""
