"""AUC, operating points and confusion matrices against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from mammocad.vocabulary import Label
from models.evaluation.classification import (
    at_threshold,
    auc_with_ci,
    classification_report,
    confusion,
    operating_point,
    wilson_interval,
)


def _noisy(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return y, y + rng.normal(size=n)


class TestAuc:
    def test_perfect_separation(self) -> None:
        estimate = auc_with_ci([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], n_boot=200)
        assert (estimate.auc, estimate.ci_low, estimate.ci_high) == (1.0, 1.0, 1.0)

    def test_inverted(self) -> None:
        estimate = auc_with_ci([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9], n_boot=200)
        assert (estimate.auc, estimate.ci_low, estimate.ci_high) == (0.0, 0.0, 0.0)

    def test_hand_computed(self) -> None:
        # Pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 -> 3 of 4.
        estimate = auc_with_ci([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], n_boot=100)
        assert estimate.auc == pytest.approx(0.75)
        assert (estimate.n_positive, estimate.n_negative, estimate.n_boot) == (2, 2, 100)
        assert estimate.method == "percentile bootstrap, stratified by class"

    def test_ties_count_half_in_every_replicate(self) -> None:
        estimate = auc_with_ci([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], n_boot=50)
        assert (estimate.auc, estimate.ci_low, estimate.ci_high) == (0.5, 0.5, 0.5)

    def test_ci_contains_estimate_and_narrows_with_more_data(self) -> None:
        small = auc_with_ci(*_noisy(40, seed=1))
        large = auc_with_ci(*_noisy(1000, seed=1))
        for estimate in (small, large):
            assert estimate.ci_low <= estimate.auc <= estimate.ci_high
        assert large.ci_high - large.ci_low < (small.ci_high - small.ci_low) / 2

    def test_reproducible_with_seed(self) -> None:
        y, s = _noisy(100, seed=2)
        assert auc_with_ci(y, s, seed=7) == auc_with_ci(y, s, seed=7)
        assert auc_with_ci(y, s, seed=7).ci_low != auc_with_ci(y, s, seed=8).ci_low

    def test_lower_level_gives_narrower_interval(self) -> None:
        y, s = _noisy(100, seed=3)
        wide, narrow = auc_with_ci(y, s, level=0.95), auc_with_ci(y, s, level=0.5)
        assert wide.ci_low < narrow.ci_low < narrow.ci_high < wide.ci_high

    def test_one_class_raises(self) -> None:
        with pytest.raises(ValueError, match="both classes"):
            auc_with_ci([1, 1, 1], [0.2, 0.5, 0.9])

    def test_non_binary_labels_raise(self) -> None:
        with pytest.raises(ValueError, match="0/1"):
            auc_with_ci([0, 1, 2], [0.2, 0.5, 0.9])


class TestOperatingPoint:
    def test_wilson_nine_of_ten(self) -> None:
        low, high = wilson_interval(9, 10)
        assert (round(low, 3), round(high, 3)) == (0.596, 0.982)

    def test_wilson_stays_within_unit_interval(self) -> None:
        assert wilson_interval(0, 5)[0] == 0.0
        assert wilson_interval(5, 5)[1] == 1.0

    def test_at_threshold_hand_computed(self) -> None:
        # >= 0.5 is positive: positives 0.9, 0.6 called (0.3 missed); negative 0.5 called, 0.1 not.
        point = at_threshold([1, 1, 1, 0, 0], [0.9, 0.6, 0.3, 0.5, 0.1], 0.5)
        assert (point.tp, point.fn, point.fp, point.tn) == (2, 1, 1, 1)
        assert point.sensitivity.value == pytest.approx(2 / 3)
        assert point.specificity.value == pytest.approx(1 / 2)
        assert (point.sensitivity.ci_low, point.sensitivity.ci_high) == pytest.approx(
            wilson_interval(2, 3)
        )
        assert (point.rule, point.threshold) == ("given", 0.5)

    # Threshold 0.4: sens 4/4, spec 2/3 (J 0.667); 0.6: sens 3/4, spec 3/3 (J 0.75).
    Y = (0, 0, 0, 1, 1, 1, 1)
    S = (0.1, 0.2, 0.5, 0.4, 0.6, 0.7, 0.8)

    def test_youden_picks_expected_threshold(self) -> None:
        point = operating_point(self.Y, self.S)
        assert point.threshold == 0.6
        assert (point.tp, point.fn, point.fp, point.tn) == (3, 1, 0, 3)

    def test_youden_tie_takes_the_more_sensitive_threshold(self) -> None:
        # 0.4 (sens 1, spec 2/3) and 0.7 (sens 2/3, spec 1) both give J = 2/3.
        point = operating_point([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.6, 0.4, 0.7, 0.8])
        assert point.threshold == 0.4

    def test_sensitivity_rule(self) -> None:
        point = operating_point(self.Y, self.S, rule="sensitivity:0.9")
        assert (point.threshold, point.sensitivity.value, point.rule) == (
            0.4,
            1.0,
            "sensitivity:0.9",
        )

    def test_specificity_rule(self) -> None:
        point = operating_point(self.Y, self.S, rule="specificity:1")
        assert (point.threshold, point.specificity.value) == (0.6, 1.0)

    def test_specificity_rule_may_call_everything_negative(self) -> None:
        point = operating_point([1, 0], [0.2, 0.9], rule="specificity:1")
        assert point.threshold > 0.9
        assert (point.tp, point.fp) == (0, 0)

    @pytest.mark.parametrize("rule", ["f1", "sensitivity", "sensitivity:1.5", "youden:0.3"])
    def test_bad_rule_raises(self, rule: str) -> None:
        with pytest.raises(ValueError, match="rule"):
            operating_point(self.Y, self.S, rule=rule)


class TestConfusion:
    def test_tiny_example(self) -> None:
        truth = ["normal", "benign", "malignant", "malignant"]
        predicted = [Label.NORMAL, Label.MALIGNANT, Label.MALIGNANT, Label.BENIGN]
        result = confusion(truth, predicted)
        assert result.labels == ["normal", "benign", "malignant"]
        assert result.matrix == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]

    def test_unknown_label_raises(self) -> None:
        with pytest.raises(ValueError, match="malign"):
            confusion(["normal"], ["malign"])


class TestClassificationReport:
    TRUTH = ("normal", "normal", "benign", "malignant", "malignant")
    PROBS = (
        (0.8, 0.1, 0.1),
        (0.5, 0.3, 0.2),
        (0.6, 0.3, 0.1),
        (0.2, 0.3, 0.5),
        (0.1, 0.2, 0.7),
    )

    def test_bundles_the_metrics(self) -> None:
        report = classification_report(self.TRUTH, self.PROBS, n_boot=100)
        assert report.n_images == 5
        assert report.counts == {"normal": 2, "benign": 1, "malignant": 2}
        # Abnormal scores 0.4 (benign) < 0.5 (normal): 5 of 6 pairs ordered.
        assert report.auc_abnormal.auc == pytest.approx(5 / 6)
        assert report.auc_malignant is not None
        assert report.auc_malignant.auc == 1.0
        assert report.threshold_source == "youden on these data"
        assert report.operating_point.rule == "youden"
        assert report.confusion.matrix == [[2, 0, 0], [1, 0, 0], [0, 0, 2]]

    def test_given_threshold(self) -> None:
        report = classification_report(self.TRUTH, self.PROBS, threshold_abnormal=0.45, n_boot=10)
        point = report.operating_point
        assert report.threshold_source == "given"
        assert (point.threshold, point.tp, point.fn, point.fp, point.tn) == (0.45, 2, 1, 1, 1)

    def test_malignant_auc_undefined_without_malignant(self) -> None:
        report = classification_report(["normal", "benign"], [[0.9, 0.1, 0], [0.2, 0.7, 0.1]])
        assert report.auc_malignant is None

    def test_rejects_logits(self) -> None:
        with pytest.raises(ValueError, match="distribution"):
            classification_report(["normal", "benign"], [[2.0, -1.0, 0.5], [0.1, 1.2, 0.3]])

    def test_rejects_wrong_shape(self) -> None:
        with pytest.raises(ValueError, match=r"\(2, 3\)"):
            classification_report(["normal", "benign"], [[0.5, 0.5], [0.5, 0.5]])
