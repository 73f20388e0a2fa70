"""The chat page: ask about the articles, see every citation's sentences highlighted,
add articles and rebuild the index.

    python app.py [--host H] [--port P]

`build_app()` makes the page (`assistant.present.page.ChatPage`; tests build it without a
server); `serve()` launches it with the settings that matter for safety (bind address,
login, upload limit). The work is done by `assistant` (answers, rendering, the page) and
`index` (uploads, builds).
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline by default: no telemetry calls
# Gradio runs every event inside a matplotlib backend switch; with matplotlib installed (the
# bench plots) an unset backend makes the first answer import pyplot to resolve it (~1.5 s)
os.environ.setdefault("MPLBACKEND", "agg")


def _skip_gradio_stub_writing() -> None:
    """Gradio rewrites its own components' .pyi type stubs at every import (it parses each
    component's source: ~3 s of a 2-core laptop's start-up). The stubs only serve IDEs and
    Gradio never reads them back, so the app imports Gradio with that step left out."""
    import importlib.abc
    import importlib.machinery
    import sys

    class StubSkipper(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "gradio.component_meta":
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return spec
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                if callable(getattr(module, "create_or_modify_pyi", None)):
                    module.create_or_modify_pyi = lambda *args, **kwargs: None

            spec.loader.exec_module = exec_module
            return spec

    if "gradio" not in sys.modules:
        sys.meta_path.insert(0, StubSkipper())


_skip_gradio_stub_writing()

import gradio as gr  # noqa: E402  (after the import hook above)

from assistant import Settings, get_assistant  # noqa: E402
from assistant.api import exposure_warning  # noqa: E402
from assistant.api import lifespan as doors_lifespan  # noqa: E402
from assistant.gate import answer_gate  # noqa: E402
from assistant.present.page import CHAT_CONCURRENCY, QUEUE_SIZE, ChatPage  # noqa: E402

log = logging.getLogger("assistant.app")

THEME = gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])  # no web fonts


def build_app(settings: Settings | None = None) -> gr.Blocks:
    return ChatPage(settings).build()


def login(settings: Settings) -> tuple[str, str] | None:
    if not settings.auth:
        return None
    user, sep, password = settings.auth.partition(":")
    if not sep or not user or not password:
        raise SystemExit("ASSISTANT_AUTH must be user:password")
    return user, password


def _patient_url_ok(url: str, seconds: float = 60.0) -> bool:
    """Gradio's start-up check gives up on the first 3 s timeout and then refuses to start
    ("localhost is not accessible"); on a busy 2-core laptop the first page render can take
    longer. Same check, retried on timeouts for up to `seconds`."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.head(url, timeout=10).status_code in (200, 401, 301, 302, 303, 307, 308):
                return True
        except httpx.TimeoutException:
            pass
        except httpx.HTTPError:
            return False
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def serve(app: gr.Blocks, settings: Settings | None = None, **launch: object):
    """Launch `app` bound to settings.host (127.0.0.1 unless set), with the login and upload
    limit from settings, and the OpenAI-compatible, REST and MCP doors (/v1, /api, /docs, /mcp)
    on the same port, answering through the page's Assistant and line; `launch` overrides,
    e.g. prevent_thread_lock=True in tests."""
    settings = settings or Settings.load()
    if warning := exposure_warning(settings):
        log.warning(warning)
        print(f"WARNING: {warning}")
    # Gradio makes its FastAPI app inside launch(); the doors are added as that app starts
    doors = doors_lifespan(lambda: get_assistant(settings), settings=settings, gate=answer_gate(settings))
    options = dict(server_name=settings.host, server_port=settings.port, auth=login(settings),
                   max_file_size=settings.max_article_bytes, theme=THEME, footer_links=["api"], show_error=False,
                   app_kwargs={"lifespan": doors})
    from gradio import networking

    networking.url_ok = _patient_url_ok
    if settings.feeds_every:  # ASSISTANT_FEEDS_EVERY: keep the followed feeds current while the page runs
        from index.feeds import FeedPoller

        app.feed_poller = FeedPoller(settings).start()  # a daemon thread; launch() below may block for good
    return app.queue(default_concurrency_limit=CHAT_CONCURRENCY, max_size=QUEUE_SIZE).launch(**{**options, **launch})


def stop(app: gr.Blocks) -> None:
    """Close a page served with prevent_thread_lock=True and free its port.

    Gradio's close() sets an asyncio.Event from the calling thread while the server's
    heartbeat coroutines may be waiting on it in the server thread; that race can raise
    "deque mutated during iteration" after the flag is already set, leaving the server up.
    """
    server = getattr(app, "server", None)
    poller = getattr(app, "feed_poller", None)
    if poller is not None:
        poller.stop()
    try:
        app.close(verbose=False)
    except RuntimeError:
        if server is not None:
            server.close()


def warm_up(settings: Settings) -> None:
    try:
        get_assistant(settings).warm_up()
    except Exception as error:  # the first question will meet (and report) the same problem
        log.warning("warm-up skipped: %s", error)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the news assistant's chat page.")
    parser.add_argument("--host", help="address to listen on (default: ASSISTANT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ASSISTANT_PORT or 7860)")
    args = parser.parse_args()
    settings = Settings.load(host=args.host, port=args.port)
    started = time.perf_counter()
    # load the index and compile the model while the server starts, not on the first question
    threading.Thread(target=warm_up, args=(settings,), name="warm-up", daemon=True).start()
    app = build_app(settings)
    print(f"Page built in {time.perf_counter() - started:.1f} s; serving on http://{settings.host}:{settings.port}")
    serve(app, settings)


if __name__ == "__main__":
    main()
