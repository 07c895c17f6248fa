"""What every data set adapter produces: labelled images with lesion boxes and patient ids.

Boxes are in ORIGINAL pixel coordinates of the file on disk: x to the right, y down, origin at the
top-left corner, continuous coordinates where pixel (col, row) covers [col, col+1) x [row, row+1).
Adapters convert from their source convention (mini-MIAS uses a bottom-left origin) so that nothing
downstream has to know where a record came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import overload

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mammocad.vocabulary import Label, Laterality, LesionKind, View

__all__ = ["DataSet", "Lesion", "Record"]


class Lesion(BaseModel):
    """One annotated abnormality. ``box`` is None where the source gives no location."""

    model_config = ConfigDict(frozen=True)

    kind: LesionKind
    severity: Label
    box: tuple[float, float, float, float] | None = Field(
        default=None, description="[x0, y0, x1, y1] in original pixel coordinates"
    )

    @model_validator(mode="after")
    def _check(self) -> Lesion:
        if self.severity is Label.NORMAL:
            raise ValueError("a lesion cannot have severity 'normal'")
        if self.box is not None:
            x0, y0, x1, y1 = self.box
            if not (x1 > x0 and y1 > y0):
                raise ValueError(f"box {self.box} must have x1 > x0 and y1 > y0")
        return self


class Record(BaseModel):
    """One labelled image of a data set."""

    model_config = ConfigDict(frozen=True)

    image_id: str
    path: Path
    patient_id: str
    label: Label
    laterality: Laterality = Laterality.UNKNOWN
    view: View = View.UNKNOWN
    lesions: tuple[Lesion, ...] = ()
    density: str | None = Field(
        default=None,
        description="breast density in the source's own scale, free text because sources do "
        "not share one (mini-MIAS: fatty, fatty_glandular, dense_glandular; BI-RADS: A-D); "
        "None where the source gives none",
    )

    @model_validator(mode="after")
    def _label_matches_lesions(self) -> Record:
        worst = max(
            (lesion.severity for lesion in self.lesions),
            key=lambda s: s.severity,
            default=Label.NORMAL,
        )
        if worst is not self.label:
            raise ValueError(
                f"{self.image_id}: label {self.label.value!r} disagrees with its lesions "
                f"(worst finding {worst.value!r})"
            )
        return self

    @property
    def boxes(self) -> list[tuple[float, float, float, float]]:
        """Boxes of the lesions that have a location."""
        return [lesion.box for lesion in self.lesions if lesion.box is not None]


class DataSet(Sequence[Record]):
    """An ordered, immutable collection of records with a name that says where it came from."""

    def __init__(self, name: str, records: Sequence[Record]) -> None:
        ids = [r.image_id for r in records]
        if len(set(ids)) != len(ids):
            raise ValueError(f"data set {name!r} has duplicate image ids")
        self.name = name
        self._records = tuple(records)

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Record, ...]: ...
    def __getitem__(self, index: int | slice) -> Record | tuple[Record, ...]:
        return self._records[index]

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)

    def __repr__(self) -> str:
        return f"DataSet({self.name!r}, {len(self)} records)"

    @property
    def patients(self) -> list[str]:
        """Patient ids in first-seen order."""
        return list(dict.fromkeys(r.patient_id for r in self._records))

    def label_counts(self) -> dict[Label, int]:
        """Number of images per image-level label (every label present, zero if absent)."""
        counts = dict.fromkeys(Label, 0)
        for record in self._records:
            counts[record.label] += 1
        return counts

    def subset(self, image_ids: Sequence[str], name: str | None = None) -> DataSet:
        """The records with these ids, in data set order (used by patient-level splits)."""
        wanted = set(image_ids)
        return DataSet(name or self.name, [r for r in self._records if r.image_id in wanted])
