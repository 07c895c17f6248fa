"""Model cards: composed from the registry's records, rendered to Markdown and HTML."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from mammocad.errors import InvalidInputError
from registry import CardEdit, Registry
from registry.card.figures import reliability_diagram_png
from registry.card.render import to_html, to_markdown
from registry.card.schema import NOT_FOR_CLINICAL_USE
from registry.evaluation import evaluation_from_report
from tests.registry.builders import (
    calibration_record,
    make_model_folder,
    make_promotable,
    write_report,
)


def test_card_is_filled_from_training_evaluation_calibration_and_ood(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    bare = registry.card("classifier", 1)
    assert bare.missing == [
        "owners",
        "primary_users",
        "out_of_scope_uses",
        "relevant_factors",
        "ethical_considerations",
        "caveats_and_recommendations",
    ]
    assert bare.calibration is None and bare.ood_detector is None
    assert bare.quantitative_analyses == []

    make_promotable(registry, tmp_path, "classifier", 1, primary=0.83)
    card = registry.card("classifier", 1)

    assert card.complete and card.clinical_use_warning == NOT_FOR_CLINICAL_USE
    version = registry.get_version("classifier", 1)
    assert card.model_details.artifact_sha256 == version.artifact_sha256
    assert card.training_data.fingerprint == "sha256:" + "12" * 32
    assert card.operating_points[0].parameters["abnormal_threshold"] == 0.5
    analysis = card.quantitative_analyses[0]
    auc = analysis.metrics[0]
    assert (analysis.primary_metric, auc.name, auc.value) == ("auc_abnormal", "auc_abnormal", 0.83)
    assert auc.ci_low is not None and auc.ci_high is not None
    assert card.calibration is not None and card.calibration.after.ece == 0.04
    assert card.ood_detector is not None and card.ood_detector.shift_evaluations[0].auroc == 0.91


def test_real_data_cards_carry_no_synthetic_warning(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a", synthetic=False), "classifier", actor="c")
    assert registry.card("classifier", 1).clinical_use_warning is None


def test_markdown_and_html_show_every_section_and_escape_text(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    make_promotable(registry, tmp_path, "classifier", 1, primary=0.83)
    registry.edit_card(
        "classifier", 1, CardEdit(caveats_and_recommendations=["<script>x</script> | y"]), actor="a"
    )
    card = registry.card("classifier", 1)
    markdown, page = to_markdown(card), to_html(card)

    for section in (
        "Model details",
        "Intended use",
        "Factors",
        "Metrics",
        "Operating points",
        "Evaluation data",
        "Training data",
        "Quantitative analyses",
        "Calibration",
        "Out-of-distribution detection",
        "Ethical considerations",
        "Caveats and recommendations",
    ):
        assert f"## {section}" in markdown and f"<h2>{section}</h2>" in page
    assert markdown.startswith("# Model card: classifier version 1 (classify)")
    assert f"> **{NOT_FOR_CLINICAL_USE}**" in markdown
    assert "0.830 [95% CI 0.730, 0.880]" in markdown
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "\\| y" in markdown  # a pipe in text does not break a Markdown table


def test_incomplete_card_says_so_first(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a", synthetic=False), "classifier", actor="c")
    markdown = to_markdown(registry.card("classifier", 1))
    assert "This card is incomplete: nobody has written owners" in markdown.split("##")[0]
    assert "No calibration attached" in markdown and "No OOD detector attached" in markdown


def test_subgroups_of_a_report_reach_the_card(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    report = write_report(tmp_path / "r.json", 0.8)
    data = json.loads(report.read_text())
    data["subgroups"] = [
        {"factor": "density", "group": "C", "metric": {"name": "auc_abnormal", "value": 0.71}}
    ]
    report.write_text(json.dumps(data))
    registry.attach_evaluation("classifier", 1, report, actor="ml")

    card = registry.card("classifier", 1)
    assert card.factors.evaluation == ["density"]
    assert "| density | C | auc_abnormal | 0.710 |" in to_markdown(card)


def test_evaluation_reports_are_read_strictly(tmp_path: Path) -> None:
    classify = json.loads(write_report(tmp_path / "c.json", 0.8).read_text())
    record = evaluation_from_report(classify)
    assert [m.name for m in record.metrics] == [
        "auc_abnormal",
        "auc_malignant",
        "sensitivity",
        "specificity",
    ]
    detect = json.loads(write_report(tmp_path / "d.json", 0.6, task="detect").read_text())
    assert evaluation_from_report(detect).primary.value == 0.6

    without_fingerprint = {k: v for k, v in classify.items() if k != "data_fingerprint"}
    with pytest.raises(InvalidInputError, match="data_fingerprint"):
        evaluation_from_report(without_fingerprint)
    with pytest.raises(InvalidInputError, match="has no sensitivity_at_1fp"):
        evaluation_from_report(classify | {"task": "detect"})


def test_an_evaluation_per_data_set_and_task(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    report = write_report(tmp_path / "r.json", 0.8)
    registry.attach_evaluation("classifier", 1, report, actor="ml")
    with pytest.raises(Exception, match="never replaced"):
        registry.attach_evaluation("classifier", 1, report, actor="ml")
    with pytest.raises(Exception, match="cannot evaluate"):
        registry.attach_evaluation(
            "classifier", 1, write_report(tmp_path / "d.json", 0.6, task="detect"), actor="ml"
        )


def test_the_card_shows_a_reliability_diagram_drawn_from_the_calibration_bins(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    make_promotable(registry, tmp_path, "classifier", 1, primary=0.83)
    card = registry.card("classifier", 1)
    assert card.calibration is not None
    png = reliability_diagram_png(card.calibration)
    assert Image.open(io.BytesIO(png)).format == "PNG"
    pattern = r"!\[reliability diagram[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)"
    embedded = re.search(pattern, to_markdown(card))
    assert embedded and base64.b64decode(embedded.group(1)) == png
    assert f'src="data:image/png;base64,{embedded.group(1)}"' in to_html(card)


def test_the_card_says_why_its_calibration_method_was_chosen(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    make_promotable(registry, tmp_path, "classifier", 1, primary=0.83)
    plain = to_markdown(registry.card("classifier", 1))
    assert "Chosen over the other candidates" not in plain  # the record says nothing of it
    chosen = calibration_record().model_copy(
        update={
            "method": "platt",
            "parameters": {"scale": 0.6, "bias": -0.4},
            "method_selection": {
                "temperature (5-fold cross-validated NLL)": 61.25,
                "platt (5-fold cross-validated NLL)": 55.5,
            },
        }
    )
    registry.attach_record("classifier", 1, chosen, actor="tester")
    markdown = to_markdown(registry.card("classifier", 1))
    assert "Method: platt on class probabilities, parameters bias: -0.4; scale: 0.6" in markdown
    assert (
        "Chosen over the other candidates by platt (5-fold cross-validated NLL): 55.5; "
        "temperature (5-fold cross-validated NLL): 61.25." in markdown
    )
