"""Patient-level splits: no leakage, stratification, full coverage, determinism."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mammocad.datasets.minimias import load_minimias
from mammocad.datasets.records import DataSet, Lesion, Record
from mammocad.datasets.splits import patient_kfold, patient_split
from mammocad.errors import InvalidInputError
from mammocad.vocabulary import Label, LesionKind


@pytest.fixture(scope="module")
def mias(mini_mias_dir: Path) -> DataSet:
    return load_minimias(mini_mias_dir)


def _make(labels_by_patient: list[list[Label]], name: str = "toy") -> DataSet:
    records = [
        Record(
            image_id=f"p{p}-{i}",
            path=Path(f"p{p}-{i}.png"),
            patient_id=f"p{p}",
            label=label,
            lesions=()
            if label is Label.NORMAL
            else (Lesion(kind=LesionKind.SPICULATED_MASS, severity=label),),
        )
        for p, labels in enumerate(labels_by_patient)
        for i, label in enumerate(labels)
    ]
    return DataSet(name, records)


def _ids(dataset: DataSet) -> list[str]:
    return [r.image_id for r in dataset]


def _assert_patient_disjoint(train: DataSet, val: DataSet, whole: DataSet) -> None:
    assert not set(train.patients) & set(val.patients)
    assert sorted(_ids(train) + _ids(val)) == sorted(_ids(whole))


def test_kfold_on_mini_mias(mias: DataSet) -> None:
    folds = patient_kfold(mias, k=5, seed=0)
    assert len(folds) == 5
    for train, val in folds:
        _assert_patient_disjoint(train, val, mias)
        assert all(n > 0 for n in val.label_counts().values()), val.label_counts()
    validation_ids = [i for _, val in folds for i in _ids(val)]
    assert sorted(validation_ids) == sorted(_ids(mias))  # each image validated exactly once
    assert {len(val.patients) for _, val in folds} <= {21, 22}


def test_kfold_is_deterministic_and_seeded(mias: DataSet) -> None:
    def fingerprint(seed: int) -> list[list[str]]:
        return [_ids(val) for _, val in patient_kfold(mias, k=5, seed=seed)]

    assert fingerprint(3) == fingerprint(3)
    assert fingerprint(3) != fingerprint(4)


def test_split_on_mini_mias(mias: DataSet) -> None:
    train, val = patient_split(mias, val_fraction=0.2, seed=0)
    _assert_patient_disjoint(train, val, mias)
    assert len(val.patients) == round(0.2 * 107)
    assert all(n > 0 for n in val.label_counts().values())
    again = patient_split(mias, val_fraction=0.2, seed=0)
    assert (_ids(train), _ids(val)) == (_ids(again[0]), _ids(again[1]))
    assert _ids(patient_split(mias, val_fraction=0.2, seed=1)[1]) != _ids(val)


def test_splits_do_not_depend_on_record_order() -> None:
    labels = [[Label.NORMAL, Label.BENIGN], [Label.NORMAL], [Label.MALIGNANT]] * 5
    forward = _make(labels)
    backward = DataSet("toy", list(reversed(list(forward))))
    assert sorted(_ids(patient_split(forward, 0.3)[1])) == sorted(
        _ids(patient_split(backward, 0.3)[1])
    )
    assert [sorted(_ids(v)) for _, v in patient_kfold(forward, 3)] == [
        sorted(_ids(v)) for _, v in patient_kfold(backward, 3)
    ]


def test_split_follows_each_stratum_share() -> None:
    dataset = _make([[Label.MALIGNANT]] * 10 + [[Label.BENIGN]] * 20 + [[Label.NORMAL]] * 70)
    _, val = patient_split(dataset, val_fraction=0.2)
    assert val.label_counts() == {Label.NORMAL: 14, Label.BENIGN: 4, Label.MALIGNANT: 2}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: patient_kfold(d, k=1), "k must be between 2"),
        (lambda d: patient_kfold(d, k=4), "k must be between 2"),
        (lambda d: patient_split(d, val_fraction=0.0), "val_fraction"),
        (lambda d: patient_split(d, val_fraction=1.0), "val_fraction"),
        (lambda d: patient_split(_make([[Label.NORMAL] * 2]), 0.5), "at least 2 patients"),
    ],
)
def test_impossible_splits_are_invalid_input(
    call: Callable[[DataSet], object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call(_make([[Label.NORMAL], [Label.BENIGN], [Label.MALIGNANT]]))


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(
        st.lists(st.sampled_from(list(Label)), min_size=1, max_size=4), min_size=2, max_size=30
    ),
    seed=st.integers(0, 1000),
    data=st.data(),
)
def test_any_data_set_splits_by_patient(
    labels: list[list[Label]], seed: int, data: st.DataObject
) -> None:
    dataset = _make(labels)
    k = data.draw(st.integers(2, len(labels)))
    folds = patient_kfold(dataset, k=k, seed=seed)
    for train, val in folds:
        _assert_patient_disjoint(train, val, dataset)
        assert val.patients  # no empty fold
    assert sorted(p for _, val in folds for p in val.patients) == sorted(dataset.patients)
    train, val = patient_split(dataset, val_fraction=data.draw(st.floats(0.05, 0.95)), seed=seed)
    _assert_patient_disjoint(train, val, dataset)
    assert train.patients and val.patients
