"""Mammogram classification: normal / benign / malignant from lesion evidence maps."""
