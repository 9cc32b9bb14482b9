"""`/openapi.json` and `/docs` (Swagger UI from files shipped in the package, no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from simgate.core import jsonutil
from simgate.hub.apidoc import document
from simgate.web.pages import SECURITY_HEADERS

STATIC = Path(__file__).parent / "static"
ASSETS = "/docs/assets"
PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>simgate hub API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="{ASSETS}/docs-init.js"></script>
</body>
</html>
"""
# The cabinet's policy, but the document may be cached: it changes only with the code.
HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}


def install(app: FastAPI) -> None:
    """Serve the document (built once: it depends on the code only) and its viewer."""
    body = jsonutil.dumps(document.build())

    async def openapi_json(request: Request) -> Response:
        return Response(body, media_type="application/json", headers={"Cache-Control": "no-cache"})

    async def docs_page(request: Request) -> Response:
        return HTMLResponse(PAGE, headers=HEADERS)

    app.add_api_route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
    app.add_api_route("/docs", docs_page, methods=["GET"], include_in_schema=False)
    app.mount(ASSETS, StaticFiles(directory=STATIC), name="apidoc-static")
