"""The model registry: versions, model cards, calibration data, OOD detectors, aliases, audit.

Builds on ``mammocad``; never imports ``api``.
"""
