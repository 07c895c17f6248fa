"""Patient-level train/validation splits, stratified by each patient's worst finding.

Images of one patient are correlated (two breasts, several views, one anatomy and one scanner), so
an image-level split leaks and flatters every metric: here a patient is always on exactly one side.
Stratifying by the patient's worst label keeps the rare malignant patients in every validation set.

Patients are ordered within each stratum by a hash of ``(seed, patient_id)`` rather than by a
random generator: the result depends on nothing but the seed and the patient ids (not on record
order or library versions), and adding patients to a data set leaves most others where they were.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection

from mammocad.datasets.records import DataSet
from mammocad.errors import InvalidInputError
from mammocad.vocabulary import Label

__all__ = ["patient_kfold", "patient_split"]


def patient_split(
    dataset: DataSet, val_fraction: float = 0.2, seed: int = 0
) -> tuple[DataSet, DataSet]:
    """``(train, validation)`` with about ``val_fraction`` of the patients in validation.

    Each stratum gives its proportional share of validation patients (largest-remainder
    rounding), so the split matches the fraction as closely as whole patients allow.

    Raises:
        InvalidInputError: the fraction is not strictly between 0 and 1, or there are fewer than
            two patients.
    """
    if not 0 < val_fraction < 1:
        raise InvalidInputError(f"val_fraction must be between 0 and 1, got {val_fraction}")
    strata = _strata(dataset, seed)
    n_patients = sum(len(patients) for patients in strata.values())
    if n_patients < 2:
        raise InvalidInputError(f"{dataset.name}: a split needs at least 2 patients")
    n_val = min(n_patients - 1, max(1, round(val_fraction * n_patients)))
    quotas = _allocate(n_val, {label: len(patients) for label, patients in strata.items()})
    val_patients = {p for label, patients in strata.items() for p in patients[: quotas[label]]}
    return _partition(dataset, val_patients, f"val_fraction {val_fraction}, seed {seed}")


def patient_kfold(dataset: DataSet, k: int = 5, seed: int = 0) -> list[tuple[DataSet, DataSet]]:
    """``k`` pairs ``(train, validation)`` whose validation sets partition the patients.

    Patients are dealt round-robin, stratum after stratum, so every fold gets a patient of each
    stratum that has at least ``k`` patients and fold sizes differ by at most one patient.

    Raises:
        InvalidInputError: ``k`` is below 2 or above the number of patients.
    """
    strata = _strata(dataset, seed)
    n_patients = sum(len(patients) for patients in strata.values())
    if not 2 <= k <= n_patients:
        raise InvalidInputError(
            f"{dataset.name}: k must be between 2 and the number of patients ({n_patients}), "
            f"got {k}"
        )
    dealt = [p for patients in strata.values() for p in patients]
    return [
        _partition(dataset, set(dealt[fold::k]), f"fold {fold + 1}/{k}, seed {seed}")
        for fold in range(k)
    ]


def _strata(dataset: DataSet, seed: int) -> dict[Label, list[str]]:
    """Patients by worst label (rarest-first: malignant, benign, normal), each in seeded order."""
    worst: dict[str, Label] = {}
    for record in dataset:
        current = worst.get(record.patient_id, Label.NORMAL)
        worst[record.patient_id] = max(current, record.label, key=lambda label: label.severity)
    strata: dict[Label, list[str]] = {}
    for label in sorted(Label, key=lambda label: -label.severity):
        patients = [p for p, w in worst.items() if w is label]
        if patients:
            strata[label] = sorted(patients, key=lambda p: _rank(seed, p))
    return strata


def _rank(seed: int, patient_id: str) -> str:
    return hashlib.sha256(f"{seed}\x00{patient_id}".encode()).hexdigest()


def _allocate(total: int, sizes: dict[Label, int]) -> dict[Label, int]:
    """Split ``total`` across strata in proportion to their sizes (largest remainder method)."""
    population = sum(sizes.values())
    exact = {label: total * size / population for label, size in sizes.items()}
    quotas = {label: math.floor(share) for label, share in exact.items()}
    # largest remainder first; sorted() is stable, so ties go to the rarer stratum
    by_remainder = sorted(exact, key=lambda label: quotas[label] - exact[label])
    for label in by_remainder[: total - sum(quotas.values())]:
        quotas[label] += 1
    return quotas


def _partition(
    dataset: DataSet, val_patients: Collection[str], how: str
) -> tuple[DataSet, DataSet]:
    train_ids = [r.image_id for r in dataset if r.patient_id not in val_patients]
    val_ids = [r.image_id for r in dataset if r.patient_id in val_patients]
    return (
        dataset.subset(train_ids, name=f"{dataset.name} [train, {how}]"),
        dataset.subset(val_ids, name=f"{dataset.name} [validation, {how}]"),
    )
