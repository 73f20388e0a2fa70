"""The REST door under /api: answers, passages, articles and re-indexing as plain JSON, with
OpenAPI docs at /docs. Errors are `{"detail": message, "code": ..., "param": ...}` with the
HTTP status that fits (400 a bad request, 401 a missing key, 404 an unknown article, 409 a
build already running, 413 a body too large, 429 a full queue, 503 the index unreachable)."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from index import build_index

from . import common
from .catalog import article_record, listed_articles
from .common import MODES, DoorError, Doors


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt option is an error, not silently ignored
    question: str = Field(min_length=1, description="the question")
    history: list[tuple[str, str]] = Field(default_factory=list,
                                           description="earlier [question, answer] turns, oldest first")
    k: int | None = Field(None, description="passages to answer from (1-50; default ASSISTANT_TOP_K)")
    mode: str | None = Field(None, description=MODES)
    source: str | list[str] | None = Field(None, description="only this outlet, or these")
    since: str | int | None = Field(None, description="published on or after (YYYY-MM-DD or epoch seconds)")
    until: str | int | None = Field(None, description="published on or before (YYYY-MM-DD or epoch seconds)")


class IndexRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full: bool = Field(False, description="re-chunk and rewrite every article instead of syncing")


def error_response(error: DoorError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse({"detail": error.message, "code": error.code, "param": error.param},
                        status_code=error.status, headers=headers)


def router(doors: Doors) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["REST"], route_class=common.door_route(doors, error_response))

    @api.post("/answer", summary="A cited answer (the Answer as JSON, as `answer()` returns it)")
    async def answer(request: AnswerRequest) -> dict:
        options = request.model_dump(exclude={"question", "history"}, exclude_none=True)
        await common.prepare(doors, request.question, request.history, **options)
        final = await common.answer(doors, request.question, request.history, **options)
        return final.as_dict()

    @api.get("/search", summary="The passages that best match a query (hybrid search), with their offsets")
    async def search(q: str = Query(min_length=1, description="the query"), k: int = Query(5, description="1-50"),
                     source: list[str] = Query(default_factory=list, description="only these outlets"),
                     since: str | None = None, until: str | None = None) -> dict:
        return {"query": q, "results": await common.search(doors, q, k, source, since, until)}

    @api.get("/articles", summary="The indexed articles, newest first; filter by outlet and published date")
    async def articles(source: list[str] = Query(default_factory=list, description="only these outlets"),
                       since: str | None = None, until: str | None = None) -> dict:
        helper = await anyio.to_thread.run_sync(doors.assistant)
        return {"articles": await anyio.to_thread.run_sync(lambda: listed_articles(helper, source, since, until))}

    @api.get("/articles/{article_id:path}", summary="One article: its exact stored text and metadata")
    async def article(article_id: str) -> dict:
        helper = await anyio.to_thread.run_sync(doors.assistant)
        return await anyio.to_thread.run_sync(lambda: article_record(helper, article_id))

    @api.post("/index", summary="Sync the index with the articles folder (needs the key when one is set)")
    async def reindex(request: IndexRequest | None = None) -> dict:
        full = bool(request and request.full)
        async with doors.build_lock:
            report = await anyio.to_thread.run_sync(lambda: build_index(settings=doors.settings, full=full))
        return report.as_dict()

    return api
