"""Composing a version's model card from what the registry knows about it.

Only :class:`~registry.card.schema.AuthoredCard` is written by people; every other section is
derived here from the training metadata, the evaluation records, and the calibration and OOD
records, each time the card is shown.
"""

from __future__ import annotations

from registry.card.schema import (
    NOT_FOR_CLINICAL_USE,
    REQUIRED_AUTHORED_FIELDS,
    AuthoredCard,
    DataSummary,
    Factors,
    IntendedUse,
    ModelCard,
    ModelDetails,
    OperatingPoint,
    QuantitativeAnalysis,
)
from registry.entities import ModelVersion

__all__ = ["compose_card", "missing_authored"]

_METRICS = {
    "classify": [
        "AUC abnormal vs normal (primary: threshold-free ranking of abnormal images), with a "
        "bootstrap 95% CI",
        "AUC malignant vs rest, with a bootstrap 95% CI",
        "sensitivity and specificity at the operating point, with Wilson 95% CIs",
    ],
    "detect": [
        "FROC sensitivity at 1 false positive per image (primary: a radiologist reviews every "
        "mark, so false marks per image are the cost)",
        "FROC sensitivity at 0.25, 0.5, 2 and 4 false positives per image, and their mean "
        "(FROC score)",
        "a detection counts as a hit when its box centre lies inside the lesion box, in "
        "original pixel coordinates",
    ],
}


def missing_authored(card: AuthoredCard) -> list[str]:
    """The required authored sections that are still empty."""
    return [name for name in REQUIRED_AUTHORED_FIELDS if not getattr(card, name)]


def compose_card(version: ModelVersion) -> ModelCard:
    """The complete model card of ``version``."""
    training, authored = version.training, version.card
    data = training.data
    evaluation_factors = sorted({s.factor for e in version.evaluations for s in e.subgroups})
    return ModelCard(
        clinical_use_warning=NOT_FOR_CLINICAL_USE if data.synthetic else None,
        model_details=ModelDetails(
            name=version.model_name,
            version=version.version,
            task=version.task,
            architecture=training.architecture,
            owners=authored.owners,
            license=authored.license,
            trained_at=training.created_at,
            registered_at=version.created_at.isoformat(timespec="seconds"),
            registered_by=version.created_by,
            mammocad_version=training.mammocad_version,
            code_version=training.code_version,
            artifact_tag=version.artifact_tag,
            artifact_sha256=version.artifact_sha256,
            seed=training.seed,
            device=training.device,
            hyperparameters=training.hyperparameters,
            ingest=training.ingest.model_dump(mode="json"),
        ),
        intended_use=IntendedUse(
            primary_uses=[training.intended_use],
            primary_users=authored.primary_users,
            out_of_scope_uses=authored.out_of_scope_uses,
        ),
        factors=Factors(relevant=authored.relevant_factors, evaluation=evaluation_factors),
        metrics=_METRICS[version.task],
        operating_points=[
            OperatingPoint(
                name="cross-fitted operating point (out-of-fold predictions)"
                if training.cross_validated
                else "validation operating point",
                parameters=training.operating_point.model_dump(),
            )
        ],
        training_data=DataSummary(
            name=data.name,
            fingerprint=data.fingerprint,
            synthetic=data.synthetic,
            n_images=data.n_images,
            n_patients=data.n_patients,
            label_counts=data.label_counts,
            notes=_training_notes(version),
        ),
        evaluation_data=[
            DataSummary(
                name=e.data_name,
                fingerprint=e.data_fingerprint,
                # mammocad's synthetic data sets are named by their spec; others are not recorded
                synthetic=e.data_name.startswith("synthetic:") or None,
                n_images=e.n_images,
                notes=[
                    f"{e.patients_seen_in_training} patients also seen in training or "
                    "validation: these results are optimistic"
                ]
                if e.patients_seen_in_training
                else [],
            )
            for e in version.evaluations
        ],
        quantitative_analyses=[
            QuantitativeAnalysis(
                data_name=e.data_name,
                data_fingerprint=e.data_fingerprint,
                primary_metric=e.primary_metric,
                metrics=e.metrics,
                subgroups=e.subgroups,
            )
            for e in version.evaluations
        ],
        calibration=version.calibration,
        ood_detector=version.ood_detector,
        ethical_considerations=authored.ethical_considerations,
        caveats_and_recommendations=authored.caveats_and_recommendations,
        missing=missing_authored(authored),
    )


def _training_notes(version: ModelVersion) -> list[str]:
    """How the model was trained and what its training's own figures are, named for what
    they are: a validation split's, or a cross-validation's out-of-fold figures."""
    training = version.training
    figures = ", ".join(f"{k} {v:.3f}" for k, v in sorted(training.validation_metrics.items()))
    if training.cross_validated:
        protocol = training.hyperparameters["cross_validation"]
        return [
            f"trained on all {len(training.data.train_patients)} patients for the recipe's "
            f"fixed {training.epochs_run} epochs (no validation split, no epoch selection)",
            f"{protocol.get('repeats')} x {protocol.get('k')}-fold patient-level "
            f"cross-validation of the recipe, pooled out-of-fold: {figures}",
        ]
    data = training.data
    return [
        f"patient-level split: {len(data.train_patients)} training and "
        f"{len(data.validation_patients)} validation patients",
        f"best epoch {training.best_epoch} of {training.epochs_run}; validation {figures}",
    ]
