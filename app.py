"""The Gradio app (thin): ask a question, see the cited answer and its passages.

A placeholder until the chat issue lands; `build_app()` is separate from `launch()` so
tests can build the page without a server.
"""

from __future__ import annotations

import argparse
import html

import gradio as gr

from assistant import Settings, build_index, get_assistant, index_status


def render_answer(result) -> str:
    cards = [f"<p>{html.escape(result.text)}</p>"]
    for c in result.citations:
        cards.append(f"<div class='hit'><b>[{c.number}] {html.escape(c.title)}</b> "
                     f"<small>{html.escape(c.article_id)} · score {c.score:.3f}</small>"
                     f"<p>{html.escape(c.passage)}</p></div>")
    return "\n".join(cards)


def build_app(settings: Settings | None = None) -> gr.Blocks:
    settings = settings or Settings.load()
    if index_status(settings).articles == 0:
        build_index(settings=settings)  # first run: index the articles folder instead of failing
    assistant = get_assistant(settings)

    def ask(question: str) -> str:
        return render_answer(assistant.answer(question))

    with gr.Blocks(title="News assistant") as app:
        gr.Markdown("# News assistant\nAsk about the indexed articles; every answer cites its passages.")
        question = gr.Textbox(label="Question", placeholder="Who did Trump send to meet Putin?")
        results = gr.HTML()
        question.submit(ask, question, results, api_name="ask")
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the news assistant.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args()
    build_app().launch(server_name=args.host, server_port=args.port)


if __name__ == "__main__":
    main()
