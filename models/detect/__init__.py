"""Mass detection: boxes with scores and a malignancy score per box (CenterNet-style)."""
