"""Open any data set from one string, the SPEC, so that commands, configs and training metadata
name data the same way.

Grammar (whitespace around parts is ignored)::

    SPEC    := SCHEME ":" ARGUMENT

    minimias:DIR                  mini-MIAS folder in its original format (mdbNNN.pgm + Info.txt)
    manifest:FILE                 generic CSV manifest (see mammocad.datasets.manifest)
    synthetic:N[,KEY=VALUE]...    N synthetic patients (N >= 1), generated once then cached; keys:
        seed=INT                  generator seed, >= 0 (default 0)
        vendor=NAME[+NAME]...     vendor profiles to draw images from (default reference)
        size=ROWSxCOLS            image height x width in pixels (default 1024x768)
        format=dicom|png          image file format (default dicom)

Examples: ``minimias:../shared/datasets/mini-mias-dev``, ``manifest:site/labels.csv``,
``synthetic:50,seed=3,vendor=reference+vendor_b,size=512x384,format=png``.

The scheme is everything before the FIRST colon, so paths may contain colons. New sources
(CBIS-DDSM, VinDr-Mammo) are added as one entry of :data:`SCHEMES`; the parser does not change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mammocad.datasets.manifest import read_manifest
from mammocad.datasets.minimias import load_minimias
from mammocad.datasets.records import DataSet
from mammocad.datasets.synthetic import IMAGE_FORMATS, load_synthetic
from mammocad.errors import InvalidInputError

__all__ = ["SCHEMES", "Scheme", "load_dataset", "spec_help"]

SchemeLoader = Callable[[str, Path | None], DataSet]
"""Opens the ARGUMENT part of a SPEC; the second parameter is the cache root (or None)."""


@dataclass(frozen=True)
class Scheme:
    """One kind of data source: how to open it and how to explain it in help and errors."""

    usage: str
    summary: str
    load: SchemeLoader


def load_dataset(spec: str, *, cache_root: Path | None = None) -> DataSet:
    """Open the data set a SPEC names (grammar in the module docstring).

    Raises:
        InvalidInputError: unknown scheme or malformed argument; the message names the bad part
            and lists the valid schemes or options.
        NotFoundError: the file or folder the SPEC names does not exist.
    """
    scheme_name, colon, argument = spec.partition(":")
    scheme_name, argument = scheme_name.strip(), argument.strip()
    scheme = SCHEMES.get(scheme_name) if colon else None
    if scheme is None:
        raise InvalidInputError(
            f"data set {spec!r}: unknown scheme {scheme_name!r}; a SPEC is SCHEME:ARGUMENT with "
            f"SCHEME one of {', '.join(SCHEMES)}"
        )
    if not argument:
        raise InvalidInputError(
            f"data set {spec!r}: nothing after '{scheme_name}:'; usage: {scheme.usage}"
        )
    return scheme.load(argument, cache_root)


def spec_help() -> str:
    """One line per scheme, ``usage: summary``, for command-line help."""
    return "\n".join(f"{scheme.usage}: {scheme.summary}" for scheme in SCHEMES.values())


def _load_minimias(argument: str, _cache_root: Path | None) -> DataSet:
    return load_minimias(Path(argument).expanduser())


def _load_manifest(argument: str, _cache_root: Path | None) -> DataSet:
    return read_manifest(Path(argument).expanduser())


def _load_synthetic(argument: str, cache_root: Path | None) -> DataSet:
    count, *options = (part.strip() for part in argument.split(","))
    if not re.fullmatch(r"\d+", count) or int(count) < 1:
        raise InvalidInputError(
            f"synthetic:{argument}: {count!r} is not a number of patients >= 1; "
            f"usage: {SCHEMES['synthetic'].usage}"
        )
    kwargs: dict[str, Any] = {}
    for option in options:
        key, equals, value = (part.strip() for part in option.partition("="))
        if key not in _SYNTHETIC_OPTIONS:
            raise InvalidInputError(
                f"synthetic:{argument}: unknown option {option!r}; "
                f"valid options: {', '.join(f'{k}=' for k in _SYNTHETIC_OPTIONS)}"
            )
        parameter, parse, expected = _SYNTHETIC_OPTIONS[key]
        if parameter in kwargs:
            raise InvalidInputError(f"synthetic:{argument}: option {key!r} given twice")
        parsed = parse(value) if equals else None
        if parsed is None:
            raise InvalidInputError(
                f"synthetic:{argument}: bad option {option!r}; expected {key}={expected}"
            )
        kwargs[parameter] = parsed
    return load_synthetic(int(count), cache_root=cache_root, **kwargs)


def _parse_seed(value: str) -> int | None:
    return int(value) if re.fullmatch(r"\d+", value) else None


def _parse_vendors(value: str) -> tuple[str, ...] | None:
    vendors = tuple(v.strip() for v in value.split("+"))
    return vendors if all(re.fullmatch(r"[A-Za-z0-9_.-]+", v) for v in vendors) else None


def _parse_size(value: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d+)x(\d+)", value)
    if match is None or min(int(g) for g in match.groups()) < 1:
        return None
    return int(match.group(1)), int(match.group(2))


def _parse_format(value: str) -> str | None:
    return value if value in IMAGE_FORMATS else None


_SYNTHETIC_OPTIONS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "seed": ("seed", _parse_seed, "INT >= 0"),
    "vendor": ("vendors", _parse_vendors, "NAME[+NAME]..."),
    "size": ("shape", _parse_size, "ROWSxCOLS (positive integers)"),
    "format": ("image_format", _parse_format, "|".join(IMAGE_FORMATS)),
}
"""Option key -> (load_synthetic parameter, parser returning None when malformed, expected form)."""

SCHEMES: dict[str, Scheme] = {
    "minimias": Scheme(
        "minimias:DIR",
        "mini-MIAS folder, original format (mdbNNN.pgm + Info.txt)",
        _load_minimias,
    ),
    "manifest": Scheme("manifest:FILE", "generic CSV manifest", _load_manifest),
    "synthetic": Scheme(
        "synthetic:N[,seed=S][,vendor=A+B][,size=ROWSxCOLS][,format=dicom|png]",
        "N synthetic patients, generated once then cached; seed: generator seed (default 0), "
        "vendor: vendor profiles (default reference), size: height x width in pixels "
        "(default 1024x768), format: image files (default dicom)",
        _load_synthetic,
    ),
}
"""Scheme name -> source. Register a new adapter by adding an entry."""
