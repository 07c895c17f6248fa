"""Findings: what a breast has (drawn once per breast) and how one looks (rendered per view).

A :class:`FindingSpec` fixes the kind, severity, physical size, position in breast coordinates
and a shape seed, so the CC and MLO views of one breast show the same lesion in corresponding
places. :func:`render_finding` turns a spec into a :class:`Stamp`, a small window around the
lesion; placing it is the caller's job.

Appearance follows the radiology: benign-like circumscribed masses are smooth round or oval
densities with a sharp margin; malignant-like spiculated masses have an irregular core with
lines radiating out; benign calcifications are few, larger and round; malignant ones many, tiny,
pleomorphic and tightly clustered.

Ground-truth boxes are the tight box of every pixel the finding changes (anti-aliased edges
included): for spiculated masses that is the core PLUS its spicules, for calcifications the whole
cluster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mammocad.synthetic.tissue import GLAND
from mammocad.vocabulary import Label, LesionKind

__all__ = ["FindingSpec", "Stamp", "draw_findings", "render_finding"]

_REPLACEMENT = 0.8
"""Share of the normal tissue under a mass that the (denser) mass tissue displaces: makes a mass
stand out on fat as well as on glandular tissue."""
_MASS_SHARE = 0.6
"""Share of masses (the rest: calcification clusters) among a breast's main findings."""


@dataclass(frozen=True)
class FindingSpec:
    """One finding of one breast, independent of view and image size.

    Attributes:
        kind: circumscribed mass, spiculated mass or calcification cluster.
        severity: benign or malignant.
        size_mm: mass diameter (core diameter for spiculated masses) or cluster extent.
        depth: position from chest wall (0) to skin (1) along the nipple direction.
        across: position from the upper (-1) to the lower (1) part of the breast.
        shape_seed: seeds the irregular outline, spicules and specks, shared by both views.
    """

    kind: LesionKind
    severity: Label
    size_mm: float
    depth: float
    across: float
    shape_seed: int


@dataclass(frozen=True)
class Stamp:
    """A rendered finding, cropped to the pixels it changes, before placement.

    Its window IS the ground-truth box: every row and column of it is touched by the finding.

    Attributes:
        body: coverage in [0, 1] by dense lesion tissue (masses; zero for calcifications).
        extra: tissue value added on top (spicules, calcium specks).
        contrast: how much denser than the densest normal tissue the mass tissue is.
    """

    body: np.ndarray
    extra: np.ndarray
    contrast: float

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the window."""
        rows, cols = self.body.shape
        return rows, cols

    def apply(self, tissue: np.ndarray, thickness: np.ndarray, top: int, left: int) -> None:
        """Composite into ``tissue`` (in place) with the window's top-left corner at (top, left).

        Mass tissue, ``contrast`` denser than the densest normal tissue, displaces most of the
        tissue under it, so a mass shows on fat and on glandular tissue alike.
        """
        rows, cols = self.body.shape
        window = tissue[top : top + rows, left : left + cols]
        thick = thickness[top : top + rows, left : left + cols]
        mass = np.float32(self.contrast + GLAND) * thick
        window += self.body * np.float32(_REPLACEMENT) * (mass - window)
        window += self.extra


def draw_findings(label: Label, rng: np.random.Generator) -> tuple[FindingSpec, ...]:
    """Findings of a breast whose worst finding is ``label`` (none for a normal breast).

    A benign breast has one benign finding; a malignant breast one malignant finding; either
    gets a second, benign finding one time in five, as real breasts often carry both.
    """
    if label is Label.NORMAL:
        return ()
    mass = LesionKind.SPICULATED_MASS if label is Label.MALIGNANT else LesionKind.CIRCUMSCRIBED_MASS
    kinds = [mass if rng.random() < _MASS_SHARE else LesionKind.CALCIFICATION]
    severities = [label]
    if rng.random() < 0.2:
        kinds.append(
            LesionKind.CIRCUMSCRIBED_MASS if rng.random() < 0.5 else LesionKind.CALCIFICATION
        )
        severities.append(Label.BENIGN)
    return tuple(
        FindingSpec(
            kind=kind,
            severity=severity,
            size_mm=_draw_size(kind, severity, rng),
            depth=float(rng.uniform(0.25, 0.75)),
            across=float(rng.uniform(-0.8, 0.8)),
            shape_seed=int(rng.integers(2**31)),
        )
        for kind, severity in zip(kinds, severities, strict=True)
    )


def render_finding(spec: FindingSpec, spacing_mm: float, scale: float = 1.0) -> Stamp:
    """Render ``spec`` at ``spacing_mm`` per pixel, ``scale`` times its nominal size (the caller
    shrinks a finding that does not fit the breast)."""
    rng = np.random.default_rng(spec.shape_seed)
    size_px = spec.size_mm * scale / spacing_mm
    if spec.kind is LesionKind.CIRCUMSCRIBED_MASS:
        return _circumscribed_mass(size_px, rng)
    if spec.kind is LesionKind.SPICULATED_MASS:
        return _spiculated_mass(size_px, spacing_mm, rng)
    return _calcification_cluster(size_px, spacing_mm, spec.severity, rng)


def _draw_size(kind: LesionKind, severity: Label, rng: np.random.Generator) -> float:
    if kind is LesionKind.CIRCUMSCRIBED_MASS:
        return float(rng.uniform(8.0, 25.0))
    if kind is LesionKind.SPICULATED_MASS:
        return float(rng.uniform(8.0, 20.0))
    low, high = (6.0, 15.0) if severity is Label.BENIGN else (4.0, 10.0)
    return float(rng.uniform(low, high))


def _grid(half: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre offsets (dy, dx) from the window centre, which is a pixel corner."""
    axis = np.arange(2 * half, dtype=np.float32) + np.float32(0.5 - half)
    return axis[:, None], axis[None, :]


