"""The hub's HTTP application: every dialect's router on one app, the buyer endpoints also
served by a fast path, and the request observer in front, handing each request to one of them."""

from __future__ import annotations

from fastapi import FastAPI, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from simgate.core.bodylimit import BodyLimit
from simgate.dialects.common.dispatch import Dispatcher
from simgate.dialects.common.endpoint import Endpoint
from simgate.dialects.delivery.router import router as delivery_router
from simgate.dialects.onlinesim import router as onlinesim
from simgate.dialects.onlinesim import sandbox
from simgate.dialects.onlinesim.auth_routes import router as auth_router
from simgate.dialects.smsactivate import router as smsactivate
from simgate.dialects.smshub.router import router as smshub_router
from simgate.hub.apidoc import pages as apidoc
from simgate.hub.context import HubContext
from simgate.hub.fastpath import HEALTHY, FastPath
from simgate.hub.observability import RequestObserver, metrics_page, ready_page
from simgate.web.router import install as install_web

BUYER_METHODS = ["GET", "POST"]


def _buyer_route(app: FastAPI, path: str, endpoint: ASGIApp) -> None:
    """A route to a bare ASGI endpoint (Starlette hands it the raw scope, path_params set)."""
    app.router.routes.append(Route(path, endpoint, methods=BUYER_METHODS, include_in_schema=False))


class HubApp(FastAPI):
    """FastAPI with the request observer and the buyer fast path in front of its routing."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await (self.front or self.framework)(scope, receive, send)

    async def framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The framework alone: its middleware, routes and handlers."""
        await super().__call__(scope, receive, send)


def create_app(ctx: HubContext) -> HubApp:
    """Build the app; `ctx` is reachable from framework handlers as request.app.state.ctx."""
    app = HubApp(title="simgate hub", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ctx = ctx
    app.add_middleware(BodyLimit, max_bytes=ctx.settings.max_body_bytes)
    buyers = Dispatcher(onlinesim.DIALECT, ctx)
    handler_api = Dispatcher(smsactivate.DIALECT, ctx)
    demo = sandbox.Sandbox(ctx.settings.max_body_bytes)
    app.include_router(smshub_router)
    # The buyer routes stay on the framework too: the fast path takes their GET and POST,
    # the framework answers the rest (HEAD, or 405 for a method neither serves).
    _buyer_route(app, sandbox.PATH, demo)
    app.include_router(auth_router)
    _buyer_route(app, onlinesim.PATH, Endpoint(buyers))
    for path in smsactivate.PATHS:
        _buyer_route(app, path, Endpoint(handler_api))
    app.include_router(delivery_router)

    install_web(app, ctx)
    apidoc.install(app)

    @app.get("/health", include_in_schema=False)
    async def health() -> Response:
        return Response(HEALTHY.body, media_type="application/json")

    app.add_api_route("/ready", ready_page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/metrics", metrics_page, methods=["GET"], include_in_schema=False)
    fast = FastPath(buyers, handler_api, smsactivate.PATHS, demo.serve)
    app.front = RequestObserver(fast, app.framework)
    return app
