"""The doors out, driven by their real clients against a real server on 127.0.0.1 over a real
index of the sample articles (plus one dated article from another outlet): the `openai`
package and LangChain's ChatOpenAI on /v1, httpx on /api, the `mcp` client over streamable
HTTP (/mcp) and over stdio (spawning `python -m assistant.cli mcp`). Keys on and off.

The page's own server (app.py) serves the keyless site; the keyed one is the doors mounted on
a plain FastAPI app. Every answer must be the one `Assistant.answer` gives for the same question and history, and
every citation valid (each [n] listed, each cited span the article's text at its offsets).
Bad input must get the protocol's own error, never a 500 or a traceback."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

import httpx
import pytest

from assistant import get_assistant
from assistant.api.sources import message_text
from index import Settings, build_index

from .helpers import REPO, SAMPLE, free_port, serve_doors, serve_page

pytestmark = pytest.mark.slow

KEY = "test-key-7f3a"
WITKOFF = "Who did Trump send to meet Putin in Moscow?"
OCCUPY = "How much of Ukraine's territory does Russia occupy?"
HARBOUR = {"title": "Lakeside harbour festival draws record crowd", "source": "Harbour Gazette",
           "published": "2025-05-02", "url": "https://example.org/harbour",
           "text": "The Lakeside harbour festival drew 12,400 visitors on Saturday, organisers said. Mayor Ingrid "
                   "Solberg opened the festival with a boat parade along the old quay."}
HARBOUR_QUESTION = "How many visitors did the Lakeside harbour festival draw?"


def _site(root: Path, **settings) -> Settings:
    folder = root / "articles"
    shutil.copytree(SAMPLE, folder)
    (folder / "harbour.json").write_text(json.dumps(HARBOUR))
    site = Settings.load(env={}, data_dir=root / "data", articles_dir=folder, port=free_port(), **settings)
    build_index(settings=site)
    return site


@pytest.fixture(scope="module")
def open_site(tmp_path_factory):
    """No key: every door open (loopback only). Served as `python app.py` serves the page."""
    site = _site(tmp_path_factory.mktemp("open"))
    with serve_page(site) as url:
        yield site, url


@pytest.fixture(scope="module")
def keyed_site(tmp_path_factory):
    """ASSISTANT_API_KEY set; its own index, so /api/index may change it. The doors alone,
    `mount`ed on a plain FastAPI app (how another host app would serve them)."""
    site = _site(tmp_path_factory.mktemp("keyed"), api_key=KEY)
    with serve_doors(site) as url:
        yield site, url


def openai_client(url: str, key: str = "unused"):
    import openai

    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=120)


def expected(site: Settings, question: str, history=(), **options):
    return get_assistant(site).answer(question, list(history), **options)


def assert_citations_valid(site: Settings, text: str, citations: list[dict]) -> None:
    """Each [n] names a listed citation and each citation's spans are its article's text."""
    numbers = {c["number"] for c in citations}
    markers = {int(n) for n in __import__("re").findall(r"\[(\d+)\]", text)}
    assert markers <= numbers
    texts = get_assistant(site).article_texts(c["article_id"] for c in citations)
    for c in citations:
        assert texts[c["article_id"]][c["start"]:c["end"]] == c["passage"]
        assert all(c["start"] <= start < end <= c["end"] for start, end in c["highlights"])


# -- OpenAI-compatible ------------------------------------------------------------------
def test_models_lists_the_assistant_and_no_llm_model_without_an_llm(open_site):
    _, url = open_site
    assert [m.id for m in openai_client(url).models.list()] == ["news-assistant"]
    assert openai_client(url).models.retrieve("news-assistant").id == "news-assistant"


def test_a_chat_completion_is_the_answer_with_its_sources_and_citations(open_site):
    site, url = open_site
    reply = openai_client(url).chat.completions.create(
        model="news-assistant", messages=[{"role": "system", "content": "You are terse."},
                                          {"role": "user", "content": WITKOFF}])
    answer = expected(site, WITKOFF)
    content = reply.choices[0].message.content
    assert content == message_text(answer)
    assert "Witkoff" in content and "\n\nSources:\n- [1] " in content
    assert reply.choices[0].finish_reason == "stop" and reply.object == "chat.completion"
    citations = reply.model_extra["citations"]
    assert citations == json.loads(json.dumps(answer.as_dict()["citations"]))
    assert_citations_valid(site, answer.text, citations)


def test_streamed_chunks_join_into_the_same_reply_and_the_last_carries_the_citations(open_site):
    site, url = open_site
    chunks = list(openai_client(url).chat.completions.create(
        model="news-assistant", stream=True, messages=[{"role": "user", "content": OCCUPY}]))
    answer = expected(site, OCCUPY)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == message_text(answer)
    assert len([c for c in chunks if c.choices[0].delta.content]) >= 2  # sent in pieces, not at once
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == json.loads(json.dumps(answer.as_dict()["citations"]))
    assert all("citations" not in c.model_extra for c in chunks[:-1])


def test_history_is_the_earlier_turns_and_our_own_reply_counts_as_its_answer_text(open_site):
    site, url = open_site
    client = openai_client(url)
    first = client.chat.completions.create(model="news-assistant", messages=[{"role": "user", "content": WITKOFF}])
    messages = [{"role": "user", "content": WITKOFF},
                {"role": "assistant", "content": first.choices[0].message.content},
                {"role": "user", "content": "When did he meet him?"}]
    follow = client.chat.completions.create(model="news-assistant", messages=messages)
    answer = expected(site, "When did he meet him?", [(WITKOFF, expected(site, WITKOFF).text)])
    assert follow.choices[0].message.content == message_text(answer)
    assert "Thursday" in answer.text
    streamed = client.chat.completions.create(model="news-assistant", messages=messages, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed) == message_text(answer)


def test_options_come_as_extra_fields_and_unknown_fields_are_ignored(open_site):
    site, url = open_site
    client = openai_client(url)
    ask = dict(model="news-assistant", messages=[{"role": "user", "content": HARBOUR_QUESTION}], temperature=0.2)
    plain = client.chat.completions.create(**ask, extra_body={"source": "Harbour Gazette", "k": 2,
                                                              "since": "2025-05-01", "until": "2025-05-02",
                                                              "some_client_field": {"x": 1}})
    answer = expected(site, HARBOUR_QUESTION, source="Harbour Gazette", k=2, since="2025-05-01", until="2025-05-02")
    assert plain.choices[0].message.content == message_text(answer) and "12,400" in answer.text
    assert {c["article_id"] for c in plain.model_extra["citations"]} == {"harbour.json"}
    elsewhere = client.chat.completions.create(**ask, extra_body={"source": "No Such Outlet"})
    assert elsewhere.model_extra["citations"] == [] and "could not find" in elsewhere.choices[0].message.content
    timeline = client.chat.completions.create(**ask, extra_body={"mode": "timeline"})
    assert timeline.choices[0].message.content == message_text(expected(site, HARBOUR_QUESTION, mode="timeline"))


def test_langchain_chat_openai_uses_the_assistant_as_its_model(open_site):
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_openai import ChatOpenAI

    site, url = open_site
    model = ChatOpenAI(model="news-assistant", base_url=f"{url}/v1", api_key="unused", max_retries=0, timeout=120)
    answer = expected(site, WITKOFF)
    assert model.invoke(WITKOFF).content == message_text(answer)
    assert "".join(chunk.content for chunk in model.stream(WITKOFF)) == message_text(answer)
    follow = model.invoke([HumanMessage(WITKOFF), AIMessage(message_text(answer)),
                           HumanMessage("When did he meet him?")])
    assert follow.content == message_text(expected(site, "When did he meet him?", [(WITKOFF, answer.text)]))


@pytest.mark.parametrize("body, status, param", [
    ({"model": "news-assistant", "messages": []}, 400, "messages"),
    ({"model": "news-assistant", "messages": [{"role": "system", "content": "Be brief."}]}, 400, "messages"),
    ({"model": "news-assistant", "messages": [{"role": "user", "content": "   "}]}, 400, "messages"),
    ({"model": "news-assistant", "messages": [{"role": "user", "content": "Who?"}], "since": "last tuesdayish"},
     400, "since"),
    ({"model": "news-assistant", "messages": [{"role": "user", "content": "Who?"}], "k": 0}, 400, "k"),
    ({"model": "news-assistant", "messages": [{"role": "user", "content": "Who?"}], "k": "many"}, 400, "k"),
    ({"model": "news-assistant", "messages": [{"role": "user", "content": "Who?"}], "mode": "poem"}, 400, "mode"),
    ({"model": "news-assistant", "messages": "Who met Putin?"}, 400, "messages"),
    ({"model": "news-assistant", "messages": [{"role": "wizard", "content": "Who?"}]}, 400, "messages.0.role"),
    ({"model": "news-assistant", "messages": [{"role": "user", "content": 42}]}, 400, "messages.0.content.str"),
    ({"messages": [{"role": "user", "content": "Who?"}]}, 400, "model"),
    ({"model": "gpt-4o", "messages": [{"role": "user", "content": "Who?"}]}, 404, "model"),
    ([1, 2, 3], 400, None),
])
def test_bad_requests_get_openai_error_objects(open_site, body, status, param):
    _, url = open_site
    for stream in (False, True):
        sent = {**body, "stream": True} if stream and isinstance(body, dict) else body
        response = httpx.post(f"{url}/v1/chat/completions", json=sent, timeout=120)
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["message"] and error["type"] == "invalid_request_error"
        assert error["param"] == param or (param or "").startswith(str(error["param"]))


def test_broken_and_huge_bodies_get_openai_error_objects(open_site):
    site, url = open_site
    broken = httpx.post(f"{url}/v1/chat/completions", content=b'{"model": "news-', timeout=60,
                        headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_json"
    huge = {"model": "news-assistant", "messages": [{"role": "user", "content": "x" * site.api_max_request_bytes}]}
    too_big = httpx.post(f"{url}/v1/chat/completions", json=huge, timeout=60)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "request_too_large"

    def chunked():  # no Content-Length: the size is counted as it arrives
        for _ in range(site.api_max_request_bytes // 65536 + 2):
            yield b" " * 65536
    streamed = httpx.post(f"{url}/v1/chat/completions", content=chunked(), timeout=60,
                          headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["error"]["type"] == "invalid_request_error"


def test_the_openai_client_raises_its_own_errors(open_site):
    import openai

    _, url = open_site
    who = [{"role": "user", "content": "Who?"}]
    with pytest.raises(openai.BadRequestError) as bad:
        openai_client(url).chat.completions.create(model="news-assistant", messages=who,
                                                   extra_body={"since": "2025-13-45"})
    assert bad.value.param == "since"
    with pytest.raises(openai.NotFoundError):
        openai_client(url).chat.completions.create(model="gpt-4o", messages=who)


# -- REST -------------------------------------------------------------------------------
def test_rest_answer_is_the_answer_as_json(open_site):
    site, url = open_site
    history = [[WITKOFF, expected(site, WITKOFF).text]]
    got = httpx.post(f"{url}/api/answer", json={"question": "When did he meet him?", "history": history}, timeout=120)
    assert got.status_code == 200
    answer = expected(site, "When did he meet him?", [tuple(history[0])])
    assert got.json() == json.loads(json.dumps(answer.as_dict()))
    assert_citations_valid(site, answer.text, got.json()["citations"])
    filtered = httpx.post(f"{url}/api/answer", json={"question": HARBOUR_QUESTION, "source": ["Harbour Gazette"],
                                                     "since": "2025-05-01", "k": 3, "mode": "extractive"}, timeout=120)
    assert {c["article_id"] for c in filtered.json()["citations"]} == {"harbour.json"}


def test_a_briefing_through_the_rest_door_and_the_openai_door(open_site):
    site, url = open_site
    got = httpx.post(f"{url}/api/answer", json={"question": "Give me a briefing", "mode": "briefing"}, timeout=120)
    assert got.status_code == 200
    body = got.json()
    assert body["mode"] == "briefing" and len(body["stories"]) == 2  # the talks, and the harbour report
    assert all(story["numbers"] for story in body["stories"])
    assert_citations_valid(site, body["text"], body["citations"])
    reply = openai_client(url).chat.completions.create(
        model="news-assistant", messages=[{"role": "user", "content": "What are the main stories?"}])
    assert "[1]" in reply.choices[0].message.content


def test_rest_search_articles_and_article_text(open_site):
    site, url = open_site
    found = httpx.get(f"{url}/api/search", params={"q": "Kursk troops", "k": 3}, timeout=120).json()
    assert 1 <= len(found["results"]) <= 3
    texts = get_assistant(site).article_texts(hit["article_id"] for hit in found["results"])
    for hit in found["results"]:
        assert texts[hit["article_id"]][hit["start"]:hit["end"]] == hit["text"]
    listed = httpx.get(f"{url}/api/articles", timeout=60).json()["articles"]
    assert {a["id"] for a in listed} == {p.name for p in site.articles_dir.iterdir()}
    dated = httpx.get(f"{url}/api/articles", params={"source": "Harbour Gazette", "since": "2025-05-02"}).json()
    assert [a["id"] for a in dated["articles"]] == ["harbour.json"]
    assert httpx.get(f"{url}/api/articles", params={"until": "2025-05-01"}).json()["articles"] == []
    article = httpx.get(f"{url}/api/articles/harbour.json").json()
    assert article["text"].endswith(HARBOUR["text"]) and article["source"] == "Harbour Gazette"
    assert article["published"].startswith("2025-05-02") and article["url"] == HARBOUR["url"]


@pytest.mark.parametrize("method, path, payload, status", [
    ("post", "/api/answer", {"question": ""}, 400),
    ("post", "/api/answer", {"question": "Who?", "since": "soonish"}, 400),
    ("post", "/api/answer", {"question": "Who?", "history": [["only a question"]]}, 400),
    ("post", "/api/answer", {"question": "Who?", "sources": ["BBC"]}, 400),  # misspelt: not silently ignored
    ("post", "/api/answer", {"question": ["Who?"]}, 400),
    ("post", "/api/answer", None, 400),
    ("get", "/api/search?q=Kursk&k=0", None, 400),
    ("get", "/api/search?q=Kursk&k=51", None, 400),
    ("post", "/api/answer", {"question": "Who?", "mode": "poem"}, 400),
    ("get", "/api/search?k=3", None, 400),
    ("get", "/api/articles?since=not-a-date", None, 400),
    ("get", "/api/articles/no-such-article.txt", None, 404),
    ("post", "/api/index", {"full": "sometimes"}, 400),
])
def test_rest_errors_name_the_problem(open_site, method, path, payload, status):
    _, url = open_site
    response = httpx.request(method, f"{url}{path}", json=payload, timeout=60)
    assert response.status_code == status, response.text
    assert isinstance(response.json()["detail"], str) and "Traceback" not in response.text


def test_openapi_docs_describe_the_doors(open_site):
    _, url = open_site
    assert "swagger" in httpx.get(f"{url}/docs").text.lower()
    paths = httpx.get(f"{url}/api/openapi.json").json()["paths"]
    assert {"/v1/chat/completions", "/v1/models", "/api/answer", "/api/search", "/api/articles",
            "/api/articles/{article_id}", "/api/index"} <= set(paths)


# -- keys -------------------------------------------------------------------------------
def test_with_a_key_every_door_needs_it_in_its_own_error_form(keyed_site):
    import openai

    _, url = keyed_site
    with pytest.raises(openai.AuthenticationError) as refused:
        openai_client(url, "wrong").chat.completions.create(model="news-assistant",
                                                            messages=[{"role": "user", "content": WITKOFF}])
    assert refused.value.status_code == 401 and refused.value.body["type"] == "authentication_error"
    assert openai_client(url, KEY).models.list().data[0].id == "news-assistant"
    rest = httpx.post(f"{url}/api/answer", json={"question": WITKOFF})
    assert rest.status_code == 401 and rest.json()["detail"] and rest.headers["www-authenticate"] == "Bearer"
    mcp = httpx.post(f"{url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                     headers={"Authorization": "Bearer wrong", "Accept": "application/json, text/event-stream"})
    assert mcp.status_code == 401 and mcp.json()["error"]["code"] == -32001
    assert httpx.post(f"{url}/api/index", json={}).status_code == 401
    assert httpx.get(f"{url}/docs").status_code == 200  # the docs say how to use the key; they need none


def test_reindexing_through_the_api_needs_the_key_and_picks_up_a_new_article(keyed_site):
    site, url = keyed_site
    (site.articles_dir / "bridge.txt").write_text(
        "Brindle Creek bridge reopens\n\nThe Brindle Creek bridge reopened on Monday after repairs costing "
        "3.2 million dollars, the county said.")
    headers = {"Authorization": f"Bearer {KEY}"}
    report = httpx.post(f"{url}/api/index", json={}, headers=headers, timeout=300)
    assert report.status_code == 200 and report.json()["added"] == 1
    got = httpx.post(f"{url}/api/answer", json={"question": "How much did the Brindle Creek bridge repairs cost?"},
                     headers=headers, timeout=120).json()
    assert "3.2 million" in got["text"] and got["citations"][0]["article_id"] == "bridge.txt"


# -- MCP ----------------------------------------------------------------------------------
async def _use_the_tools(client, site: Settings) -> None:
    tools = {tool.name for tool in (await client.list_tools()).tools}
    assert {"search_articles", "answer_question", "get_article", "list_articles"} <= tools
    answered = await client.call_tool("answer_question", {"question": WITKOFF})
    answer = expected(site, WITKOFF)
    assert not answered.is_error and answered.content[0].text == message_text(answer)
    assert answered.structured_content["citations"] == json.loads(json.dumps(answer.as_dict()["citations"]))
    follow = await client.call_tool("answer_question", {"question": "When did he meet him?",
                                                        "history": [[WITKOFF, answer.text]]})
    assert follow.structured_content["text"] == expected(site, "When did he meet him?", [(WITKOFF, answer.text)]).text
    found = await client.call_tool("search_articles", {"query": HARBOUR_QUESTION, "k": 2, "source": "Harbour Gazette"})
    assert [hit["article_id"] for hit in found.structured_content["results"]] == ["harbour.json"]
    listed = await client.call_tool("list_articles", {"since": "2025-05-01"})
    assert [a["id"] for a in listed.structured_content["articles"]] == ["harbour.json"]
    article = await client.call_tool("get_article", {"article_id": "harbour.json"})
    resource = await client.read_resource("article://harbour.json")
    assert resource.contents[0].text == article.structured_content["text"]
    assert resource.contents[0].text.endswith(HARBOUR["text"])
    for name, arguments in (("get_article", {"article_id": "nope.txt"}), ("list_articles", {"since": "whenever"}),
                            ("search_articles", {"query": "Kursk", "k": "lots"}), ("answer_question", {})):
        failed = await client.call_tool(name, arguments)
        assert failed.is_error and failed.content[0].text and "Traceback" not in failed.content[0].text


def test_mcp_over_streamable_http(open_site):
    from mcp import Client

    site, url = open_site

    async def session():
        async with Client(f"{url}/mcp") as client:
            await _use_the_tools(client, site)
    asyncio.run(session())


def test_mcp_over_streamable_http_with_the_key(keyed_site):
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    site, url = keyed_site

    async def session():
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as http:
            async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
                answered = await client.call_tool("answer_question", {"question": WITKOFF})
                assert answered.content[0].text == message_text(expected(site, WITKOFF))
    asyncio.run(session())


def test_mcp_over_stdio_spawning_assistant_mcp(open_site):
    from mcp import Client, StdioServerParameters

    site, _ = open_site
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update(ASSISTANT_DATA_DIR=str(site.data_dir), ASSISTANT_ARTICLES_DIR=str(site.articles_dir),
               HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    command = StdioServerParameters(command=sys.executable, args=["-m", "assistant.cli", "mcp"], env=env, cwd=REPO)

    async def session():
        async with Client(command, read_timeout_seconds=300) as client:
            await _use_the_tools(client, site)
    asyncio.run(session())


def test_a_body_without_a_json_content_type_is_read_as_json(open_site):
    site, url = open_site
    body = json.dumps({"model": "news-assistant", "messages": [{"role": "user", "content": WITKOFF}]})
    reply = httpx.post(f"{url}/v1/chat/completions", content=body, timeout=120,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # what curl -d sends
    assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"] == message_text(
        expected(site, WITKOFF))


def test_mcp_refuses_a_huge_body_with_a_json_rpc_error(open_site):
    site, url = open_site
    huge = httpx.post(f"{url}/mcp", content=b"{" + b" " * site.api_max_request_bytes + b"}", timeout=60,
                      headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == -32600


def test_a_full_line_is_refused_at_once_by_every_door_in_its_own_form(open_site):
    """The page's line (2 answering, 64 waiting) is shared: filled here by 66 threads holding or
    waiting for a place, a question through any door is refused at once, not queued."""
    import threading

    from mcp import Client

    from assistant.gate import CONCURRENCY, MAX_WAITING, answer_gate

    site, url = open_site
    gate, release = answer_gate(site), threading.Event()

    def hold():
        with gate.held():
            release.wait(60)
    holders = [threading.Thread(target=hold, daemon=True) for _ in range(CONCURRENCY + MAX_WAITING)]
    for thread in holders:
        thread.start()
    try:
        while gate.state().waiting < MAX_WAITING:
            threading.Event().wait(0.01)
        ask = {"model": "news-assistant", "messages": [{"role": "user", "content": WITKOFF}]}
        for stream in (False, True):
            refused = httpx.post(f"{url}/v1/chat/completions", json={**ask, "stream": stream}, timeout=30)
            assert refused.status_code == 429 and refused.json()["error"]["type"] == "rate_limit_error"
        rest = httpx.post(f"{url}/api/answer", json={"question": WITKOFF}, timeout=30)
        assert rest.status_code == 429 and "Too many questions" in rest.json()["detail"]

        async def session():
            async with Client(f"{url}/mcp") as client:
                return await client.call_tool("answer_question", {"question": WITKOFF})
        tool = asyncio.run(session())
        assert tool.is_error and "Too many questions" in tool.content[0].text
    finally:
        release.set()
        for thread in holders:
            thread.join(30)
    assert gate.state().running == 0 and gate.state().waiting == 0
    answered = httpx.post(f"{url}/api/answer", json={"question": WITKOFF}, timeout=120)
    assert answered.status_code == 200  # and the line works again


def test_the_llm_model_streams_only_the_checked_answer(tmp_path):
    """With an LLM configured (a fake chat model: this is plumbing), /v1/models adds
    news-assistant-llm, which answers in llm mode; its draft's citation numbers and an
    unsupported sentence are fixed by the check before a streamed byte is sent."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant import Assistant

    site = _site(tmp_path, llm_provider="openai", llm_model="fake")
    canned = "Trump sent Steve Witkoff, who met Putin in Moscow on Thursday [1][9]. Penguins in Lisbon voted [1]."
    helper = Assistant(site, chat_model=FakeListChatModel(responses=[canned]))
    with serve_doors(site, assistant=helper) as url:
        client = openai_client(url)
        assert [m.id for m in client.models.list()] == ["news-assistant", "news-assistant-llm"]
        ask = dict(model="news-assistant-llm", messages=[{"role": "user", "content": WITKOFF}])
        plain = client.chat.completions.create(**ask).choices[0].message.content
        chunks = list(client.chat.completions.create(**ask, stream=True))
    answer = helper.answer(WITKOFF, mode="llm")
    assert answer.mode == "llm" and "[9]" not in answer.text and "[unsupported]" in answer.text
    assert plain == message_text(answer)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == plain
    assert chunks[-1].model_extra["citations"] == json.loads(json.dumps(answer.as_dict()["citations"]))
