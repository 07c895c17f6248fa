"""Generate a whole synthetic data set: patients, both breasts, CC and MLO, plus a manifest.

This is what a fresh installation trains its demo models on, so it is shaped like screening
data where it matters to learning and evaluation:

* every patient has a left and a right breast, each in every requested view, so the other
  breast is there for comparison and patient-level splits keep both together;
* a breast's views agree: same size, density and findings (see :func:`draw_breast`);
* labels are breast-level, so image-level shares equal breast-level shares: 50 % normal, 25 %
  benign, 25 % malignant, exactly for every full block of 8 patients. A block holds 3 patients
  normal+benign, 3 normal+malignant, 1 normal+normal and 1 benign+malignant (shuffled, sides
  drawn), so 7 of 8 patients have at most one abnormal breast;
* vendors are assigned to patients in turn; each image gets a film label with probability
  ``marker_share``.

Same arguments, same bytes: every random choice comes from ``seed`` and the position of the
patient/breast/view, never from time or order of execution. Besides ``manifest.csv`` (the generic
manifest) the folder holds ``synthetic.json``: parameters and per-image facts the manifest has no
column for (vendor, density, seed, marker box, pixel spacing).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

import numpy as np

from mammocad.datasets.manifest import write_manifest
from mammocad.datasets.records import Record
from mammocad.errors import InvalidInputError
from mammocad.synthetic.anatomy import draw_breast_shape
from mammocad.synthetic.case import (
    DEFAULT_SHAPE,
    MIN_SIZE,
    SyntheticCase,
    draw_breast,
    draw_density,
    render_case,
)
from mammocad.synthetic.dicom import write_dicom
from mammocad.synthetic.png import write_png
from mammocad.synthetic.vendors import DEFAULT_VENDOR, get_vendor
from mammocad.vocabulary import Label, Laterality, View

__all__ = [
    "GENERATOR_REVISION",
    "MANIFEST_NAME",
    "METADATA_NAME",
    "ImageFormat",
    "generate_dataset",
    "patient_id_for",
]

MANIFEST_NAME = "manifest.csv"
METADATA_NAME = "synthetic.json"

_N, _B, _M = Label.NORMAL, Label.BENIGN, Label.MALIGNANT
_BLOCK = ((_N, _B),) * 3 + ((_N, _M),) * 3 + ((_N, _N), (_B, _M))
"""Breast labels of 8 patients: 8 normal, 4 benign, 4 malignant breasts."""
_SIDES = (Laterality.LEFT, Laterality.RIGHT)
_STREAM_BLOCK, _STREAM_PATIENT = 0, 1


class ImageFormat(StrEnum):
    """File format of the generated images."""

    DICOM = "dicom"
    PNG = "png"

    @property
    def suffix(self) -> str:
        """File name suffix."""
        return ".dcm" if self is ImageFormat.DICOM else ".png"


GENERATOR_REVISION = 2
"""Bumped whenever the same arguments would write different files (the data set cache keys on
it). 2: patient ids carry the seed."""


def patient_id_for(seed: int, index: int) -> str:
    """The id of the ``index``-th patient of the set drawn with ``seed``.

    The seed is part of the id because two seeds draw different women: with ids shared across
    seeds, a model trained on ``synthetic:40`` and tested on ``synthetic:16,seed=1`` looked as if
    it were tested on patients it had trained on.
    """
    return f"SYNTH-S{seed}-P{index + 1:04d}"


def generate_dataset(
    out_dir: Path,
    *,
    n_patients: int,
    seed: int = 0,
    vendors: Sequence[str] = (DEFAULT_VENDOR,),
    image_format: ImageFormat | str = ImageFormat.DICOM,
    shape: tuple[int, int] = DEFAULT_SHAPE,
    views: Sequence[View | str] = (View.CC, View.MLO),
    marker_share: float = 0.5,
) -> Path:
    """Generate ``n_patients`` patients into ``out_dir`` and return the manifest path
    (``out_dir/manifest.csv``). Images go to ``out_dir/images/<patient>/``.

    Raises:
        InvalidInputError: a parameter is out of range or names an unknown vendor, format or
            view; nothing is written then.
    """
    out_dir = Path(out_dir)
    fmt, chosen_views = _check(n_patients, vendors, image_format, shape, views, marker_share)
    out_dir.mkdir(parents=True, exist_ok=True)
    records: list[Record] = []
    images: list[dict[str, object]] = []
    for index in range(n_patients):
        patient_id = patient_id_for(seed, index)
        vendor = vendors[index % len(vendors)]
        rng = np.random.default_rng([seed, _STREAM_PATIENT, index])
        labels = _breast_labels(seed, index, rng)
        shape_of_breast = draw_breast_shape(rng)
        density = draw_density(rng)
        instance = 0
        for side, label in zip(_SIDES, labels, strict=True):
            spec = draw_breast(rng, label=label, density=density, shape=shape_of_breast)
            for view in chosen_views:
                instance += 1
                image_seed = int(
                    np.random.SeedSequence(
                        [seed, index, _SIDES.index(side), list(View).index(view)]
                    ).generate_state(1)[0]
                )
                case = render_case(
                    spec,
                    seed=image_seed,
                    view=view,
                    laterality=side,
                    vendor=vendor,
                    shape=shape,
                    marker=bool(rng.random() < marker_share),
                )
                image_id = f"{patient_id}_{side.value}_{view.value}"
                path = (out_dir / "images" / patient_id / image_id).with_suffix(fmt.suffix)
                if fmt is ImageFormat.DICOM:
                    write_dicom(case, path, patient_id=patient_id, instance_number=instance)
                else:
                    write_png(case, path)
                records.append(
                    Record(
                        image_id=image_id,
                        path=path.resolve(),
                        patient_id=patient_id,
                        label=case.label,
                        laterality=side,
                        view=view,
                        lesions=case.lesions,
                    )
                )
                images.append(_facts(image_id, case))
    parameters = {
        "n_patients": n_patients,
        "seed": seed,
        "vendors": list(vendors),
        "image_format": fmt.value,
        "shape": list(shape),
        "views": [v.value for v in chosen_views],
        "marker_share": marker_share,
    }
    (out_dir / METADATA_NAME).write_text(
        json.dumps({"parameters": parameters, "images": images}, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return write_manifest(records, out_dir / MANIFEST_NAME)


def _check(
    n_patients: int,
    vendors: Sequence[str],
    image_format: ImageFormat | str,
    shape: tuple[int, int],
    views: Sequence[View | str],
    marker_share: float,
) -> tuple[ImageFormat, tuple[View, ...]]:
    if n_patients < 1:
        raise InvalidInputError(f"n_patients must be >= 1, got {n_patients}")
    if not vendors:
        raise InvalidInputError("give at least one vendor profile")
    for vendor in vendors:
        get_vendor(vendor)
    if not 0.0 <= marker_share <= 1.0:
        raise InvalidInputError(f"marker_share must be in [0, 1], got {marker_share}")
    try:
        fmt = ImageFormat(str(image_format).lower())
    except ValueError:
        raise InvalidInputError(
            f"image format {image_format!r} is not one of {', '.join(f.value for f in ImageFormat)}"
        ) from None
    chosen: list[View] = []
    for view in views:
        name = str(view).upper()
        if name not in (View.CC, View.MLO):
            raise InvalidInputError(f"views must be CC or MLO, got {view!r}")
        if View(name) not in chosen:
            chosen.append(View(name))
    if not chosen:
        raise InvalidInputError("give at least one view")
    if len(shape) != 2 or min(shape) < MIN_SIZE:
        raise InvalidInputError(f"shape must be (rows, cols), each >= {MIN_SIZE}, got {shape}")
    return fmt, tuple(chosen)


def _breast_labels(seed: int, index: int, rng: np.random.Generator) -> tuple[Label, Label]:
    """(left, right) labels of patient ``index``: its slot in a shuffled block of 8, with the
    sides swapped at random."""
    block = np.random.default_rng([seed, _STREAM_BLOCK, index // len(_BLOCK)])
    order = block.permutation(len(_BLOCK))
    first, second = _BLOCK[int(order[index % len(_BLOCK)])]
    return (first, second) if rng.random() < 0.5 else (second, first)


def _facts(image_id: str, case: SyntheticCase) -> dict[str, object]:
    return {
        "image_id": image_id,
        "vendor": case.vendor.name,
        "density": case.density,
        "seed": case.seed,
        "pixel_spacing_mm": round(case.pixel_spacing_mm, 6),
        "marker_box": list(case.marker_box) if case.marker_box is not None else None,
    }
