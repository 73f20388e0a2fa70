"""The OpenAI-compatible door: GET /v1/models and POST /v1/chat/completions (plain and
streamed), so chat front-ends (Open WebUI, LibreChat, Continue) and OpenAI client libraries
can use the assistant as a model.

The last user message is the question, earlier user/assistant turns are the history (our own
replies sent back are reduced to their answer text), system messages are ignored. The reply is
the answer with its [n] markers and a Sources list; the structured citations (as in
`Answer.as_dict()`) ride in an extra top-level field `citations`, in the last chunk when
streamed. Options come as extra fields (`k`, `source`, `since`, `until`, `mode`); other
unknown fields are ignored, as OpenAI-compatible servers do. Errors are OpenAI error objects.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ..answers import Answer
from . import common
from .common import MODES, DoorError, Doors
from .sources import answer_text, citation_dicts, message_text

LLM_MODEL = "news-assistant-llm"


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class ChatRequest(BaseModel):
    """OpenAI's chat request; the extra fields are this assistant's options."""
    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[ChatMessage]
    stream: bool = False
    k: int | None = Field(None, description="passages to answer from (1-50)")
    source: str | list[str] | None = Field(None, description="only this outlet, or these")
    since: str | int | None = Field(None, description="only articles published on or after (YYYY-MM-DD)")
    until: str | int | None = Field(None, description="only articles published on or before (YYYY-MM-DD)")
    mode: str | None = Field(None, description=MODES)  # checked by make_request, as every option


def error_body(error: DoorError) -> dict:
    """OpenAI's error object: the response body, and the last event of a stream that failed."""
    return {"error": {"message": error.message, "type": error.kind, "param": error.param, "code": error.code}}


def error_response(error: DoorError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse(error_body(error), status_code=error.status, headers=headers)


def router(doors: Doors) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], route_class=common.door_route(doors, error_response))
    started = int(time.time())

    def model_card(name: str) -> dict:
        return {"id": name, "object": "model", "created": started, "owned_by": "news-assistant"}

    @api.get("/models", summary="The models: news-assistant (and news-assistant-llm with an LLM configured)")
    async def models() -> dict:
        return {"object": "list", "data": [model_card(name) for name in doors.model_names]}

    @api.get("/models/{model}", summary="One model")
    async def model(model: str) -> dict:
        if model not in doors.model_names:
            raise _unknown_model(model, doors)
        return model_card(model)

    @api.post("/chat/completions", summary="Answer the last user message, with citations")
    async def chat_completions(request: ChatRequest):
        if request.model not in doors.model_names:
            raise _unknown_model(request.model, doors)
        question, history = conversation(request.messages)
        options = _options(request)
        helper, checked = await common.prepare(doors, question, history, **options)
        if request.stream:
            doors.gate.refuse_if_full()  # a 429 now rather than an error event after a 200
            live = checked.mode != "llm"
            chunks = _chunks(doors, helper, request.model, live, question, history, options)
            return StreamingResponse(chunks, media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        final = await common.answer(doors, question, history, **options)
        return completion(final, request.model)

    return api


def _unknown_model(name: str, doors: Doors) -> DoorError:
    return DoorError(status=404, message=f"The model {name!r} does not exist; this server has "
                                         f"{', '.join(doors.model_names)}.", param="model", code="model_not_found")


def _options(request: ChatRequest) -> dict[str, Any]:
    mode = request.mode or ("llm" if request.model == LLM_MODEL else None)
    chosen = {"k": request.k, "source": request.source, "since": request.since, "until": request.until, "mode": mode}
    return {name: value for name, value in chosen.items() if value is not None}


def _text(message: ChatMessage) -> str:
    if isinstance(message.content, list):  # content parts: the text ones, in order
        return "\n".join(part.text for part in message.content if part.type == "text" and part.text)
    return message.content or ""


def conversation(messages: list[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """(question, history): the last user message, and the user/assistant turns before it."""
    if not messages:
        raise DoorError(status=400, message="messages must not be empty.", param="messages")
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users:
        raise DoorError(status=400, message="messages need at least one user message (the question).",
                        param="messages")
    question = _text(messages[users[-1]])
    if not question.strip():
        raise DoorError(status=400, message="The last user message is empty.", param="messages")
    history: list[tuple[str, str]] = []
    asked: str | None = None
    for message in messages[:users[-1]]:
        if message.role == "user":
            if asked is not None:  # two questions in a row: the first went unanswered
                history.append((asked, ""))
            asked = _text(message)
        elif message.role == "assistant" and asked is not None:
            history.append((asked, answer_text(_text(message))))
            asked = None
    if asked is not None:
        history.append((asked, ""))
    return question, history


def completion(final: Answer, model: str) -> dict:
    return {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "system_fingerprint": None,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": message_text(final)},
                         "finish_reason": "stop", "logprobs": None}],
            "citations": citation_dicts(final)}


async def _chunks(doors: Doors, helper, model: str, live: bool, question: str, history: list,
                  options: dict) -> AsyncIterator[str]:
    """OpenAI's chat.completion.chunk events, then `data: [DONE]`. Pieces are sent as they come
    unless the mode is llm: an LLM's draft is checked (citations renumbered, unsupported
    sentences marked) before anyone may see it, and a sent piece cannot be taken back."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model, "system_fingerprint": None}

    def event(delta: dict, finish: str | None = None, **extra) -> str:
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    sent = ""
    try:
        async for item in common.stream(doors, helper, question, history, **options):
            if isinstance(item, Answer):
                full = message_text(item)
                # the final Answer supersedes the pieces; they are its text's beginning unless a check changed it
                rest = full[len(sent):] if full.startswith(sent) else f"\n\n{full}"
                if rest:
                    yield event({"content": rest})
                yield event({}, "stop", citations=citation_dicts(item))
            elif live and item:
                sent += item
                yield event({"content": item})
    except Exception as error:  # noqa: BLE001 (the stream has started: the error is its last event)
        yield f"data: {json.dumps(error_body(common.door_error(error)))}\n\n"
    yield "data: [DONE]\n\n"
