"""The Gradio app (thin): ask a question, see the passages that answer it.

Until the answering and chat issues land, this shows the best passages from hybrid
search with their article and score; `build_app()` is separate from `launch()` so tests
can build the page without a server.
"""

from __future__ import annotations

import argparse
import html

import gradio as gr

from assistant import HybridSearch, Settings, build_index, index_status


def render_hits(hits) -> str:
    if not hits:
        return "<p>No matching passages in the indexed articles.</p>"
    cards = []
    for number, hit in enumerate(hits, 1):
        cards.append(f"<div class='hit'><b>[{number}] {html.escape(hit.title)}</b> "
                     f"<small>{html.escape(hit.article_id)} · score {hit.score:.3f}</small>"
                     f"<p>{html.escape(hit.text)}</p></div>")
    return "\n".join(cards)


def build_app(settings: Settings | None = None) -> gr.Blocks:
    settings = settings or Settings.load()
    if index_status(settings).articles == 0:
        build_index(settings=settings)  # first run: index the articles folder instead of failing
    search = HybridSearch(settings)

    def ask(question: str) -> str:
        if not question or not question.strip():
            return "<p>Please type a question about the articles.</p>"
        return render_hits(search.search(question, k=5))

    with gr.Blocks(title="News assistant") as app:
        gr.Markdown("# News assistant\nAsk about the indexed articles; the best passages are shown with their sources.")
        question = gr.Textbox(label="Question", placeholder="Who did Trump send to meet Putin?")
        results = gr.HTML()
        question.submit(ask, question, results, api_name="search")
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the news assistant.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args()
    build_app().launch(server_name=args.host, server_port=args.port)


if __name__ == "__main__":
    main()
