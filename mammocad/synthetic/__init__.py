"""Synthetic mammograms with exact ground truth: the embedded default and the test oracle."""
