"""Path parameters of the ``/v1/models`` routes, with the registry's own rules for names and
version references, so that the spec says which values can exist (a name that breaks them is a
422 before the registry is asked, never a surprise 400)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from registry import NAME_PATTERN

__all__ = ["AliasPath", "ModelNamePath", "VersionPath"]

ModelNamePath = Annotated[
    str,
    Path(pattern=NAME_PATTERN, description="a registered model's name", examples=["classifier"]),
]
AliasPath = Annotated[
    str,
    Path(
        pattern=NAME_PATTERN,
        description="an alias, e.g. production or staging",
        examples=["production"],
    ),
]
VersionPath = Annotated[
    str,
    Path(
        pattern=r"^([1-9][0-9]{0,8}|[a-z][a-z0-9_-]{0,62})$",
        description="a version number, or an alias such as production",
        examples=["1"],
    ),
]
