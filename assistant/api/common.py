"""What the doors share: the Assistant they call, the gate they wait at, one way of turning
any failure into an error in the caller's protocol, and a route class that checks the key
and the body's size before FastAPI reads a byte of it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import anyio
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import Scope

from index import AssistantError, IndexBusy, InvalidRequest, Settings
from index.settings import AnswerMode

from ..answering import Assistant
from ..answers import Answer
from ..gate import AnswerGate, QueueFull
from ..pipeline.request import Request as Asked
from .auth import key_accepted

log = logging.getLogger("assistant.api")
OPTIONS = ("k", "mode", "source", "since", "until")
MODES = f"how to answer: {', '.join(AnswerMode)}"  # the doors leave the check to make_request


@dataclass(frozen=True, kw_only=True)
class DoorError(Exception):
    """A failure worth telling the caller: HTTP status, message, and where it lies."""
    status: int
    message: str
    kind: str = "invalid_request_error"  # OpenAI's error types; the REST door uses them too
    param: str | None = None
    code: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, kw_only=True)
class Doors:
    """Everything a door needs, shared with the page: made once by `mount`."""
    assistant: Callable[[], Assistant]  # made on first use, as the page does (no model at start)
    settings: Settings
    gate: AnswerGate
    build_lock: Any = field(default_factory=anyio.Lock)  # one re-index at a time through /api/index

    @property
    def model_names(self) -> list[str]:
        return ["news-assistant"] + (["news-assistant-llm"] if self.settings.llm_provider else [])


def door_error(error: BaseException) -> DoorError:
    """Any failure as a DoorError: what the user can fix says so; the rest is logged, never shown."""
    if isinstance(error, DoorError):
        return error
    if isinstance(error.__cause__, DoorError):  # FastAPI wraps a failed body read (ours: too large)
        return error.__cause__
    if isinstance(error, HTTPException) and error.status_code < 500:
        return DoorError(status=error.status_code, message=str(error.detail))
    if isinstance(error, QueueFull):
        return DoorError(status=429, message=f"Too many questions at once: {error}.", kind="rate_limit_error",
                         code="queue_full")
    if isinstance(error, RequestValidationError):
        return _validation_error(error)
    # an option the caller sent (a date, k, mode); any other ValueError is our bug, a 500 that is logged
    if isinstance(error, InvalidRequest):
        named = str(error).split(" ", 1)[0]
        return DoorError(status=400, message=str(error), param=named if named in OPTIONS else None,
                         code="invalid_value")
    if isinstance(error, IndexBusy):
        return DoorError(status=409, message=str(error), kind="conflict_error", code="index_busy")
    if isinstance(error, AssistantError):  # e.g. the Chroma server is down
        return DoorError(status=503, message=f"The index is unavailable: {error}", kind="server_error",
                         code="index_unavailable")
    log.error("a door failed", exc_info=error)
    return DoorError(status=500, message=f"The answer failed ({type(error).__name__}); see the server log.",
                     kind="server_error")


def _validation_error(error: RequestValidationError) -> DoorError:
    first = (error.errors() or [{}])[0]
    where = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    param = ".".join(where) or None
    if first.get("type") == "json_invalid":
        return DoorError(status=400, message="The request body is not valid JSON.", code="invalid_json")
    if first.get("type") == "missing" and not where:
        return DoorError(status=400, message="The request needs a JSON body.", code="missing_body")
    message = first.get("msg", "invalid request")
    return DoorError(status=400, message=f"{param}: {message}" if param else message, param=param,
                     code="invalid_value")


class _Unauthorized(Exception):
    pass


class _CappedRequest(Request):
    """A request whose body stops being read once it passes `cap` bytes (a chunked upload
    names no length up front)."""
    cap = 0

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            chunks, size = [], 0
            async for chunk in self.stream():
                size += len(chunk)
                if size > self.cap:
                    raise _too_large(self.cap)
                chunks.append(chunk)
            self._body = b"".join(chunks)
        return self._body


def _too_large(cap: int) -> DoorError:
    return DoorError(status=413, message=f"The request body is larger than {cap:,} bytes "
                                         "(ASSISTANT_API_MAX_REQUEST_BYTES).", code="request_too_large")


def _as_json(scope: Scope) -> Scope:
    """Every body the doors take is JSON: read it as JSON whatever Content-Type says (curl's -d
    sends a form type), so a forgotten header is no error and a body that is not JSON says so."""
    if scope.get("method") != "POST":
        return scope
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-type"]
    return {**scope, "headers": headers + [(b"content-type", b"application/json")]}


def door_route(doors: Doors, render: Callable[[DoorError], Response]) -> type[APIRoute]:
    """A route class for one door: the key, then the body's size, then FastAPI's own parsing;
    whatever fails is answered by `render` in the door's protocol, never as a traceback."""
    settings = doors.settings

    class DoorRoute(APIRoute):
        def get_route_handler(self) -> Callable:
            handle = super().get_route_handler()

            async def checked(request: Request) -> Response:
                try:
                    if not key_accepted(request.headers.get("authorization"), settings.api_key):
                        raise _Unauthorized
                    length = request.headers.get("content-length", "")
                    if length.isdigit() and int(length) > settings.api_max_request_bytes:
                        raise _too_large(settings.api_max_request_bytes)
                    capped = _CappedRequest(_as_json(request.scope), request.receive)
                    capped.cap = settings.api_max_request_bytes
                    return await handle(capped)
                except _Unauthorized:
                    return render(DoorError(status=401, message="A valid API key is required: send "
                                            "'Authorization: Bearer <ASSISTANT_API_KEY>'.",
                                            kind="authentication_error", code="invalid_api_key"))
                except Exception as error:  # noqa: BLE001 (turned into the protocol's error, logged if unexpected)
                    return render(door_error(error))

            return checked

    return DoorRoute