def _ellipse_radius(
    dy: np.ndarray, dx: np.ndarray, major: float, minor: float, angle: float
) -> np.ndarray:
    """Normalised radius (1 on the outline) of points in an ellipse turned by ``angle``."""
    cos, sin = np.float32(math.cos(angle)), np.float32(math.sin(angle))
    return np.hypot(
        (dx * cos + dy * sin) / np.float32(major), (dy * cos - dx * sin) / np.float32(minor)
    )


def _coverage(inside_px: np.ndarray) -> np.ndarray:
    """Anti-aliased coverage from a signed distance in pixels (positive inside)."""
    return np.clip(inside_px + np.float32(0.5), 0, 1)


def _circumscribed_mass(diameter_px: float, rng: np.random.Generator) -> Stamp:
    major = max(diameter_px / 2, 1.5)
    minor = major * float(rng.uniform(0.7, 1.0))
    angle = float(rng.uniform(0, np.pi))
    half = math.ceil(major) + 2
    dy, dx = _grid(half)
    rho = _ellipse_radius(dy, dx, major, minor, angle)
    dome = np.sqrt(np.clip(1 - rho * rho, 0, 1))
    body = _coverage((1 - rho) * np.float32(minor)) * (np.float32(0.55) + np.float32(0.45) * dome)
    return _stamp(body, np.zeros_like(body), float(rng.uniform(0.09, 0.14)))


