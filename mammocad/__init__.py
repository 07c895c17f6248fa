"""Shared core of mammocad: image ingest, geometry, synthetic data, data set adapters, errors.

This package is the bottom layer. ``api``, ``models`` and ``registry`` build on it; it never
imports any of them, so every pixel and every label reaches the rest of the service through the
same tested code.
"""

__version__ = "0.1.0"
