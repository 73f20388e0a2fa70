"""The MCP door (the official `mcp` SDK, 2.x: `MCPServer`): tools search_articles,
answer_question, get_article and list_articles, and a resource article://{id}. Served at /mcp
(streamable HTTP) by the app and on stdio by `assistant mcp` for desktop clients.

A tool's failure the caller can fix (a bad date, an unknown article, a full queue) comes back
as a tool error (`isError`) with a plain message; a missing key on /mcp is an HTTP 401 whose
body is a JSON-RPC error."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp_types import CallToolResult, TextContent
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from . import common
from .auth import key_accepted
from .catalog import article_record, listed_articles
from .common import DoorError, Doors
from .sources import citation_dicts, message_text

INSTRUCTIONS = ("Answers questions about a collection of news articles. Every sentence of an answer cites the "
                "exact article sentences it comes from ([n] markers and a Sources list). Use answer_question for "
                "a cited answer, search_articles for raw passages, list_articles / get_article to read articles.")


async def _run(call):
    """Await `call()`; any failure becomes a tool error with the message a user can act on."""
    try:
        return await call()
    except Exception as error:  # noqa: BLE001 (reported to the caller as a tool error, logged if unexpected)
        raise ToolError(common.door_error(error).message) from None


def build_server(doors: Doors) -> MCPServer:
    server = MCPServer("news-assistant", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool()
    async def search_articles(query: str, k: int = 5, source: str | list[str] | None = None,
                              since: str | None = None, until: str | None = None) -> dict[str, Any]:
        """The passages that best match `query` (hybrid search), with article ids and character offsets.
        Filters: `source` (an outlet or a list), `since` / `until` (published dates, YYYY-MM-DD)."""
        async def call():
            return {"results": await common.search(doors, query, k, source, since, until)}
        return await _run(call)

    @server.tool()
    async def answer_question(question: str, history: list[tuple[str, str]] | None = None) -> CallToolResult:
        """A short answer whose every sentence cites the articles: the text with [n] markers and a Sources
        list, and the structured citations. `history`: earlier [question, answer] turns, oldest first."""
        async def call():
            turns = history or []
            await common.prepare(doors, question, turns)
            final = await common.answer(doors, question, turns)
            structured = {"text": final.text, "abstained": final.abstained, "question": final.question,
                          "citations": citation_dicts(final)}
            return CallToolResult(content=[TextContent(type="text", text=message_text(final))],
                                  structured_content=structured)
        return await _run(call)

    _article_tools(server, doors)

    @server.resource("article://{article_id}", mime_type="text/plain")
    async def article(article_id: str) -> str:
        """An article's exact stored text."""
        try:
            helper = await anyio.to_thread.run_sync(doors.assistant)
            return (await anyio.to_thread.run_sync(lambda: article_record(helper, article_id)))["text"]
        except DoorError as error:
            if error.status == 404:
                raise ResourceNotFoundError(error.message) from None
            raise ResourceError(error.message) from None
        except Exception as error:  # noqa: BLE001
            raise ResourceError(common.door_error(error).message) from None

    return server


def _article_tools(server: MCPServer, doors: Doors) -> None:
    @server.tool()
    async def get_article(article_id: str) -> dict[str, Any]:
        """One article's exact text (what citation offsets point into) and its metadata."""
        async def call():
            helper = await anyio.to_thread.run_sync(doors.assistant)
            return await anyio.to_thread.run_sync(lambda: article_record(helper, article_id))
        return await _run(call)

    @server.tool()
    async def list_articles(source: str | list[str] | None = None, since: str | None = None,
                            until: str | None = None) -> dict[str, Any]:
        """The indexed articles (id, title, outlet, date, URL), newest first; filter by outlet and date."""
        async def call():
            helper = await anyio.to_thread.run_sync(doors.assistant)
            return {"articles": await anyio.to_thread.run_sync(lambda: listed_articles(helper, source, since, until))}
        return await _run(call)


class Guard:
    """An ASGI wrapper for /mcp: without the key a 401, and a body announced larger than the limit
    a 413, each with a JSON-RPC error as its body (MCP's own form; the SDK counts a chunked body
    itself and answers 413 too)."""

    def __init__(self, app: ASGIApp, settings):
        self.app, self.key, self.cap = app, settings.api_key, settings.api_max_request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        length = headers.get("content-length", "")
        if scope["type"] != "http":
            refused = None
        elif not key_accepted(headers.get("authorization"), self.key):
            refused = (401, -32001, "A valid API key is required: send 'Authorization: Bearer <ASSISTANT_API_KEY>'.")
        elif length.isdigit() and int(length) > self.cap:
            refused = (413, -32600, f"The request body is larger than {self.cap:,} bytes "
                                    "(ASSISTANT_API_MAX_REQUEST_BYTES).")
        else:
            refused = None
        if refused is None:
            await self.app(scope, receive, send)
            return
        status, code, message = refused
        body = {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}
        challenge = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        await JSONResponse(body, status_code=status, headers=challenge)(scope, receive, send)


def http_app(server: MCPServer, doors: Doors, path: str = "/mcp") -> Starlette:
    """The streamable HTTP app for `path`; its session manager must run in the host app's lifespan
    (`server.session_manager.run()`, which `mount` arranges)."""
    return server.streamable_http_app(streamable_http_path=path, host=doors.settings.host,
                                      max_request_body_size=doors.settings.api_max_request_bytes)


def run_stdio(doors: Doors) -> None:
    """Serve on stdin/stdout until the client closes them (what `assistant mcp` runs)."""
    build_server(doors).run("stdio")

