"""Which epoch's weights training keeps."""

from __future__ import annotations

import math

from models.training.loop import replaces_best


def test_better_and_equal_metrics_replace_the_kept_weights() -> None:
    assert replaces_best(0.9, 0.8)
    assert replaces_best(1.0, 1.0)  # saturated validation: the longer-trained weights win


def test_worse_or_undefined_metrics_never_replace_them() -> None:
    assert not replaces_best(0.7, 0.8)
    assert not replaces_best(math.nan, -math.inf)