# -- answering through the gate ------------------------------------------------------------
async def answer(doors: Doors, question: str, history: Sequence[tuple[str, str]], **options) -> Answer:
    """The same answer `Assistant.answer` gives, computed in a worker thread once the gate lets it in."""
    async with doors.gate.held_async():
        return await anyio.to_thread.run_sync(lambda: doors.assistant().answer(question, history, **options))


async def search(doors: Doors, query: str, k: int, source: Any = None, since: Any = None,
                 until: Any = None) -> list[dict]:
    """The passages that best match `query`, as dicts; the options are checked as a question's are
    (`Assistant.request`: a bad k or date raises InvalidRequest), then searched through the gate."""
    helper = await anyio.to_thread.run_sync(doors.assistant)
    filters = helper.request(query, k=k, source=source, since=since, until=until).filters
    async with doors.gate.held_async():
        hits = await anyio.to_thread.run_sync(lambda: helper.search.search(query, k=k, filters=filters))
    return [asdict(hit) for hit in hits]


async def prepare(doors: Doors, question: str, history: Sequence[tuple[str, str]],
                  **options) -> tuple[Assistant, Asked]:
    """The Assistant and the checked request: a bad option (a date, k, mode) raises
    InvalidRequest here (make_request), before a streamed reply has sent its first byte."""
    helper = await anyio.to_thread.run_sync(doors.assistant)
    return helper, helper.request(question, history, **options)


async def stream(doors: Doors, helper: Assistant, question: str, history: Sequence[tuple[str, str]],
                 **options) -> AsyncIterator[str | Answer]:
    """`Assistant.stream`'s pieces and final Answer; the gate is held until the last one."""
    async with doors.gate.held_async():
        pieces: Iterator[str | Answer] = helper.stream(question, history, **options)
        while (item := await anyio.to_thread.run_sync(next, pieces, None)) is not None:  # pieces are never None
            yield item
