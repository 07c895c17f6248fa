"""One synthetic mammogram with its exact ground truth.

Generation has two stages so that the views of one breast agree: :func:`draw_breast` fixes what
a breast IS (size, density, findings), :func:`render_case` shows it in one view, on one side, as
one vendor stores it. :func:`generate_case` does both from a single seed.

Every random stream is derived from the seed and its purpose, never shared: the same seed with
another vendor gives the same breast and lesions, of the same physical size (so covering more or
fewer pixels, per the vendor's field of view) and stored the vendor's way, which is what
domain-shift experiments need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mammocad.datasets.records import Lesion
from mammocad.errors import InvalidInputError
from mammocad.synthetic.acquisition import acquire
from mammocad.synthetic.anatomy import BreastShape, build_anatomy, draw_breast_shape
from mammocad.synthetic.lesions import FindingSpec, draw_findings, render_finding
from mammocad.synthetic.marker import draw_marker
from mammocad.synthetic.placement import FreeSpace
from mammocad.synthetic.texture import PARENCHYMA_BETA, power_law_field
from mammocad.synthetic.tissue import check_density, normal_tissue
from mammocad.synthetic.vendors import DEFAULT_VENDOR, VendorProfile, get_vendor
from mammocad.vocabulary import Label, Laterality, View

__all__ = [
    "DEFAULT_SHAPE",
    "LABEL_SHARES",
    "MIN_SIZE",
    "BreastSpec",
    "SyntheticCase",
    "draw_breast",
    "draw_density",
    "draw_label",
    "generate_case",
    "render_case",
]

DEFAULT_SHAPE = (1024, 768)
"""(rows, cols): portrait, like a mammogram."""
MIN_SIZE = 48
"""Smallest image side: below it lesions and labels no longer fit."""
LABEL_SHARES = {Label.NORMAL: 0.5, Label.BENIGN: 0.25, Label.MALIGNANT: 0.25}
"""How often :func:`generate_case` draws each label when none is given."""
_DENSITY_SHARES = {"fatty": 0.3, "fibroglandular": 0.45, "dense": 0.25}
_ELONGATION = 2.5
"""Parenchyma runs chest wall to nipple: structures are this much longer along the rows."""
_SKIN_MARGIN_MM = 3.0
"""Lesions keep this far inside the skin line."""
_SHRINK = 0.8
_SHRINK_TRIES = 8

_STREAM_BREAST, _STREAM_TEXTURE, _STREAM_PLACEMENT, _STREAM_NOISE, _STREAM_MARKER = range(5)


@dataclass(frozen=True)
class BreastSpec:
    """What one breast is, shared by all its views.

    Attributes:
        shape: physical size and outline.
        density: key of :data:`mammocad.synthetic.tissue.DENSITIES`.
        findings: its lesions (empty for a normal breast).
    """

    shape: BreastShape
    density: str
    findings: tuple[FindingSpec, ...]

    @property
    def label(self) -> Label:
        """The worst finding, normal if there is none."""
        return max(
            (f.severity for f in self.findings), key=lambda s: s.severity, default=Label.NORMAL
        )


@dataclass(frozen=True, eq=False)
class SyntheticCase:
    """A generated mammogram and its ground truth. Arrays are read-only.

    Attributes:
        stored: pixel values exactly as written to DICOM (``vendor.dtype``).
        lesions: findings with boxes [x0, y0, x1, y1] in this image's pixel coordinates.
        label: the worst finding.
        view: CC or MLO.
        laterality: LEFT (chest wall on the left edge) or RIGHT (on the right edge).
        vendor: the profile that stored the image.
        breast_mask: breast tissue, pectoral muscle included.
        pectoral_mask: pectoral muscle (MLO only; all False on CC).
        marker_box: box of the burned-in film label; None when none was asked for or a small
            image had no room for one beside the breast.
        seed: the seed the view was rendered from.
        density: key of :data:`mammocad.synthetic.tissue.DENSITIES`.
        tissue: the noiseless, vendor-independent tissue map (0 = air) behind ``stored``, film
            label included.
    """

    stored: np.ndarray
    lesions: tuple[Lesion, ...]
    label: Label
    view: View
    laterality: Laterality
    vendor: VendorProfile
    breast_mask: np.ndarray
    pectoral_mask: np.ndarray
    marker_box: tuple[float, float, float, float] | None
    seed: int
    density: str
    tissue: np.ndarray

    @property
    def pixel_spacing_mm(self) -> float:
        """Pixel spacing of this image (isotropic)."""
        return self.vendor.pixel_spacing_mm(self.stored.shape[0])

    def monochrome2(self) -> np.ndarray:
        """Stored values in MONOCHROME2 sense (dense tissue high), as written to PNG."""
        if self.vendor.inverted:
            return (self.vendor.max_value - self.stored).astype(self.vendor.dtype)
        return self.stored


def draw_label(rng: np.random.Generator) -> Label:
    """A label drawn with :data:`LABEL_SHARES`."""
    labels = list(LABEL_SHARES)
    return labels[int(rng.choice(len(labels), p=list(LABEL_SHARES.values())))]


def draw_density(rng: np.random.Generator) -> str:
    """A density drawn as in a screening population: 30 % fatty, 45 % fibroglandular, 25 %
    dense."""
    names = list(_DENSITY_SHARES)
    return names[int(rng.choice(len(names), p=list(_DENSITY_SHARES.values())))]


def draw_breast(
    rng: np.random.Generator,
    *,
    label: Label,
    density: str | None = None,
    shape: BreastShape | None = None,
) -> BreastSpec:
    """A breast whose worst finding is ``label``. ``density`` None draws one
    (:func:`draw_density`); ``shape`` None draws one (pass the other breast's shape to make a
    patient's breasts alike, as they are).

    Raises:
        InvalidInputError: unknown density.
    """
    density = draw_density(rng) if density is None else density
    check_density(density)
    return BreastSpec(
        shape=draw_breast_shape(rng) if shape is None else shape,
        density=density,
        findings=draw_findings(label, rng),
    )


def render_case(
    spec: BreastSpec,
    *,
    seed: int,
    view: View,
    laterality: Laterality,
    vendor: str = DEFAULT_VENDOR,
    shape: tuple[int, int] = DEFAULT_SHAPE,
    marker: bool = False,
) -> SyntheticCase:
    """Show the breast ``spec`` in one view and side, stored as ``vendor`` stores it.

    Raises:
        InvalidInputError: unknown vendor, view not CC/MLO, laterality not L/R, or an image side
            below :data:`MIN_SIZE`.
    """
    profile = get_vendor(vendor)
    if str(view) not in (View.CC, View.MLO):
        raise InvalidInputError(f"synthetic views are CC or MLO, not {view!s}")
    if str(laterality) not in (Laterality.LEFT, Laterality.RIGHT):
        raise InvalidInputError(f"synthetic laterality is L or R, not {laterality!s}")
    view, laterality = View(view), Laterality(laterality)
    rows, cols = (int(n) for n in shape)
    if min(rows, cols) < MIN_SIZE:
        raise InvalidInputError(
            f"synthetic images need at least {MIN_SIZE} pixels a side, got {rows}x{cols}"
        )

    spacing = profile.pixel_spacing_mm(rows)
    anatomy = build_anatomy(spec.shape, view, (rows, cols), spacing)
    field = power_law_field(
        (rows, cols), PARENCHYMA_BETA, _rng(seed, _STREAM_TEXTURE), elongation=_ELONGATION
    )
    tissue = normal_tissue(anatomy, field, spec.density)

    margin = max(1.0, _SKIN_MARGIN_MM / spacing)
    space = FreeSpace(anatomy.breast & ~anatomy.pectoral & (anatomy.skin_distance >= margin))
    placement_rng = _rng(seed, _STREAM_PLACEMENT)
    boxes = [
        _place(
            finding,
            anatomy.locate(finding.depth, finding.across),
            space,
            spacing,
            tissue,
            anatomy.thickness,
            placement_rng,
        )
        for finding in spec.findings
    ]
    breast, pectoral = anatomy.breast, anatomy.pectoral
    if laterality is Laterality.RIGHT:  # mirror the canonical left breast
        tissue, breast, pectoral = (
            np.ascontiguousarray(a[:, ::-1]) for a in (tissue, breast, pectoral)
        )
        boxes = [(cols - x1, y0, cols - x0, y1) for x0, y0, x1, y1 in boxes]
    lesions = tuple(
        Lesion(kind=finding.kind, severity=finding.severity, box=box)
        for finding, box in zip(spec.findings, boxes, strict=True)
    )
    marker_box = None
    if marker:
        marker_box = draw_marker(
            tissue,
            breast,
            f"{laterality.value} {view.value}",
            far_right=laterality is Laterality.LEFT,
            rng=_rng(seed, _STREAM_MARKER),
        )
    stored = acquire(tissue, profile, _rng(seed, _STREAM_NOISE))
    for array in (stored, breast, pectoral, tissue):
        array.setflags(write=False)
    return SyntheticCase(
        stored=stored,
        lesions=lesions,
        label=spec.label,
        view=view,
        laterality=laterality,
        vendor=profile,
        breast_mask=breast,
        pectoral_mask=pectoral,
        marker_box=marker_box,
        seed=seed,
        density=spec.density,
        tissue=tissue,
    )


def generate_case(
    seed: int,
    *,
    label: Label | None = None,
    view: View = View.MLO,
    laterality: Laterality = Laterality.LEFT,
    vendor: str = DEFAULT_VENDOR,
    shape: tuple[int, int] = DEFAULT_SHAPE,
    density: str | None = None,
    marker: bool = False,
) -> SyntheticCase:
    """One synthetic mammogram, fully determined by its arguments.

    ``label`` None draws it (see :data:`LABEL_SHARES`); ``density`` None draws one of
    :data:`mammocad.synthetic.tissue.DENSITIES`; ``marker`` burns a film label into the
    background. The same seed with another ``vendor`` shows the same breast and lesions (see the
    module docstring).

    Raises:
        InvalidInputError: as :func:`render_case`, or an unknown density.
    """
    rng = _rng(seed, _STREAM_BREAST)
    label = draw_label(rng) if label is None else Label(label)
    spec = draw_breast(rng, label=label, density=density)
    return render_case(
        spec, seed=seed, view=view, laterality=laterality, vendor=vendor, shape=shape, marker=marker
    )


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _place(
    finding: FindingSpec,
    target: tuple[float, float],
    space: FreeSpace,
    spacing: float,
    tissue: np.ndarray,
    thickness: np.ndarray,
    rng: np.random.Generator,
) -> tuple[float, float, float, float]:
    """Render, place and composite one finding; returns its box. A finding too big for the room
    left in this breast is shrunk step by step (small images, small breasts)."""
    for attempt in range(_SHRINK_TRIES):
        stamp = render_finding(finding, spacing, scale=_SHRINK**attempt)
        rows, cols = stamp.shape
        corner = space.find(rows, cols, target, rng)
        if corner is not None:
            top, left = corner
            stamp.apply(tissue, thickness, top, left)
            space.claim(top, left, top + rows, left + cols)
            return (float(left), float(top), float(left + cols), float(top + rows))
    raise InvalidInputError(
        f"no room for a {finding.kind.value} in a breast on this image; use a larger image"
    )
