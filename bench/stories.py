"""Stories and briefings, measured: clustering quality on a corpus with known stories, and
speed (clustering 10,000 articles; a cached briefing).

    python bench/stories.py quality WORK_DIR [--thresholds 0.4,0.45,...]
    python bench/stories.py speed [--articles 10000]
    python bench/stories.py briefing DATA_DIR [--runs 20]

quality: writes the story corpus (bench/story_corpus.py) under WORK_DIR, indexes it once,
and clusters each split on its own (dev: even SQuAD topics; held out: odd topics and the
news story). For every threshold: purity (share of articles in a story whose majority
label is theirs), completeness (share of articles in the story holding most of their
label), B-cubed F1, stories of two or more articles found (a predicted story holds more
than half of them and they are its majority), and a briefing's checks: near-duplicate
sentence pairs and stories without a citation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.news.stories import cluster, units  # noqa: E402

REPO_EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "squad-dev"
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def scores(predicted: dict[str, int], truth: dict[str, str]) -> dict:
    """Purity, completeness, B-cubed F1 and stories found, over the articles in `truth`."""
    n = len(truth)
    by_pred: dict[int, Counter] = {}
    by_true: dict[str, Counter] = {}
    for article, label in truth.items():
        by_pred.setdefault(predicted[article], Counter())[label] += 1
        by_true.setdefault(label, Counter())[predicted[article]] += 1
    purity = sum(c.most_common(1)[0][1] for c in by_pred.values()) / n
    completeness = sum(c.most_common(1)[0][1] for c in by_true.values()) / n
    precision = statistics.mean(by_pred[predicted[a]][truth[a]] / sum(by_pred[predicted[a]].values()) for a in truth)
    recall = statistics.mean(by_true[truth[a]][predicted[a]] / sum(by_true[truth[a]].values()) for a in truth)
    multi = [label for label, c in by_true.items() if sum(c.values()) >= 2]
    found = [label for label in multi if any(
        2 * count > sum(by_true[label].values()) and 2 * by_pred[row][label] > sum(by_pred[row].values())
        for row, count in by_true[label].items())]
    f1 = 2 * precision * recall / (precision + recall)
    return {"articles": n, "stories": len(by_true), "predicted": len(by_pred), "purity": round(purity, 3),
            "completeness": round(completeness, 3), "bcubed_f1": round(f1, 3),
            "found": f"{len(found)}/{len(multi)}", "missed": sorted(set(multi) - set(found))}


def quality(work: Path, thresholds: tuple[float, ...], reports: int = 4, paragraphs: int = 3) -> dict:
    import story_corpus

    from assistant.retrieval import HybridSearch
    from index import Settings, build_index

    settings = Settings.load(env={}, data_dir=work / "data")
    if not (work / "stories.json").exists():
        story_corpus.write(work, reports, paragraphs)
        build_index(work / "articles", settings=settings)
    labels = story_corpus.labels_of(work)
    search = HybridSearch(settings)
    ids = sorted(search.committed)
    stored = search.store.articles.get(ids=ids, include=["embeddings"])
    vectors = {i: np.asarray(v, dtype=np.float32) for i, v in zip(stored["ids"], stored["embeddings"])}
    rows = []
    for split in ("dev", "heldout"):
        members = [a for a in ids if labels[a]["split"] == split]
        found = units(members, search.catalog, vectors)
        for threshold in thresholds:
            clusters = cluster([(u, v) for u, v, _ in found], threshold)
            predicted = {a: clusters.story_of[u] for u, _, articles in found for a in articles}
            rows.append({"split": split, "threshold": threshold,
                         **scores(predicted, {a: labels[a]["story"] for a in members})})
    return {"rows": rows, "briefing": briefing_checks(search, labels)}


def briefing_checks(search, labels: dict[str, dict]) -> dict:
    """On the whole index (both splits together, as a reader would have them): the stories'
    scores, a briefing of every story (none left uncited, no near-duplicate sentences), and
    "summarize the coverage of <story>" for every labelled story (the story told is its own)."""
    from assistant.news.stories import StoryIndex
    from assistant.pipeline.briefing import Briefer, collection_question
    from index.text import content_terms

    stories = StoryIndex(search, search.settings.story_threshold)
    every = stories.stories()
    predicted = {a: n for n, story in enumerate(every) for a in story.article_ids}
    whole = scores(predicted, {a: v["story"] for a, v in labels.items() if a in predicted})
    briefer = Briefer(stories, max_stories=len(every))
    answer = briefer.brief(collection_question("Summarize the articles"), "Summarize the articles")
    said = [(c.passage[s - c.start:e - c.start], c.article_id) for c in answer.citations for s, e in c.highlights]
    vectors = search.embed([text for text, _ in said])
    near = 0
    for i, (a, _) in enumerate(said):
        for j in range(i + 1, len(said)):
            ta, tb = set(content_terms(a)), set(content_terms(said[j][0]))
            if float(vectors[i] @ vectors[j]) >= 0.9 or (ta and tb and len(ta & tb) / len(ta | tb) >= 0.5):
                near += 1
    depth = {"dev": [0, 0], "heldout": [0, 0]}
    names = {v["story"]: v["split"] for v in labels.values()}
    for name, split in sorted(names.items()):
        question = f"Summarize the coverage of {name}"
        told = briefer.brief(collection_question(question), question)
        ids = told.stories[0].article_ids if told.stories else ()
        majority = Counter(labels[a]["story"] for a in ids).most_common(1)
        depth[split][0] += bool(majority and majority[0][0] == name)
        depth[split][1] += 1
    return {"stories": whole, "briefing_stories": len(answer.stories),
            "uncited_stories": sum(not s.numbers for s in answer.stories), "sentences": len(said),
            "near_duplicate_pairs": near,
            "one_story_right": {split: f"{right}/{total}" for split, (right, total) in depth.items()}}


def synthetic(articles: int, dim: int = 384, seed: int = 5) -> list[tuple[str, np.ndarray]]:
    """Articles around story centres (Zipf-like sizes, a third of them single reports), in a
    random publication order; each within ~0.7 cosine of its centre."""
    rng = np.random.default_rng(seed)
    sizes = []
    while sum(sizes) < articles:
        sizes.append(int(min(articles - sum(sizes), max(1, rng.zipf(1.8)))))
    centres = rng.standard_normal((len(sizes), dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    found = []
    for story, size in enumerate(sizes):
        noise = rng.standard_normal((size, dim)).astype(np.float32)
        noise *= 0.9 / np.linalg.norm(noise, axis=1, keepdims=True)
        for n, vector in enumerate(centres[story] + noise):
            found.append((f"s{story}-a{n}", vector / np.linalg.norm(vector)))
    order = rng.permutation(len(found))
    return [found[i] for i in order]


def speed(articles: int, threshold: float) -> dict:
    found = synthetic(articles)
    started = time.perf_counter()
    clusters = cluster(found, threshold)
    seconds = time.perf_counter() - started
    truth = {u: u.split("-")[0] for u, _ in found}
    predicted = {u: clusters.story_of[u] for u, _ in found}
    quality_row = scores(predicted, truth)
    quality_row.pop("missed")
    return {"articles": articles, "seconds": round(seconds, 2), "stories": len(clusters.members), **quality_row}


def briefing_speed(data_dir: Path, runs: int) -> dict:
    """Seconds for the first briefing of an index (reading its article vectors, clustering,
    reading the shown stories' sentences) and p50 / p95 of the same briefings once cached."""
    from assistant.news.stories import StoryIndex
    from assistant.pipeline.briefing import Briefer, collection_question
    from assistant.retrieval import HybridSearch
    from index import Settings

    search = HybridSearch(Settings.load(env={}, data_dir=data_dir))
    stories = StoryIndex(search, search.settings.story_threshold)
    started = time.perf_counter()
    every = stories.stories()
    clustered = time.perf_counter() - started
    briefer = Briefer(stories, search.settings.briefing_stories)
    newest = max((m.published[:10] for m in search.catalog.values() if m.published), default="")
    questions = ["Summarize the articles", "What are the main stories?"]
    if newest:
        questions.append(f"What's new since {newest}?")
    rows = {}
    for question in questions:
        asked = collection_question(question)
        started = time.perf_counter()
        briefer.brief(asked, question)
        first = time.perf_counter() - started
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            briefer.brief(asked, question)
            times.append(time.perf_counter() - started)
        rows[question] = {"first_s": round(first, 3), "p50_ms": round(1000 * statistics.median(times), 1),
                          "p95_ms": round(1000 * sorted(times)[int(0.95 * (len(times) - 1))], 1)}
    # beside it, in the same run: a plain extractive answer on the same index (through the chain)
    from assistant.answering import Assistant

    plain = Assistant(search.settings, corpus=search)
    plain.answer("What did the report say about the city?")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        plain.answer("What did the report say about the city?")
        times.append(time.perf_counter() - started)
    return {"articles": len(search.committed), "stories": len(every), "stories_s": round(clustered, 2),
            "briefings": rows, "extractive_answer_p50_ms": round(1000 * statistics.median(times), 1)}


class StoryEmbedder:
    """Builds a synthetic index whose articles have story structure: a sentence of report
    "Report S-N" gets story S's centre plus noise (as `synthetic` makes them); the real
    model is only asked to size chunks. Everything else (chunking, Chroma, the lexical
    index, copy grouping) runs for real."""

    @staticmethod
    def make(real, centres: np.ndarray, seed: int = 9):
        from index.embedding import Embedder

        class Replay(Embedder):
            def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
                rng = np.random.default_rng(seed + len(texts))
                out = []
                for text in texts:
                    story = int(text.split("Report ", 1)[1].split("-", 1)[0])
                    noise = rng.standard_normal(centres.shape[1]).astype(np.float32)
                    vector = centres[story] + noise * (1.2 / np.linalg.norm(noise))
                    out.append(vector / np.linalg.norm(vector))
                return np.stack(out).astype(np.float32)

        replay = Replay(real.model_name if not real.local else "", real.batch_size, real.backend, real.cache_dir)
        replay.model_id = real.model_id
        return replay


def big_index(work: Path, articles: int) -> Path:
    """A synthetic index of `articles` short reports (four sentences of SQuAD text each)
    grouped into stories of Zipf-like sizes; built once under WORK_DIR."""
    from index import Settings, build_index
    from index.embedding import embedder_for

    data = work / f"data-{articles}"
    if (work / f"built-{articles}").exists():
        return data
    rng = np.random.default_rng(3)
    sentences = [s.strip() + "." for p in sorted((REPO_EVAL / "articles").glob("*.json"))
                 for s in json.loads(p.read_text())["text"].replace("\n", " ").split(". ") if len(s.split()) > 6]
    folder = work / f"articles-{articles}"
    folder.mkdir(parents=True, exist_ok=True)
    found = synthetic(articles)
    stories = sorted({int(u.split("-")[0][1:]) for u, _ in found})
    centres = rng.standard_normal((max(stories) + 1, 384)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    for n, (unit, _) in enumerate(found):
        story = int(unit.split("-")[0][1:])
        text = " ".join(sentences[i] for i in rng.integers(0, len(sentences), 4))
        (folder / f"r{n:05d}.json").write_text(json.dumps({
            "title": f"Report {story}-{n}", "text": text, "source": f"Outlet {n % 7}",
            "published": f"2025-{1 + (story * 7) % 12:02d}-{1 + n % 28:02d}"}))
    settings = Settings.load(env={}, data_dir=data)
    build_index(folder, settings=settings, embedder=StoryEmbedder.make(embedder_for(settings), centres))
    (work / f"built-{articles}").touch()
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality")
    q.add_argument("work", type=Path)
    q.add_argument("--thresholds", default=",".join(map(str, THRESHOLDS)))
    q.add_argument("--reports", type=int, default=4, help="reports per SQuAD topic (a new WORK dir for another)")
    q.add_argument("--paragraphs", type=int, default=3, help="paragraphs per report at most")
    s = sub.add_parser("speed")
    s.add_argument("--articles", type=int, default=10_000)
    s.add_argument("--threshold", type=float, default=None)
    b = sub.add_parser("briefing")
    b.add_argument("data_dir", type=Path)
    b.add_argument("--runs", type=int, default=20)
    g = sub.add_parser("big")
    g.add_argument("work", type=Path)
    g.add_argument("--articles", type=int, default=10_000)
    g.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if args.command == "briefing":
        print(json.dumps(briefing_speed(args.data_dir, args.runs)))
    elif args.command == "big":
        print(json.dumps(briefing_speed(big_index(args.work, args.articles), args.runs)))
    elif args.command == "quality":
        result = quality(args.work, tuple(float(t) for t in args.thresholds.split(",")), args.reports,
                         args.paragraphs)
        for row in result["rows"]:
            print(json.dumps(row))
        print(json.dumps(result["briefing"]))
    elif args.command == "speed":
        from index import Settings
        threshold = args.threshold if args.threshold is not None else Settings.load(env={}).story_threshold
        print(json.dumps(speed(args.articles, threshold)))


if __name__ == "__main__":
    main()
