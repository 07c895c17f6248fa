"""A model card laid out as a document: titled sections of paragraphs, bullet lists and tables.

Markdown and HTML are two spellings of this one layout (:mod:`registry.card.render`), so they
always show the same content in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mammocad.schemas.evaluation import MetricEstimate
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord
from registry.card.figures import reliability_diagram_png
from registry.card.schema import DataSummary, ModelCard

__all__ = ["Block", "CardDocument", "Section", "Table", "card_document"]

NOT_PROVIDED = "(not provided)"


@dataclass(frozen=True)
class Table:
    """A table with a header row."""

    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Figure:
    """A PNG image with its text alternative."""

    alt: str
    png: bytes


Block = str | list[str] | Table | Figure
"""A paragraph, a bullet list, a table or a figure."""


@dataclass(frozen=True)
class Section:
    """A titled section; ``level`` 2 for card sections, 3 for their parts."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2


@dataclass(frozen=True)
class CardDocument:
    """The whole card: a title, the warnings shown before anything else, then the sections."""

    title: str
    warnings: list[str]
    sections: list[Section]


def card_document(card: ModelCard) -> CardDocument:
    """Lay out ``card`` in the order of Mitchell et al., then the CAD-specific sections."""
    details = card.model_details
    warnings = [card.clinical_use_warning] if card.clinical_use_warning else []
    if card.missing:
        warnings.append(f"This card is incomplete: nobody has written {', '.join(card.missing)}.")
    return CardDocument(
        title=f"Model card: {details.name} version {details.version} ({details.task})",
        warnings=warnings,
        sections=[
            _model_details(card),
            Section(
                "Intended use",
                [
                    "Primary intended uses:",
                    _bullets(card.intended_use.primary_uses),
                    "Primary intended users:",
                    _bullets(card.intended_use.primary_users),
                    "Out-of-scope uses:",
                    _bullets(card.intended_use.out_of_scope_uses),
                ],
            ),
            Section(
                "Factors",
                [
                    "Relevant factors:",
                    _bullets(card.factors.relevant),
                    "Evaluation factors (subgroups reported): "
                    + (", ".join(card.factors.evaluation) or "none reported by the evaluations"),
                ],
            ),
            Section("Metrics", [_bullets(card.metrics)]),
            Section(
                "Operating points",
                [
                    Table(
                        ["name", "parameters"],
                        [[p.name, _mapping(p.parameters)] for p in card.operating_points],
                    )
                ],
            ),
            Section(
                "Evaluation data",
                [_data_table(card.evaluation_data) if card.evaluation_data else "None yet."],
            ),
            Section("Training data", [_data_table([card.training_data])]),
            *_quantitative(card),
            _calibration(card.calibration),
            _ood(card.ood_detector),
            Section("Ethical considerations", [_bullets(card.ethical_considerations)]),
            Section("Caveats and recommendations", [_bullets(card.caveats_and_recommendations)]),
        ],
    )


def _bullets(items: list[str]) -> list[str]:
    return list(items) or [NOT_PROVIDED]


def _mapping(values: dict[str, Any]) -> str:
    return "; ".join(f"{key}: {_value(value)}" for key, value in sorted(values.items()))


def _value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _model_details(card: ModelCard) -> Section:
    d = card.model_details
    rows = [
        ["name, version", f"{d.name}, version {d.version}"],
        ["task", d.task],
        ["architecture", d.architecture],
        ["owners", ", ".join(d.owners) or NOT_PROVIDED],
        ["license", d.license or NOT_PROVIDED],
        ["trained", f"{d.trained_at} on {d.device}, seed {d.seed}"],
        ["registered", f"{d.registered_at} by {d.registered_by}"],
        ["code", f"mammocad {d.mammocad_version}, commit {d.code_version}"],
        ["artifact", f"BentoML tag {d.artifact_tag}, {d.artifact_sha256}"],
        ["hyper-parameters", _mapping(d.hyperparameters)],
        ["image preparation", _mapping(d.ingest)],
    ]
    return Section("Model details", [Table(["field", "value"], rows)])


