"""Explanations: targets, Grad-CAM and SHAP maps on the stride-8 grid, and the SHAP background.

The networks here are untrained (ImageNet trunk, random heads), so nothing is asserted about
where a lesion is. What is asserted holds for any weights: Grad-CAM of a score read through a
1x1 head is that head's logit map (up to a positive factor), SHAP values add up to the explained
change, and the same image and seed give the same map.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import torch
from torch import nn

from mammocad.errors import InvalidInputError
from mammocad.geometry import GridTransform
from mammocad.schemas.artifact import BACKGROUND_FILE
from mammocad.vocabulary import Label
from models.explain import (
    Explanation,
    ModelExplainer,
    ShapSettings,
    choose_background,
    load_background,
)
from models.explain.background import save_background
from models.explain.expected_gradients import expected_gradients
from models.explain.targets import class_target, detection_target
from models.inference.decode import GridDetections, decode_detections
from models.nets.classifier import CLASSES, ClassifierOutput, LesionEvidenceClassifier
from models.nets.detector import MassDetector
from models.training.data import PreparedImage

CPU = torch.device("cpu")
SHAPE = (64, 96)  # not square: a transposed map would have the wrong shape
GRID = (SHAPE[0] // 8, SHAPE[1] // 8)


def _inputs(channels: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((count, channels, *SHAPE), dtype=np.float32)


@pytest.fixture(scope="module")
def classifier() -> LesionEvidenceClassifier:
    """Untrained, with a visible evidence head (the shipped init is near zero on purpose)."""
    torch.manual_seed(0)
    network = LesionEvidenceClassifier(pretrained=True)
    nn.init.normal_(network.evidence_head.weight, std=0.1)
    return network.eval()


@pytest.fixture(scope="module")
def detector() -> MassDetector:
    """Untrained, with a heat head whose scores vary between cells."""
    torch.manual_seed(0)
    network = MassDetector(pretrained=True)
    nn.init.normal_(network.heat_head.weight, std=0.05)
    return network.eval()


def _hand_output(abnormal: float, malignant: float) -> ClassifierOutput:
    a, m = torch.tensor([abnormal]), torch.tensor([malignant])
    p_a, p_m = torch.sigmoid(a), torch.sigmoid(m)
    probabilities = torch.stack([1 - p_a, p_a * (1 - p_m), p_a * p_m], dim=1)
    return ClassifierOutput(
        torch.zeros(1, 2, 2, 2), a, m, probabilities, torch.zeros(1, 320), torch.zeros(1, 80)
    )


class TestClassTargets:
    def test_every_class_has_a_score(self) -> None:
        output = _hand_output(1.5, -0.5)
        scores = {name: float(class_target(np.ones(3), name).read(output)[0]) for name in CLASSES}
        assert scores == pytest.approx({"normal": -1.5, "benign": 1.5, "malignant": 1.0})
        for name in CLASSES:
            assert class_target(np.ones(3), name).class_name == name

    @pytest.mark.parametrize("winner", range(3))
    def test_default_is_the_most_probable_class(self, winner: int) -> None:
        probabilities = np.full(3, 0.2)
        probabilities[winner] = 0.6
        explained = class_target(probabilities, None)
        assert explained.class_name == CLASSES[winner]
        assert explained.detection_index is None

    def test_unknown_class_is_refused(self) -> None:
        with pytest.raises(InvalidInputError) as refused:
            class_target(np.ones(3), "cancer")
        assert refused.value.code == "unknown-explanation-target"


def _unsorted_detections() -> GridDetections:
    return GridDetections(
        boxes=np.array([[0, 0, 16, 16], [40, 24, 56, 40], [64, 8, 80, 24]], dtype=np.float32),
        scores=np.array([0.2, 0.9, 0.5], dtype=np.float32),
        malignancy=np.zeros(3, dtype=np.float32),
    )


class _Heat:
    def __init__(self, heat: torch.Tensor) -> None:
        self.heat = heat


class TestDetectionTargets:
    heat = torch.arange(60, dtype=torch.float32).reshape(1, 1, 6, 10) / 10 - 3

    @pytest.mark.parametrize(
        ("requested", "cell"),  # cell: (row, column) of the box centre at stride 8
        [(None, (4, 6)), (0, (4, 6)), (1, (2, 9)), (2, (1, 1))],
    )
    def test_reads_the_score_at_the_cell_centring_the_box(
        self, requested: int | None, cell: tuple[int, int]
    ) -> None:
        """Indices are best first, whatever order the detections are stored in."""
        explained = detection_target(_unsorted_detections(), requested, stride=8)
        expected = torch.sigmoid(self.heat[0, 0, cell[0], cell[1]])
        torch.testing.assert_close(explained.read(_Heat(self.heat)), expected.reshape(1))
        assert explained.detection_index == (requested or 0)
        assert explained.class_name is None

    @pytest.mark.parametrize("requested", [3, -1])
    def test_no_such_detection_is_refused(self, requested: int) -> None:
        with pytest.raises(InvalidInputError) as refused:
            detection_target(_unsorted_detections(), requested, stride=8)
        assert refused.value.code == "unknown-explanation-target"


def _layer_output(
    network: LesionEvidenceClassifier | MassDetector, image: np.ndarray
) -> torch.Tensor:
    captured: list[torch.Tensor] = []
    handle = network.gradcam_layer.register_forward_hook(lambda _m, _i, out: captured.append(out))
    with torch.no_grad():
        network(torch.from_numpy(image)[None])
    handle.remove()
    return captured[0][0]


class TestGradCam:
    @pytest.mark.parametrize("target", CLASSES)
    def test_classifier_map_is_the_relu_of_the_class_score_map(
        self, classifier: LesionEvidenceClassifier, target: str
    ) -> None:
        """The class scores are affine in the top-k mean of a 1x1 head over the Grad-CAM layer,
        so the channel weights are the head's weights: the map is ReLU of the score's cell map."""
        image = _inputs(2, 1, seed=1)[0]
        explanation = ModelExplainer(classifier, CPU, None).explain(image, "gradcam", target)
        assert explanation.cell_map.shape == GRID and explanation.cell_map.dtype == np.float32
        assert explanation.explained.class_name == target
        cells = torch.einsum(
            "oc,chw->ohw",
            classifier.evidence_head.weight.detach()[:, :, 0, 0],
            _layer_output(classifier, image),
        )
        scaled = cells * classifier.readout_scale.detach()[:, None, None] / (GRID[0] * GRID[1])
        score = {"normal": -scaled[0], "benign": scaled[0], "malignant": scaled[0] + scaled[1]}
        expected = torch.relu(score[target]).numpy()
        assert expected.max() > 0  # the check below is not about two blank maps
        np.testing.assert_allclose(
            explanation.cell_map, expected, rtol=1e-3, atol=1e-6 * expected.max()
        )

    def test_detector_map_peaks_at_the_explained_detection(self, detector: MassDetector) -> None:
        """The score of one cell through a 1x1 head: the map is ReLU of the heat logits (less
        the bias) times sigmoid', and its peak is the best detection's cell."""
        image = _inputs(1, 1, seed=2)[0]
        explanation = ModelExplainer(detector, CPU, None).explain(image, "gradcam")
        assert explanation.cell_map.shape == GRID
        assert np.isfinite(explanation.cell_map).all() and explanation.cell_map.min() >= 0
        assert explanation.explained.detection_index == 0
        assert isinstance(explanation.output, type(detector(torch.from_numpy(image)[None])))
        heat = torch.einsum(
            "c,chw->hw",
            detector.heat_head.weight.detach()[0, :, 0, 0],
            _layer_output(detector, image),
        )
        p = explanation.value
        expected = (torch.relu(heat) * p * (1 - p) / (GRID[0] * GRID[1])).numpy()
        assert expected.max() > 0
        np.testing.assert_allclose(
            explanation.cell_map, expected, rtol=1e-3, atol=1e-6 * expected.max()
        )
        best = decode_detections(explanation.output, stride=8)[0]
        x0, y0, x1, y1 = best.boxes[int(np.argmax(best.scores))]
        peak = tuple(int(i) for i in np.unravel_index(int(np.argmax(explanation.cell_map)), GRID))
        assert peak == (int((y0 + y1) / 2 // 8), int((x0 + x1) / 2 // 8))
        assert p == pytest.approx(float(best.scores.max()), rel=1e-5)

    def test_details_name_the_library_and_layer(self, detector: MassDetector) -> None:
        explanation = ModelExplainer(detector, CPU, None).explain(_inputs(1, 1, 3)[0], "gradcam")
        assert explanation.method == "gradcam" and explanation.stride == 8
        assert explanation.details["library"].startswith("captum")
        assert dict(detector.named_modules())[explanation.details["layer"]] is (
            detector.gradcam_layer
        )


class _LinearSecondHalf(nn.Module):
    """``from_intermediate`` = weighted sum of the features: expected gradients are exact."""

    def __init__(self) -> None:
        super().__init__()
        self.weights = nn.Parameter(torch.tensor([1.0, 2.0, 3.0]))

    def from_intermediate(self, features: dict[str, torch.Tensor]) -> torch.Tensor:
        return sum(
            w * features[name].sum(dim=(1, 2, 3))
            for w, name in zip(self.weights, ("c3", "c4", "c5"), strict=True)
        )


def test_pyramid_levels_are_spread_evenly_over_the_cells_they_cover() -> None:
    """With a linear second half and one background image every sample gives the exact SHAP
    values ``w * (x - b)``; a stride-16 cell covers 2x2 output cells, a stride-32 cell 4x4."""
    generator = torch.Generator().manual_seed(0)
    features = {
        name: torch.rand(1, channels, rows, columns, generator=generator)
        for name, channels, rows, columns in (("c3", 3, 8, 4), ("c4", 2, 4, 2), ("c5", 2, 2, 1))
    }
    background = {name: torch.full_like(value, 0.25) for name, value in features.items()}
    result = expected_gradients(
        _LinearSecondHalf(), features, background, lambda o: o, grid=(8, 4), nsamples=4, seed=0
    )
    per_cell = {name: (value[0] - 0.25).sum(dim=0).numpy() for name, value in features.items()}
    expected = (
        per_cell["c3"]
        + 2 * np.kron(per_cell["c4"], np.ones((2, 2))) / 4
        + 3 * np.kron(per_cell["c5"], np.ones((4, 4))) / 16
    )
    np.testing.assert_allclose(result.cell_map, expected, rtol=1e-5, atol=1e-6)
    assert result.expected_output == pytest.approx(0.25 * (1 * 96 + 2 * 16 + 3 * 4))
    assert result.completeness_gap < 1e-4


def test_finer_features_are_summed_onto_a_coarser_grid() -> None:
    """On an output grid coarser than a feature (a patch classifier's stride-16 cells), the
    finer features' values are summed over the cells each output cell covers, so the map still
    adds up."""
    generator = torch.Generator().manual_seed(1)
    features = {
        name: torch.rand(1, channels, rows, columns, generator=generator)
        for name, channels, rows, columns in (("c3", 3, 8, 4), ("c4", 2, 4, 2), ("c5", 2, 2, 1))
    }
    background = {name: torch.full_like(value, 0.25) for name, value in features.items()}
    result = expected_gradients(
        _LinearSecondHalf(), features, background, lambda o: o, grid=(2, 1), nsamples=4, seed=0
    )
    per_cell = {name: (value[0] - 0.25).sum(dim=0).numpy() for name, value in features.items()}
    expected = (
        per_cell["c3"].reshape(2, 4, 1, 4).sum(axis=(1, 3))
        + 2 * per_cell["c4"].reshape(2, 2, 1, 2).sum(axis=(1, 3))
        + 3 * per_cell["c5"]
    )
    np.testing.assert_allclose(result.cell_map, expected, rtol=1e-5, atol=1e-6)
    assert result.cell_map.sum() == pytest.approx(result.output - result.expected_output, abs=1e-4)


class TestShap:
    def test_detector_values_add_up_to_the_explained_change(self, detector: MassDetector) -> None:
        explainer = ModelExplainer(detector, CPU, _inputs(1, 4, seed=10))
        explanation = explainer.explain(
            _inputs(1, 1, seed=11)[0], "shap", shap_settings=ShapSettings(nsamples=256)
        )
        assert explanation.cell_map.shape == GRID and np.isfinite(explanation.cell_map).all()
        details = explanation.details
        change = explanation.value - details["expected_value"]
        # measured: gap / |change| = 0.045 here (0.004 to 0.09 over sampling seeds); summing the
        # pyramid levels without dividing by the cells they cover gives 0.57
        assert abs(change) > 0.01
        assert details["completeness_gap"] <= 0.15 * abs(change)
        assert details["completeness_gap"] == pytest.approx(
            abs(float(explanation.cell_map.sum(dtype=np.float64)) - change), abs=1e-5
        )
        assert details["nsamples"] == 256 and details["background_images"] == 4
        assert details["library"].startswith("shap")

    def test_classifier_map_is_reproducible_and_linear_in_the_score(
        self, classifier: LesionEvidenceClassifier
    ) -> None:
        """Same image and seed: the same map. The normal score is minus the benign one, and with
        the same samples so are their SHAP values."""
        explainer = ModelExplainer(classifier, CPU, _inputs(2, 3, seed=20))
        image = _inputs(2, 1, seed=21)[0]
        settings = ShapSettings(nsamples=16, seed=5)

        def shap_map(target: str) -> Explanation:
            return explainer.explain(image, "shap", target, shap_settings=settings)

        benign = shap_map("benign")
        assert benign.cell_map.shape == GRID and np.isfinite(benign.cell_map).all()
        assert benign.cell_map.min() < 0 < benign.cell_map.max()  # signed, unlike Grad-CAM
        np.testing.assert_array_equal(shap_map("benign").cell_map, benign.cell_map)
        np.testing.assert_allclose(shap_map("normal").cell_map, -benign.cell_map, atol=1e-6)
        assert "speck pathway" in benign.details["layer"] and benign.details["seed"] == 5

    def test_no_background_no_shap(self, detector: MassDetector) -> None:
        explainer = ModelExplainer(detector, CPU, None)
        with pytest.raises(InvalidInputError) as refused:
            explainer.explain(_inputs(1, 1, seed=0)[0], "shap")
        assert refused.value.code == "no-shap-background"
        assert explainer.explain(_inputs(1, 1, seed=0)[0], "gradcam").method == "gradcam"


class TestRefusals:
    def test_class_name_for_a_detector(self, detector: MassDetector) -> None:
        with pytest.raises(InvalidInputError) as refused:
            ModelExplainer(detector, CPU, None).explain(_inputs(1, 1, 0)[0], "gradcam", "benign")
        assert refused.value.code == "unknown-explanation-target"

    def test_detection_index_for_a_classifier(self, classifier: LesionEvidenceClassifier) -> None:
        with pytest.raises(InvalidInputError) as refused:
            ModelExplainer(classifier, CPU, None).explain(_inputs(2, 1, 0)[0], "gradcam", 0)
        assert refused.value.code == "unknown-explanation-target"

    def test_unknown_method(self, detector: MassDetector) -> None:
        with pytest.raises(InvalidInputError, match="method"):
            ModelExplainer(detector, CPU, None).explain(_inputs(1, 1, 0)[0], "lime")  # type: ignore[arg-type]  # unknown method, on purpose

    def test_only_the_task_networks(self) -> None:
        with pytest.raises(TypeError, match="Linear"):
            ModelExplainer(nn.Linear(2, 2), CPU, None)


def _prepared(image_id: str, label: Label, value: float = 0.5) -> PreparedImage:
    return PreparedImage(
        image_id=image_id,
        patient_id=image_id.split("_")[0],
        label=label,
        pixels=np.full((4, 6), value, dtype=np.float32),
        lesions=(),
        transform=GridTransform.identity((4, 6)),
        original_lesions=(),
    )


class TestBackground:
    images: ClassVar[list[PreparedImage]] = [
        *(_prepared(f"N{i}_CC", Label.NORMAL, i / 10) for i in range(5)),
        *(_prepared(f"B{i}_CC", Label.BENIGN) for i in range(2)),
        _prepared("M0_CC", Label.MALIGNANT),
    ]

    def test_labels_take_turns(self) -> None:
        chosen = [image.image_id for image in choose_background(self.images, size=6)]
        assert chosen == ["B0_CC", "M0_CC", "N0_CC", "B1_CC", "N1_CC", "N2_CC"]
        assert len(choose_background(self.images, size=20)) == len(self.images)

    def test_the_order_given_does_not_matter(self) -> None:
        shuffled = list(self.images)
        random.Random(4).shuffle(shuffled)
        assert choose_background(shuffled, size=5) == choose_background(self.images, size=5)

    def test_saved_background_loads_back(self, tmp_path: Path) -> None:
        chosen = choose_background(self.images, size=4)
        path = save_background(tmp_path, chosen)
        assert path == tmp_path / BACKGROUND_FILE
        loaded = load_background(tmp_path)
        assert loaded is not None and loaded.dtype == np.float32
        np.testing.assert_array_equal(loaded, np.stack([i.model_input() for i in chosen]))
        assert loaded.shape == (4, 1, 4, 6)
        with np.load(path) as stored:
            assert stored["image_ids"].tolist() == [i.image_id for i in chosen]

    def test_a_folder_without_background(self, tmp_path: Path) -> None:
        assert load_background(tmp_path) is None
        with pytest.raises(ValueError, match="at least one"):
            save_background(tmp_path, [])
