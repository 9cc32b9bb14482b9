"""The hub's HTTP application: every dialect's router on one app."""

from __future__ import annotations

from fastapi import FastAPI, Response

from simgate.core.bodylimit import BodyLimit
from simgate.dialects.delivery.router import router as delivery_router
from simgate.dialects.onlinesim.auth_routes import router as auth_router
from simgate.dialects.onlinesim.router import router as onlinesim_router
from simgate.dialects.onlinesim.sandbox import router as sandbox_router
from simgate.dialects.smsactivate.router import router as smsactivate_router
from simgate.dialects.smshub.router import router as smshub_router
from simgate.hub.apidoc import pages as apidoc
from simgate.hub.context import HubContext
from simgate.hub.observability import RequestObserver, metrics_page, ready_page
from simgate.web.router import install as install_web

HEALTHY = b'{"status":"ok"}'


def create_app(ctx: HubContext) -> FastAPI:
    """Build the app; `ctx` is reachable from handlers as request.app.state.ctx."""
    app = FastAPI(title="simgate hub", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ctx = ctx
    app.add_middleware(BodyLimit, max_bytes=ctx.settings.max_body_bytes)
    # Added last, so it is outermost: it times and logs the whole answer, refusals included.
    app.add_middleware(RequestObserver)
    app.include_router(smshub_router)
    app.include_router(sandbox_router)
    app.include_router(auth_router)
    app.include_router(onlinesim_router)
    app.include_router(smsactivate_router)
    app.include_router(delivery_router)

    install_web(app, ctx)
    apidoc.install(app)

    @app.get("/health", include_in_schema=False)
    async def health() -> Response:
        return Response(HEALTHY, media_type="application/json")

    app.add_api_route("/ready", ready_page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/metrics", metrics_page, methods=["GET"], include_in_schema=False)
    return app
