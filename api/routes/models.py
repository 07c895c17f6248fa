"""``GET /v1/models...``: what the registry knows, for clients (no credential needed).

A viewer shows which model answered, what it was trained on and how well it does; these routes
give it that: models, versions (by number or alias, e.g. ``production``), model cards and the
audit log.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api.auth import ACCESS_PROBLEMS, require_scope
from api.deps import RegistryDep
from api.model_schemas import ModelDetail, VersionPublic
from api.problems import problem_responses
from api.registry_paths import ModelNamePath, VersionPath
from registry import AuditEntry, ModelCard, RegisteredModel
from registry.card.render import to_html, to_markdown

__all__ = ["router"]

router = APIRouter(prefix="/v1/models", tags=["models"], responses=ACCESS_PROBLEMS)

_READ = [Depends(require_scope("models:read"))]
_AUDIT = [Depends(require_scope("audit:read"))]
_NOT_FOUND = problem_responses({404: "No such model, version or alias"})


class CardFormat(StrEnum):
    """How a model card is answered."""

    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


@router.get(
    "",
    response_model=list[RegisteredModel],
    summary="Every registered model",
    dependencies=_READ,
)
def list_models(registry: RegistryDep) -> list[RegisteredModel]:
    """Registered models with their task, aliases and latest version number."""
    return registry.list_models()


@router.get(
    "/{name}",
    response_model=ModelDetail,
    summary="A model with its aliases and versions",
    responses=_NOT_FOUND,
    dependencies=_READ,
)
def get_model(name: ModelNamePath, registry: RegistryDep) -> ModelDetail:
    """The model, where each alias points, and every version (oldest first)."""
    return ModelDetail(
        model=registry.get_model(name),
        versions=[VersionPublic.of(v) for v in registry.list_versions(name)],
    )


@router.get(
    "/{name}/versions/{version}",
    response_model=VersionPublic,
    summary="One version, by number or alias",
    responses=_NOT_FOUND,
    dependencies=_READ,
)
def get_version(name: ModelNamePath, version: VersionPath, registry: RegistryDep) -> VersionPublic:
    """The artifact (BentoML tag and sha256), training summary, evaluations, calibration and
    OOD detector of a version; ``version`` may be an alias such as ``production``."""
    return VersionPublic.of(registry.get_version(name, version))


@router.get(
    "/{name}/versions/{version}/card",
    response_model=ModelCard,
    summary="The model card of a version",
    responses={
        200: {
            "description": "The card as JSON, Markdown or a standalone HTML page",
            "content": {"text/markdown": {}, "text/html": {}},
        },
        **_NOT_FOUND,
    },
    dependencies=_READ,
)
def get_card(
    request: Request,
    name: ModelNamePath,
    version: VersionPath,
    registry: RegistryDep,
    format: Annotated[
        CardFormat | None,
        Query(description="json, markdown or html; default from the Accept header, else json"),
    ] = None,
) -> ModelCard | Response:
    """A complete model card ("Model Cards for Model Reporting" sections, operating points,
    calibration, OOD detection, and a not-for-clinical-use warning for synthetic training
    data)."""
    card = registry.card(name, version)
    chosen = format or _from_accept(request.headers.get("accept", ""))
    if chosen is CardFormat.MARKDOWN:
        return PlainTextResponse(to_markdown(card), media_type="text/markdown; charset=utf-8")
    if chosen is CardFormat.HTML:
        return HTMLResponse(to_html(card))
    return card


def _from_accept(accept: str) -> CardFormat:
    media = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    for kind in media:
        if kind == "text/html":
            return CardFormat.HTML
        if kind == "text/markdown":
            return CardFormat.MARKDOWN
        if kind in ("application/json", "*/*"):
            return CardFormat.JSON
    return CardFormat.JSON


@router.get(
    "/{name}/audit",
    response_model=list[AuditEntry],
    summary="The audit log of a model",
    responses=_NOT_FOUND,
    dependencies=_AUDIT,
)
def get_audit(
    name: ModelNamePath,
    registry: RegistryDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="newest entries returned")] = 100,
) -> list[AuditEntry]:
    """Every registration, alias move, rollback, card edit and attached record, oldest first,
    with actor, time, reason, and the state before and after."""
    registry.get_model(name)  # 404 for a model that never existed
    return registry.audit(name, limit)
