"""The study summaries: the worst view decides for its breast, the worst breast for the exam."""

from __future__ import annotations

from api.inference_schemas import (
    ClassifyResponse,
    ClassPrediction,
    ClassProbabilities,
    Detection,
    DetectResponse,
    ImageSummary,
    ModelUsed,
    OodAssessment,
    TimingMs,
)
from api.study_analysis import summarise
from api.study_schemas import ImageAnalysis
from mammocad.vocabulary import Label, Laterality, View

_TIMING = TimingMs(ingest=1.0, inference=1.0, total=2.0)


def _image(
    laterality: Laterality,
    view: View,
    malignant: float,
    *,
    threshold: float | None = 0.5,
    masses: tuple[float, ...] = (),
    flagged: bool = False,
) -> ImageAnalysis:
    normal = 1 - malignant - 0.05
    probabilities = ClassProbabilities(
        normal=normal, benign=1 - malignant - normal, malignant=malignant
    )
    scores = probabilities.model_dump()
    label = Label(max(scores, key=scores.__getitem__))
    summary = ImageSummary(
        source_format="dicom",
        rows=64,
        columns=48,
        laterality=laterality,
        view=view,
        sop_instance_uid=f"1.2.{laterality.value == 'L':d}.{view.value == 'CC':d}",
    )
    ood = OodAssessment(
        flagged=flagged, score=1.0, threshold=2.0, detector="d", reasons=["x"] if flagged else []
    )
    classification = ClassifyResponse(
        request_id="r",
        model=ModelUsed(name="classifier", version=1, alias=None, synthetic_training=True),
        image=summary,
        probabilities=probabilities,
        prediction=ClassPrediction(
            label=label,
            abnormal_score=1 - normal,
            abnormal_threshold=threshold,
            abnormal=None if threshold is None else 1 - normal >= threshold,
        ),
        calibrated=False,
        ood=ood,
        timing_ms=_TIMING,
    )
    detection = DetectResponse(
        request_id="r",
        model=ModelUsed(name="detector", version=1, alias=None, synthetic_training=True),
        image=summary,
        detections=[Detection(box=(1.0, 1.0, 5.0, 5.0), score=0.9, malignancy=m) for m in masses],
        score_threshold=0.5,
        calibrated=False,
        timing_ms=_TIMING,
    )
    return ImageAnalysis(
        series_instance_uid="1.2",
        sop_instance_uid=str(summary.sop_instance_uid),
        laterality=laterality,
        view=view,
        classification=classification,
        detection=detection,
        stored=[],
    )


def test_the_worst_view_decides_for_its_breast_and_the_worst_breast_for_the_exam() -> None:
    images = [
        _image(Laterality.RIGHT, View.CC, 0.1),
        _image(Laterality.RIGHT, View.MLO, 0.1, masses=(0.2,)),
        _image(Laterality.LEFT, View.CC, 0.1),
        _image(Laterality.LEFT, View.MLO, 0.8, masses=(0.7, 0.4), flagged=True),
    ]
    breasts, exam = summarise(images)
    right, left = breasts
    assert (right.laterality, left.laterality) == (Laterality.RIGHT, Laterality.LEFT)
    assert left.worst_label is Label.MALIGNANT and left.malignant_probability == 0.8
    assert left.masses == 2 and left.highest_mass_malignancy == 0.7
    assert left.out_of_distribution and not right.out_of_distribution
    assert right.masses == 1 and right.highest_mass_malignancy == 0.2
    assert exam is not None
    assert exam.worst_label is Label.MALIGNANT and exam.malignant_probability == 0.8
    assert exam.abnormal is True and exam.abnormal_breasts == [Laterality.LEFT]
    assert exam.masses == 3 and exam.out_of_distribution


def test_without_an_operating_point_no_decision_is_invented() -> None:
    images = [_image(Laterality.LEFT, View.CC, 0.9, threshold=None)]
    [breast], exam = summarise(images)
    assert breast.abnormal is None and exam is not None and exam.abnormal is None
    assert exam.abnormal_breasts == []


def test_no_analysed_image_has_no_exam_summary() -> None:
    assert summarise([]) == ([], None)
