"""Throughput (messages/s) of the classified stage's parts: lid.176 language ID, each toxicity
backend, and the stage as the demo configures it (language + embedded toxicity over a table).

    .venv/bin/python bench/bench_classify.py [--messages 3000] [--stage-messages 40000] [--repeat 3]
                                             [--detoxify auto|real|random-base|skip]

Messages are real chat turns (../shared/data/wildchat, 186 WildChat-1M conversations, mean
~1,000 characters) plus the 20-language lid sample, each made distinct (a numbered suffix) so
no cache or de-duplication flatters the numbers.

The parts run on ``--messages`` in one process (langid also at the old ``max_chars`` 4000).
The stage runs on ``--stage-messages`` (40,000: a 20k-turn day) as the resources configure it
(``workers`` 2, max_chars 500) and in one process, interleaved, best of ``--repeat``; CPU time
counts the worker processes too.

Detoxify: ``real`` loads the configured weights (WILDCHAT_DETOXIFY_CHECKPOINT and
WILDCHAT_DETOXIFY_HF_CONFIG, or the download); ``random-base`` builds Detoxify's multilingual
architecture (XLM-R base: 12 layers, hidden 768, 250k vocabulary) with random weights and a
locally trained WordPiece tokenizer: same compute per token as the real model, so the same
speed, but meaningless scores. ``auto`` tries ``real`` then falls back to ``random-base``.
OpenAI moderation runs against a local stand-in server (what is measured is the client's own
cost, batching and the SQLite cache, not OpenAI's latency or rate limits).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wildchat_dagster.core.langid import LanguageIdentifier, add_language_columns  # noqa: E402
from wildchat_dagster.core.schema import MODERATION_CATEGORIES  # noqa: E402
from wildchat_dagster.core.toxicity import (  # noqa: E402
    DetoxifyBackend,
    EmbeddedBackend,
    OpenAIModerationBackend,
    add_toxicity_columns,
    resolve_device,
)

SHARED = ROOT.parent / "shared" / "data"


def load_messages(n: int) -> list[str]:
    base: list[str] = []
    with open(SHARED / "wildchat" / "wildchat1m_sample_186.jsonl", encoding="utf-8") as fh:
        for line in fh:
            base += [m["content"] for m in json.loads(line)["conversation"] if m["content"]]
    with open(SHARED / "langid" / "sample_20lang_x25.tsv", encoding="utf-8") as fh:
        next(fh)
        base += [line.rstrip("\n").split("\t", 3)[3] for line in fh]
    return [f"{base[i % len(base)]} #{i}" for i in range(n)]


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def cpu_seconds() -> float:
    """User + system time of this process and of its finished children (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def random_base_detoxify(texts: list[str], device: str):
    """Detoxify's multilingual architecture with random weights (speed only)."""
    import torch
    import transformers
    from detoxify import Detoxify
    from tokenizers import BertWordPieceTokenizer

    wordpiece = BertWordPieceTokenizer(lowercase=False)
    wordpiece.train_from_iterator(texts, vocab_size=30000, min_frequency=1)
    tokenizer = transformers.BertTokenizer(vocab=wordpiece.get_vocab(), model_max_length=512)
    # xlm-roberta-base sizes (the multilingual Detoxify model): 12 layers, hidden 768, 250k vocabulary.
    config = transformers.XLMRobertaConfig(vocab_size=250002, max_position_embeddings=514, type_vocab_size=1,
                                           num_labels=7)
    torch.manual_seed(0)
    model = transformers.XLMRobertaForSequenceClassification(config).eval().to(device)
    detox = Detoxify.__new__(Detoxify)  # Detoxify's own predict() over our model and tokenizer
    detox.model, detox.tokenizer, detox.device = model, tokenizer, device
    detox.class_names = ["toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat",
                         "sexual_explicit"]
    return detox


class _StandIn(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        result = {"flagged": False, "categories": dict.fromkeys(MODERATION_CATEGORIES, False),
                  "category_scores": dict.fromkeys(MODERATION_CATEGORIES, 0.001)}
        payload = json.dumps({"id": "modr-bench", "model": "omni-moderation-bench",
                              "results": [result] * len(body["input"])}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--stage-messages", type=int, default=40000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--detoxify", choices=["auto", "real", "random-base", "skip"], default="auto")
    parser.add_argument("--detoxify-messages", type=int, default=64)
    parser.add_argument("--detoxify-batch-size", type=int, default=32)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", type=Path, help="write the numbers here too")
    args = parser.parse_args(argv)

    texts = load_messages(args.messages)
    chars = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} distinct messages, mean {chars:.0f} characters; torch threads: ", end="")
    import torch

    print(torch.get_num_threads())
    report: dict[str, dict] = {}

    def record(name: str, n: int, seconds: float, note: str = "") -> None:
        report[name] = {"messages": n, "seconds": round(seconds, 3),
                        "messages_per_s": round(rate(n, seconds), 1), "note": note}
        print(f"{name:<34} {n:>6} msgs {seconds:>8.2f}s {rate(n, seconds):>10.1f} msg/s  {note}")

    lid, load_s = timed(lambda: LanguageIdentifier(workers=1))
    print(f"(lid.176.ftz load {load_s:.2f}s)")
    _, s = timed(LanguageIdentifier(max_chars=4000, workers=1).identify, texts)
    record("langid lid.176.ftz, max_chars 4000", len(texts), s, "the default before issue 10")
    _, s = timed(lid.identify, texts)
    record("langid lid.176.ftz", len(texts), s, "max_chars 500, one process")

    embedded = EmbeddedBackend(workers=1)
    _, load_s = timed(embedded.score, ["warm up"])
    print(f"(alt-profanity-check load {load_s:.2f}s)")
    _, s = timed(embedded.score, texts)
    record("toxicity embedded", len(texts), s, "alt-profanity-check, one process")

    big = load_messages(args.stage_messages)
    n = len(big)
    table = pa.table({"conversation_id": [str(i // 6) for i in range(n)], "content": big})
    stages = {  # the demo's resources (two processes) and the same in one process
        1: (lid, embedded),
        args.workers: (LanguageIdentifier(workers=args.workers), EmbeddedBackend(workers=args.workers)),
    }
    best: dict[int, tuple[float, float]] = {}
    outputs = {}
    for _ in range(args.repeat):
        for workers, (stage_lid, stage_embedded) in stages.items():
            c0, t0 = cpu_seconds(), time.perf_counter()
            outputs[workers] = add_toxicity_columns(add_language_columns(table, stage_lid), [stage_embedded])
            seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
            if seconds < best.get(workers, (float("inf"), 0.0))[0]:
                best[workers] = (seconds, cpu)
    for workers, (seconds, cpu) in best.items():
        record(f"classified stage, {workers} process{'es' if workers > 1 else ''}", n, seconds,
               f"langid + embedded, table in/out; best of {args.repeat}; CPU {cpu:.2f}s")
    if len(outputs) > 1:
        assert outputs[1].equals(outputs[args.workers]), "pool output differs from one process"
    print(f"(load average {os.getloadavg()[0]:.2f}; one-process and {args.workers}-process tables equal)")

    if args.detoxify != "skip":
        device = resolve_device(args.device)
        sample = texts[: args.detoxify_messages]
        backend, note = None, ""
        if args.detoxify in ("auto", "real"):
            try:
                backend = DetoxifyBackend(
                    os.environ.get("WILDCHAT_DETOXIFY_MODEL", "multilingual"),
                    checkpoint=os.environ.get("WILDCHAT_DETOXIFY_CHECKPOINT"),
                    huggingface_config_path=os.environ.get("WILDCHAT_DETOXIFY_HF_CONFIG"),
                    device=device, batch_size=args.detoxify_batch_size,
                )
                backend.model  # noqa: B018
                note = backend.version
            except Exception as exc:
                if args.detoxify == "real":
                    raise
                print(f"(real Detoxify weights unavailable: {type(exc).__name__}; using random-base)")
                backend = None
        if backend is None:
            model, build_s = timed(random_base_detoxify, texts, device)
            print(f"(random XLM-R base Detoxify built in {build_s:.1f}s)")
            backend = DetoxifyBackend("multilingual", device=device, batch_size=args.detoxify_batch_size,
                                      model=model)
            note = f"XLM-R base architecture, random weights, on {device} (speed only)"
        backend.score(sample[:4])  # warm up
        _, s = timed(backend.score, sample)
        record(f"toxicity detoxify ({device})", len(sample), s, note)

    with tempfile.TemporaryDirectory() as tmp:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
            moderation = OpenAIModerationBackend("bench-key", base_url=url, cache_path=Path(tmp) / "m.sqlite")
            _, s = timed(moderation.score, texts)
            record("moderation client, cold (local)", len(texts), s,
                   f"{moderation.stats.requests} requests of <=32 inputs to a local stand-in")
            again = OpenAIModerationBackend("bench-key", base_url=url, cache_path=Path(tmp) / "m.sqlite")
            _, s = timed(again.score, texts)
            record("moderation rerun from cache", len(texts), s, f"{again.stats.requests} requests")
        finally:
            httpd.shutdown()
            httpd.server_close()

    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
