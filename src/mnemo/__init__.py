"""Mnemo: a code memory. Index source repositories into PostgreSQL + pgvector, then search them,
walk their call graph and see which code matters most."""

__version__ = "0.1.0"
