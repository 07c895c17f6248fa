"""Writes to ``/v1/models...``: register from an archive, move and roll back aliases, edit
model cards. Each needs a bearer token with the route's scope and is audited under the token's
actor; promotion gates refuse with 409 and list every unmet gate.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from api.auth import ACCESS_PROBLEMS, require_scope
from api.deps import RegistryDep, SettingsDep
from api.model_schemas import (
    AliasMovePublic,
    AliasMoveRequest,
    CardEditRequest,
    RollbackRequest,
    VersionPublic,
)
from api.problems import problem_responses
from api.registry_paths import AliasPath, ModelNamePath, VersionPath
from api.upload import ARCHIVE_MEDIA_TYPES, Upload, read_limited
from registry import Principal

__all__ = ["router"]

router = APIRouter(prefix="/v1/models", tags=["models"], responses=ACCESS_PROBLEMS)

Writer = Annotated[Principal, Depends(require_scope("models:write"))]
Promoter = Annotated[Principal, Depends(require_scope("models:promote"))]
_AUTH = {401: "No, unknown or revoked bearer token", 403: "The token lacks the scope"}
_ARCHIVE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        **{
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in ARCHIVE_MEDIA_TYPES
        },
    },
}


async def _archive(request: Request, settings: SettingsDep) -> Upload:
    return await read_limited(request, settings.max_upload_bytes, ARCHIVE_MEDIA_TYPES)


@router.post(
    "/{name}/versions",
    response_model=VersionPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Register a version from an export archive",
    openapi_extra={"requestBody": _ARCHIVE_BODY},
    responses=problem_responses(
        {
            **_AUTH,
            400: "Not an export archive, or its files do not match its manifest",
            409: "The model exists with the other task",
            413: "Archive larger than the upload limit",
        }
    ),
)
def register_archive(
    name: ModelNamePath,
    principal: Writer,
    registry: RegistryDep,
    archive: Annotated[Upload, Depends(_archive)],
    reason: Annotated[str, Query(description="why (audited)")] = "",
) -> VersionPublic:
    """Register the version in a ``mammocad registry export`` archive as the next version of
    ``name``, with its evaluations, calibration, OOD detector and card."""
    with tempfile.TemporaryDirectory(prefix="mammocad-upload-") as scratch:
        path = Path(scratch) / "version.tar.gz"
        path.write_bytes(archive.data)
        version = registry.import_version(path, actor=principal.actor, name=name, reason=reason)
    return VersionPublic.of(version)


@router.put(
    "/{name}/aliases/{alias}",
    response_model=AliasMovePublic,
    summary="Point an alias at a version (promotion)",
    responses=problem_responses(
        {
            **_AUTH,
            400: "A body that is not JSON, or force without a reason",
            404: "No such model or version",
            409: "Promotion refused: unmet_gates lists every reason",
        }
    ),
)
def move_alias(
    name: ModelNamePath,
    alias: AliasPath,
    body: AliasMoveRequest,
    principal: Promoter,
    registry: RegistryDep,
) -> AliasMovePublic:
    """Moving ``production`` passes the promotion gates first (complete card, calibration, OOD
    detector, an evaluation, metrics no worse than production's); other aliases move freely."""
    move = registry.set_alias(
        name, alias, body.version, actor=principal.actor, reason=body.reason, force=body.force
    )
    return AliasMovePublic.of(move)


@router.post(
    "/{name}/aliases/{alias}/rollback",
    response_model=AliasMovePublic,
    summary="Move an alias back to its previous version",
    responses=problem_responses(
        {
            **_AUTH,
            400: "A body that is not JSON",
            404: "No such model",
            409: "The alias has no earlier version, or that version's artifact no longer opens",
        }
    ),
)
def rollback_alias(
    name: ModelNamePath,
    alias: AliasPath,
    body: RollbackRequest,
    principal: Promoter,
    registry: RegistryDep,
) -> AliasMovePublic:
    """The previous version comes from the audit log; the rollback itself is audited."""
    return AliasMovePublic.of(
        registry.rollback(name, alias, actor=principal.actor, reason=body.reason)
    )


@router.patch(
    "/{name}/versions/{version}/card",
    response_model=VersionPublic,
    summary="Edit the authored sections of a model card",
    responses=problem_responses(
        {**_AUTH, 400: "A body that is not JSON", 404: "No such model, version or alias"}
    ),
)
def edit_card(
    name: ModelNamePath,
    version: VersionPath,
    body: CardEditRequest,
    principal: Writer,
    registry: RegistryDep,
) -> VersionPublic:
    """Replace the sections given in ``changes`` (owners, intended users, out-of-scope uses,
    factors, ethical considerations, caveats, license); audited with before and after."""
    updated = registry.edit_card(
        name, version, body.changes, actor=principal.actor, reason=body.reason
    )
    return VersionPublic.of(updated)