def _spiculated_mass(diameter_px: float, spacing_mm: float, rng: np.random.Generator) -> Stamp:
    core = max(diameter_px / 2, 1.5)
    orders = np.arange(2, 13)
    amplitudes = rng.uniform(0, 0.25, orders.size) / orders**0.7
    amplitudes *= min(1.0, 0.45 / amplitudes.sum())  # keep the outline star-shaped
    phases = rng.uniform(0, 2 * np.pi, orders.size)
    contrast = float(rng.uniform(0.1, 0.15))

    def outline(phi: np.ndarray) -> np.ndarray:
        ripple = sum(
            a * np.cos(k * phi + p) for k, a, p in zip(orders, amplitudes, phases, strict=True)
        )
        boundary: np.ndarray = core * (1 + ripple)
        return boundary.astype(np.float32)

    count = int(rng.integers(8, 19))
    directions = 2 * np.pi * (np.arange(count) + rng.uniform(-0.3, 0.3, count)) / count
    directions += rng.uniform(0, 2 * np.pi)
    lengths = core * rng.uniform(1.0, 2.5, count)
    widths = np.maximum(rng.uniform(0.3, 0.7, count) / spacing_mm, 0.7)
    strengths = contrast * rng.uniform(0.6, 1.0, count)

    half = math.ceil(core * (1 + amplitudes.sum()) + lengths.max()) + 2
    dy, dx = _grid(half)
    radius = np.hypot(dx, dy)
    edge = outline(np.arctan2(dy, dx))
    dome = np.sqrt(np.clip(1 - (radius / edge) ** 2, 0, 1))
    cover = np.clip((edge - radius) / np.float32(2.5) + np.float32(0.5), 0, 1)
    body = cover * (np.float32(0.6) + np.float32(0.4) * dome)
    extra = np.zeros_like(body)
    for direction, length, width, strength in zip(
        directions, lengths, widths, strengths, strict=True
    ):
        unit = np.array([math.cos(direction), math.sin(direction)], dtype=np.float32)
        root = float(outline(np.array([direction]))[0])
        start, stop = 0.9 * root, root + length
        along = np.clip((dx * unit[0] + dy * unit[1] - start) / (stop - start), 0, 1)
        span = np.float32(start) + along * np.float32(stop - start)
        off = np.hypot(dx - span * unit[0], dy - span * unit[1])
        taper = 1 - along
        line = (
            np.float32(strength)
            * taper
            * _coverage(np.float32(width) * (np.float32(0.3) + np.float32(0.7) * taper) - off)
        )
        np.maximum(extra, line, out=extra)
    extra *= 1 - cover  # spicules leave the core, they do not streak across it
    return _stamp(body, extra, contrast)


def _calcification_cluster(
    extent_px: float, spacing_mm: float, severity: Label, rng: np.random.Generator
) -> Stamp:
    if severity is Label.BENIGN:  # few, larger, round, loosely spread
        count, radius_mm, roundness, spread = int(rng.integers(3, 7)), (0.4, 0.9), (0.8, 1.0), 4
    else:  # many, tiny, pleomorphic, tight
        count, radius_mm, roundness, spread = int(rng.integers(10, 26)), (0.1, 0.3), (0.3, 1.0), 5
    reach = max(extent_px / 2, 2.0)
    offsets = np.clip(rng.normal(0, reach * 2 / spread, (count, 2)), -reach, reach)
    radii = np.maximum(rng.uniform(*radius_mm, count) / spacing_mm, 0.6)
    ratios = rng.uniform(*roundness, count)
    angles = rng.uniform(0, np.pi, count)
    strengths = rng.uniform(0.2, 0.3, count)

    half = math.ceil(reach + radii.max()) + 2
    extra = np.zeros((2 * half, 2 * half), dtype=np.float32)
    for (oy, ox), radius, ratio, angle, strength in zip(
        offsets, radii, ratios, angles, strengths, strict=True
    ):
        # Render each speck in its own small window: a cluster is mostly empty space.
        cy, cx = half + oy, half + ox
        r0, c0 = max(int(cy - radius) - 2, 0), max(int(cx - radius) - 2, 0)
        r1, c1 = min(int(cy + radius) + 3, 2 * half), min(int(cx + radius) + 3, 2 * half)
        dy = (np.arange(r0, r1, dtype=np.float32) + np.float32(0.5 - cy))[:, None]
        dx = (np.arange(c0, c1, dtype=np.float32) + np.float32(0.5 - cx))[None, :]
        minor = radius * ratio
        rho = _ellipse_radius(dy, dx, radius, minor, angle)
        dome = np.sqrt(np.clip(1 - rho * rho, 0, 1))
        speck = (
            np.float32(strength)
            * _coverage((1 - rho) * np.float32(minor))
            * (np.float32(0.7) + np.float32(0.3) * dome)
        )
        np.maximum(extra[r0:r1, c0:c1], speck, out=extra[r0:r1, c0:c1])
    return _stamp(np.zeros_like(extra), extra, 0.0)


def _stamp(body: np.ndarray, extra: np.ndarray, contrast: float) -> Stamp:
    touched = (body > 0) | (extra > 0)
    rows, cols = np.flatnonzero(touched.any(axis=1)), np.flatnonzero(touched.any(axis=0))
    crop = np.s_[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return Stamp(
        body=np.ascontiguousarray(body[crop], dtype=np.float32),
        extra=np.ascontiguousarray(extra[crop], dtype=np.float32),
        contrast=contrast,
    )
