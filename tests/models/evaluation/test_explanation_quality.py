"""Explanation quality: the pointing game, energy inside the boxes, the randomisation check, and
their pooling over cross-validation folds, against hand-computed cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from mammocad.datasets.records import DataSet
from mammocad.datasets.spec import load_dataset
from mammocad.schemas.evaluation import ExplanationQuality
from models.evaluation.classification import wilson_interval
from models.evaluation.explanation import (
    _energy_inside,
    _peak_inside,
    _spearman,
    explanation_quality,
    pool_explanations,
)
from models.explain import Explanation
from models.explain.targets import class_target
from models.nets.classifier import ClassifierOutput, LesionEvidenceClassifier
from models.nets.detector import MassDetector
from models.training.data import PreparedImage, prepare_images
from models.training.tasks import CLASSIFY, DETECT

CPU = torch.device("cpu")
BOX = np.array([[16.0, 8.0, 24.0, 16.0]])  # exactly cell (row 1, column 2) at stride 8


def _one_hot(row: int, column: int, shape: tuple[int, int] = (4, 4)) -> np.ndarray:
    cell_map = np.zeros(shape, dtype=np.float32)
    cell_map[row, column] = 1.0
    return cell_map


class TestPointingGame:
    def test_peak_inside_a_box_is_a_hit(self) -> None:
        assert _peak_inside(_one_hot(1, 2), 8, BOX)
        assert _peak_inside(_one_hot(1, 2), 8, np.vstack([[0.0, 0.0, 4.0, 4.0], BOX]))

    def test_peak_outside_every_box_is_a_miss(self) -> None:
        assert not _peak_inside(_one_hot(1, 1), 8, BOX)
        assert not _peak_inside(_one_hot(2, 2), 8, BOX)

    def test_a_box_edge_through_the_cell_centre_counts(self) -> None:
        assert _peak_inside(_one_hot(1, 2), 8, np.array([[20.0, 12.0, 30.0, 30.0]]))

    @pytest.mark.parametrize(
        "cell_map",
        [np.zeros((4, 4)), -_one_hot(0, 0) - 1, np.where(_one_hot(1, 2) > 0, np.nan, 0.0)],
        ids=["blank", "negative", "nan"],
    )
    def test_a_map_without_positive_evidence_points_at_nothing(self, cell_map: np.ndarray) -> None:
        assert not _peak_inside(cell_map, 8, np.array([[0.0, 0.0, 32.0, 32.0]]))


class TestEnergyInside:
    def test_share_of_positive_mass(self) -> None:
        cell_map = np.array([[1.0, -5.0], [0.0, 1.0]])  # negative evidence does not count
        assert _energy_inside(cell_map, 4, np.array([[0.0, 0.0, 4.0, 4.0]])) == 0.5
        assert _energy_inside(cell_map, 4, np.array([[0.0, 0.0, 8.0, 8.0]])) == 1.0
        assert _energy_inside(cell_map, 4, np.array([[4.0, 0.0, 8.0, 4.0]])) == 0.0

    def test_boxes_are_measured_in_model_pixels_not_cells(self) -> None:
        cell_map = np.array([[1.0, 0.0], [0.0, 1.0]])
        assert _energy_inside(cell_map, 4, np.array([[0.0, 0.0, 2.0, 4.0]])) == 0.25
        assert _energy_inside(cell_map, 4, np.array([[0.0, 0.0, 1.5, 4.0]])) == 0.25  # ceil

    def test_overlapping_boxes_count_once(self) -> None:
        cell_map = np.array([[1.0, 0.0], [0.0, 1.0]])
        boxes = np.array([[0.0, 0.0, 4.0, 4.0], [0.0, 0.0, 4.0, 4.0]])
        assert _energy_inside(cell_map, 4, boxes) == 0.5

    def test_a_blank_map_has_no_energy_inside(self) -> None:
        assert _energy_inside(np.zeros((2, 2)), 4, np.array([[0.0, 0.0, 8.0, 8.0]])) == 0.0


def _explanation(cell_map: np.ndarray) -> Explanation:
    output = ClassifierOutput(
        torch.zeros(1, 2, 2, 2),
        torch.zeros(1),
        torch.zeros(1),
        torch.full((1, 3), 1 / 3),
        torch.zeros(1, 320),
        torch.zeros(1, 80),
    )
    return Explanation(
        cell_map=cell_map.astype(np.float32),
        stride=8,
        method="gradcam",
        explained=class_target(np.ones(3), "benign"),
        value=0.0,
        output=output,
    )


class TestRandomisationCorrelation:
    trained = np.array([[0.0, 1.0], [2.0, 3.0]])

    def test_a_blank_randomised_map_has_no_correlation(self) -> None:
        assert _spearman(self.trained, _explanation(np.zeros((2, 2)))) is None
        assert _spearman(self.trained, _explanation(-np.ones((2, 2)))) is None

    def test_the_same_map_correlates_fully(self) -> None:
        assert _spearman(self.trained, _explanation(self.trained)) == pytest.approx(1.0)

    def test_reversed_ranks(self) -> None:
        assert _spearman(self.trained, _explanation(3 - self.trained)) == pytest.approx(-1.0)

    def test_negative_values_are_clipped_before_ranking(self) -> None:
        randomised = _explanation(np.array([[-4.0, 1.0], [2.0, 3.0]]))
        assert _spearman(self.trained, randomised) == pytest.approx(1.0)

    def test_a_blank_trained_map_does_not_correlate(self) -> None:
        assert _spearman(np.zeros((2, 2)), _explanation(self.trained)) == 0.0


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> DataSet:
    """Two synthetic patients (8 images): 2 benign with a mass, 2 malignant with specks."""
    return load_dataset("synthetic:2,size=256x192", cache_root=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def classifier_images(dataset: DataSet) -> list[PreparedImage]:
    return prepare_images(dataset, CLASSIFY.ingest_options((128, 96)))


@pytest.fixture(scope="module")
def detector_images(dataset: DataSet) -> list[PreparedImage]:
    return prepare_images(dataset, DETECT.ingest_options((128, 96)))


def _located(images: list[PreparedImage], *, masses_only: bool) -> list[PreparedImage]:
    return [
        image
        for image in images
        if image.lesions
        and image.located
        and (not masses_only or all(lesion.kind.is_mass for lesion in image.lesions))
    ]


class TestExplanationQuality:
    def test_untrained_classifier(self, classifier_images: list[PreparedImage]) -> None:
        torch.manual_seed(0)
        network = LesionEvidenceClassifier(pretrained=True).eval()
        quality = explanation_quality(
            network, CPU, classifier_images, "gradcam", background=None, randomisation_images=2
        )
        assert quality.method == "gradcam" and "true class" in quality.target
        assert quality.images == len(_located(classifier_images, masses_only=False)) == 4
        assert 0 <= quality.pointing_hits <= quality.images
        assert quality.pointing_game == quality.pointing_hits / quality.images
        assert quality.pointing_ci is not None
        assert quality.pointing_ci[0] <= quality.pointing_game <= quality.pointing_ci[1]
        assert quality.pointing_ci == wilson_interval(quality.pointing_hits, quality.images)
        assert quality.pointing_chance is not None and 0 < quality.pointing_chance < 0.5
        assert quality.energy_inside is not None and 0 <= quality.energy_inside <= 1
        check = quality.randomisation
        assert check.images == 2 and 0 <= check.blank <= check.images
        [pooled] = pool_explanations([quality])
        assert pooled.images == quality.images

    def test_peaks_are_scored_against_each_images_true_class_and_boxes(
        self, classifier_images: list[PreparedImage], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With maps made to peak inside the box on benign images and in a corner on malignant
        ones, the pointing game is exactly the benign share."""
        asked: list[str | int | None] = []

        class PeakAtTheBox:
            def __init__(self, network: torch.nn.Module, device: Any, background: Any) -> None:
                self.stride = network.stride

            def explain(self, model_input: np.ndarray, method: str, target: Any) -> Explanation:
                asked.append(target)
                image = next(
                    i for i in classifier_images if np.array_equal(i.model_input(), model_input)
                )
                cell_map = np.zeros((16, 12), dtype=np.float32)
                if image.label.value == "benign":
                    box = image.lesions[0].box
                    assert box is not None  # the benign images' masses are located
                    x0, y0, x1, y1 = box
                    cell_map[int((y0 + y1) / 2 // 8), int((x0 + x1) / 2 // 8)] = 1.0
                else:
                    cell_map[0, 0] = 1.0
                return _explanation(cell_map)

            def explain_output(self, model_input: np.ndarray, method: str, explained: Any) -> Any:
                return _explanation(np.zeros((16, 12)))  # a blank randomised map

        monkeypatch.setattr("models.evaluation.explanation.ModelExplainer", PeakAtTheBox)
        quality = explanation_quality(
            LesionEvidenceClassifier(pretrained=False),
            CPU,
            classifier_images,
            "gradcam",
            background=None,
            randomisation_images=3,
        )
        located = _located(classifier_images, masses_only=False)
        assert asked == [image.label.value for image in located]
        assert (quality.images, quality.pointing_hits, quality.pointing_game) == (4, 2, 0.5)
        assert quality.energy_inside is not None and 0 < quality.energy_inside <= 0.5
        assert quality.randomisation.model_dump() == {
            "images": 3,
            "blank": 3,
            "spearman_mean": None,
            "spearman_max": None,
        }

    def test_detector_is_scored_on_images_with_located_masses(
        self, detector_images: list[PreparedImage]
    ) -> None:
        torch.manual_seed(0)
        network = MassDetector(pretrained=True).eval()
        quality = explanation_quality(network, CPU, detector_images, "gradcam", background=None)
        assert quality.images == len(_located(detector_images, masses_only=True)) == 2
        assert quality.target == "the best detection's score"
        assert quality.randomisation.images == 2

    def test_a_detector_that_finds_nothing_misses(
        self, detector_images: list[PreparedImage]
    ) -> None:
        network = MassDetector(pretrained=False).eval()
        assert network.heat_head.bias is not None
        torch.nn.init.constant_(network.heat_head.bias, -10.0)  # every score below 0.01
        quality = explanation_quality(network, CPU, detector_images, "gradcam", background=None)
        assert (quality.images, quality.pointing_hits) == (2, 0)

    def test_no_located_lesions_nothing_to_score(
        self, classifier_images: list[PreparedImage]
    ) -> None:
        normal = [image for image in classifier_images if not image.lesions]
        quality = explanation_quality(
            LesionEvidenceClassifier(pretrained=False), CPU, normal, "gradcam", background=None
        )
        assert quality.images == 0 and quality.pointing_game is None
        assert quality.pointing_ci is None and quality.energy_inside is None
        assert quality.randomisation.images == 0


def _fold_quality(
    method: str,
    images: int,
    hits: int,
    chance: float | None,
    energy: float | None,
    randomised: tuple[int, int, float | None],
) -> dict[str, Any]:
    compared, blank, spearman = randomised
    return {
        "method": method,
        "target": "the true class's score",
        "images": images,
        "pointing_hits": hits,
        "pointing_game": hits / images if images else None,
        "pointing_ci": list(wilson_interval(hits, images)) if images else None,
        "pointing_chance": chance,
        "energy_inside": energy,
        "randomisation": {
            "images": compared,
            "blank": blank,
            "spearman_mean": spearman,
            "spearman_max": spearman,
        },
    }


class TestPooledExplanations:
    folds: tuple[list[dict[str, Any]], ...] = (
        [
            _fold_quality("gradcam", 4, 3, 0.1, 0.5, (2, 0, 0.2)),
            _fold_quality("shap", 4, 1, 0.1, 0.3, (2, 2, None)),
        ],
        [
            _fold_quality("gradcam", 2, 0, 0.4, 0.2, (2, 1, 0.8)),
            _fold_quality("shap", 0, 0, None, None, (0, 0, None)),  # a fold without lesions
        ],
    )

    def _pooled(self) -> list[ExplanationQuality]:
        return pool_explanations(
            [ExplanationQuality.model_validate(q) for fold in self.folds for q in fold]
        )

    def test_counts_are_summed_and_means_weighted_by_images(self) -> None:
        gradcam, shap = self._pooled()
        assert gradcam.method == "gradcam" and shap.method == "shap"
        assert (gradcam.images, gradcam.pointing_hits) == (6, 3)
        assert gradcam.pointing_game == 0.5
        assert gradcam.pointing_ci == wilson_interval(3, 6)
        assert gradcam.pointing_chance == pytest.approx((0.1 * 4 + 0.4 * 2) / 6)
        assert gradcam.energy_inside == pytest.approx((0.5 * 4 + 0.2 * 2) / 6)
        assert (gradcam.randomisation.images, gradcam.randomisation.blank) == (4, 1)
        # weighted by the images actually compared (2 and 1)
        assert gradcam.randomisation.spearman_mean == pytest.approx((0.2 * 2 + 0.8 * 1) / 3)

    def test_a_fold_without_lesions_adds_nothing(self) -> None:
        _, shap = self._pooled()
        assert (shap.images, shap.pointing_hits, shap.pointing_game) == (4, 1, 0.25)
        assert shap.pointing_ci == wilson_interval(1, 4)
        assert shap.energy_inside == pytest.approx(0.3)
        assert shap.randomisation.blank == 2 and shap.randomisation.spearman_mean is None

    def test_a_method_never_scored_and_no_folds_pool_to_nothing(self) -> None:
        never = ExplanationQuality.model_validate(
            _fold_quality("gradcam", 0, 0, None, None, (0, 0, None))
        )
        assert pool_explanations([never]) == []
        assert pool_explanations([]) == []