def _data_table(data: list[DataSummary]) -> Table:
    rows = [
        [
            d.name,
            d.fingerprint,
            {True: "yes", False: "no", None: "not recorded"}[d.synthetic],
            str(d.n_images),
            "" if d.n_patients is None else str(d.n_patients),
            _mapping(dict(d.label_counts)),
            "; ".join(d.notes),
        ]
        for d in data
    ]
    header = ["data set", "fingerprint", "synthetic", "images", "patients", "labels", "notes"]
    return Table(header, rows)


def _estimate(metric: MetricEstimate) -> str:
    text = f"{metric.value:.3f}"
    if metric.ci_low is not None and metric.ci_high is not None:
        level = f"{round((metric.level or 0.95) * 100)}% CI "
        text += f" [{level}{metric.ci_low:.3f}, {metric.ci_high:.3f}]"
    return text


def _quantitative(card: ModelCard) -> list[Section]:
    if not card.quantitative_analyses:
        return [Section("Quantitative analyses", ["No evaluation attached."])]
    sections = [Section("Quantitative analyses", ["Per evaluation data set:"])]
    for analysis in card.quantitative_analyses:
        blocks: list[Block] = [
            f"Fingerprint {analysis.data_fingerprint}; primary metric {analysis.primary_metric}.",
            Table(
                ["metric", "value", "computed on"],
                [[m.name, _estimate(m), m.support] for m in analysis.metrics],
            ),
        ]
        blocks.append(
            Table(
                ["factor", "group", "metric", "value", "computed on"],
                [
                    [s.factor, s.group, s.metric.name, _estimate(s.metric), s.metric.support]
                    for s in analysis.subgroups
                ],
            )
            if analysis.subgroups
            else "Subgroups: none reported by this evaluation."
        )
        sections.append(Section(analysis.data_name, blocks, level=3))
    return sections


def _calibration(record: CalibrationRecord | None) -> Section:
    if record is None:
        return Section("Calibration", ["No calibration attached: probabilities are uncalibrated."])
    return Section(
        "Calibration",
        [
            f"Method: {record.method} on {record.target}, parameters {_mapping(record.parameters)};"
            f" fitted on {record.fitted_on.name} ({record.fitted_on.fingerprint}).",
            *(
                [f"Chosen over the other candidates by {_mapping(record.method_selection)}."]
                if record.method_selection
                else []
            ),
            "ECE and Brier below are on the fitting data; the held-out figures are the "
            "evaluation metrics ece_held_out (see Quantitative analyses).",
            Table(
                ["", "ECE", "Brier"],
                [
                    ["before", f"{record.before.ece:.4f}", f"{record.before.brier:.4f}"],
                    ["after", f"{record.after.ece:.4f}", f"{record.after.brier:.4f}"],
                ],
            ),
            Figure(
                alt=f"reliability diagram after calibration, {record.target}",
                png=reliability_diagram_png(record),
            ),
            Table(
                ["confidence bin", "count", "mean confidence", "observed frequency"],
                [
                    [
                        f"{b.lower:.2f}-{b.upper:.2f}",
                        str(b.count),
                        f"{b.mean_confidence:.3f}",
                        f"{b.observed_frequency:.3f}",
                    ]
                    for b in record.reliability_bins
                ],
            ),
        ],
    )


def _ood(record: OodDetectorRecord | None) -> Section:
    if record is None:
        return Section(
            "Out-of-distribution detection",
            ["No OOD detector attached: unusual inputs are not flagged."],
        )
    return Section(
        "Out-of-distribution detection",
        [
            f"Kind: {record.kind} on {record.feature}; parameters {record.parameters_ref} "
            f"({record.parameters_sha256}).",
            f"Reference (in-distribution) data: {record.reference.name} "
            f"({record.reference.fingerprint}); statistics {_mapping(record.reference_stats)}.",
            f"Threshold {record.threshold:.4g}: {record.threshold_rule}.",
            Table(
                ["shifted set", "AUROC", "in-distribution", "shifted"],
                [
                    [s.shift_set, f"{s.auroc:.3f}", str(s.n_in_distribution), str(s.n_shifted)]
                    for s in record.shift_evaluations
                ],
            ),
        ],
    )
