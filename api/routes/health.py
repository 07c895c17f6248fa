"""Liveness of the gateway process."""

from __future__ import annotations

from fastapi import APIRouter

import mammocad
from api.schemas import Liveness

__all__ = ["router"]

router = APIRouter(prefix="/v1/health", tags=["health"])


@router.get("/live", response_model=Liveness, summary="Is the gateway process up?")
def live() -> Liveness:
    """Answers as long as the process serves HTTP; says nothing about models."""
    return Liveness(version=mammocad.__version__)
