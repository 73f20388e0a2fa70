"""Answers out: the OpenAI-compatible (/v1), REST (/api, docs at /docs) and MCP (/mcp) doors,
served by the page's own FastAPI app so they share its Assistant, queue and limits.

    doors = mount(app, lambda: get_assistant(settings), settings=settings, gate=gate)

`mount` adds the routes to an app that has not started yet; an app that is made and started
in one call (Gradio's `launch`) takes `lifespan(...)` instead, which adds them as it starts.
See docs/api.md."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from index import Settings

from ..answering import Assistant
from ..gate import AnswerGate, QueueFull
from . import mcp, openai, rest
from .auth import exposure_warning
from .common import Doors

__all__ = ["AnswerGate", "Doors", "QueueFull", "exposure_warning", "lifespan", "mount"]

OPENAPI_URL = "/api/openapi.json"


def _add_routes(app: FastAPI, doors: Doors):
    """Add every door's routes to `app`; returns the MCP server, whose session manager must run."""
    routers = [openai.router(doors), rest.router(doors)]
    for router in routers:
        app.include_router(router)
    schema = get_openapi(title="News assistant API", version="1", routes=[r for x in routers for r in x.routes],
                         description="Cited answers from the articles: OpenAI-compatible chat (/v1), REST (/api). "
                                     "MCP is served at /mcp (streamable HTTP). See docs/api.md.")

    @app.get(OPENAPI_URL, include_in_schema=False)
    async def openapi_schema() -> JSONResponse:
        return JSONResponse(schema)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=OPENAPI_URL, title="News assistant API")

    server = mcp.build_server(doors)
    mcp_app = mcp.http_app(server, doors)  # its own route at /mcp, reached through the key and size checks
    app.router.routes.append(Route("/mcp", endpoint=mcp.Guard(mcp_app, doors.settings)))
    return server


def mount(app: FastAPI, assistant: Callable[[], Assistant], *, settings: Settings, gate: AnswerGate) -> Doors:
    """Serve the doors from `app` (not started yet): routes now, the MCP sessions in its lifespan."""
    doors = Doors(assistant=assistant, settings=settings, gate=gate)
    server = _add_routes(app, doors)
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def with_mcp(host):
        async with previous(host) as state, server.session_manager.run():
            yield state

    app.router.lifespan_context = with_mcp
    return doors


def lifespan(assistant: Callable[[], Assistant], *, settings: Settings, gate: AnswerGate):
    """A lifespan for an app made and started in one call (`gr.Blocks.launch(app_kwargs={"lifespan": ...})`):
    the doors are added as the app starts, before it serves a request."""
    @asynccontextmanager
    async def serve_doors(app: FastAPI) -> AsyncIterator[None]:
        server = _add_routes(app, Doors(assistant=assistant, settings=settings, gate=gate))
        async with server.session_manager.run():
            yield

    return serve_doors
