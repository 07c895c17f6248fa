"""``GET /metrics``: the gateway's Prometheus metrics, for the operator's scraper.

Left out of the OpenAPI spec: it is an operations endpoint in Prometheus' own format, not part of
the API that client generators build on.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client.exposition import choose_encoder

from api.metrics import GatewayMetrics

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text format, or OpenMetrics when the scraper's ``Accept`` asks for it."""
    collected: GatewayMetrics = request.app.state.metrics
    encode, media_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(collected.registry), media_type=media_type)
