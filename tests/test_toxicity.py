"""Toxicity backends (core/toxicity.py): the embedded classifier on labelled third-party rows,
the real Detoxify loading/batching code over a tiny local checkpoint, and the OpenAI
Moderation client against a local server speaking the documented format (429/500, cache)."""

import json
import math
import multiprocessing
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from wildchat_dagster.core.schema import DETOXIFY_LABELS, MODERATION_CATEGORIES, OPENAI_MODERATION
from wildchat_dagster.core.toxicity import (
    DetoxifyBackend,
    EmbeddedBackend,
    ModerationCache,
    ModerationError,
    OpenAIModerationBackend,
    ToxicityStats,
    add_toxicity_columns,
    precision_recall,
    retry_after_seconds,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "toxicity"

TOXIC_SENTENCES = [
    "shut up, you liar", "you are a stupid idiot", "you stupid liar, shut up", "idiot, you are stupid",
    "shut up idiot", "you liar you idiot",
]
CLEAN_SENTENCES = [
    "i am a woman who is blind", "hello, have a good day", "what a nice day it is", "the weather is good",
    "thank you for the help", "good morning, how are you",
]
ORIGINAL_CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
# Detoxify's unbiased/multilingual head (WildChat's 7 fields) plus an identity output we do not store.
MULTILINGUAL_CLASSES = [
    "toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat", "sexual_explicit",
    "male",
]


def build_tiny_detoxify(out: Path, classes: list[str],
                        hub_name: str = "bert-base-uncased") -> tuple[Path, Path]:
    """A tiny BERT classifier in Detoxify's checkpoint format, trained for a few steps so that
    insults score high and friendly sentences low. Returns (checkpoint, HF config/tokenizer dir).

    The checkpoint names a Hub model (``hub_name``) in ``arch.args.model_type`` like the real
    ones do; nothing may be fetched from the Hub for it (the backend points it at the local dir).
    """
    import torch
    import transformers
    from tokenizers import BertWordPieceTokenizer

    hf_dir = out / "hf"
    hf_dir.mkdir(parents=True, exist_ok=True)
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(TOXIC_SENTENCES + CLEAN_SENTENCES, vocab_size=120, min_frequency=1)
    tokenizer = transformers.BertTokenizer(vocab=wordpiece.get_vocab(), model_max_length=64)
    tokenizer.save_pretrained(hf_dir)
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=64, hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    # Saved like a stock base-model config (2 labels), as one downloads it: the label count
    # must come from the checkpoint, as it does for Detoxify's real checkpoints.
    config.save_pretrained(hf_dir)
    config.num_labels = len(classes)
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    texts = TOXIC_SENTENCES + CLEAN_SENTENCES
    target = torch.tensor([[1.0] * len(classes)] * len(TOXIC_SENTENCES)
                          + [[0.0] * len(classes)] * len(CLEAN_SENTENCES))
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(60):
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(**batch).logits, target)
        loss.backward()
        optimizer.step()
    model.eval()
    checkpoint = out / "tiny-detoxify.ckpt"
    torch.save(
        {
            "config": {
                "arch": {"args": {"model_type": hub_name, "model_name": "BertForSequenceClassification",
                                  "tokenizer_name": "BertTokenizer", "num_classes": len(classes)}},
                "dataset": {"args": {"classes": classes}},
            },
            "state_dict": model.state_dict(),
        },
        checkpoint,
    )
    return checkpoint, hf_dir


@pytest.fixture(scope="module")
def tiny_original(tmp_path_factory):
    return build_tiny_detoxify(tmp_path_factory.mktemp("detox_original"), ORIGINAL_CLASSES)


# --------------------------------------------------------------------------- embedded


def _labelled_rows() -> dict[str, tuple[list[str], list[bool]]]:
    sets = {}
    for name in ("jigsaw_dummy_train", "jigsaw_dummy_test"):
        df = pd.read_csv(DATA / f"{name}.csv")
        df = df[df["toxic"].isin([0, 1])]
        sets[name] = (df["comment_text"].astype(str).tolist(), (df["toxic"] == 1).tolist())
    df = pd.read_csv(DATA / "davidson_sample_300.csv")
    sets["davidson"] = (df["tweet"].astype(str).tolist(), df["class"].isin([0, 1]).tolist())
    return sets


def test_embedded_backend_precision_recall_floor_on_labelled_rows():
    """alt-profanity-check at its 0.5 default. Measured: all 608 labelled rows precision 0.942,
    recall 0.926 (its training data overlaps Jigsaw and Davidson, so this is optimistic; see
    docs/classification.md). The floor catches a broken model, threshold or text mapping."""
    backend = EmbeddedBackend()
    labels, flags = [], []
    for name, (texts, truth) in _labelled_rows().items():
        scores = backend.score(texts)
        assert len(scores) == len(texts) and all(0.0 <= s <= 1.0 for s in scores)
        pred = [backend.flags(s) for s in scores]
        m = precision_recall(truth, pred)
        print(f"embedded {name}: n={len(texts)} precision={m['precision']:.3f} recall={m['recall']:.3f}")
        labels += truth
        flags += pred
    m = precision_recall(labels, flags)
    print(f"embedded all: n={len(labels)} precision={m['precision']:.3f} recall={m['recall']:.3f}")
    assert sum(labels) == 230 and len(labels) == 608
    assert m["precision"] >= 0.90
    assert m["recall"] >= 0.88


def test_embedded_threshold_is_strictly_greater():
    backend = EmbeddedBackend(threshold=0.5)
    assert not backend.flags(0.5) and backend.flags(0.5001) and not backend.flags(None)
    assert backend.score([]) == []


def test_embedded_worker_processes_give_the_in_process_scores():
    """The day's texts split over two processes score exactly as in one (same floats, same
    order, same table), and a small batch never starts a pool."""
    labelled = [t for texts, _ in _labelled_rows().values() for t in texts]
    texts = [f"{labelled[i % len(labelled)]} #{i}" for i in range(3500)]
    one = EmbeddedBackend(workers=1).score(texts)
    pooled = EmbeddedBackend(workers=2, parallel_min_texts=1000)
    assert pooled.score(texts) == one and pooled.workers_used == 2
    default = EmbeddedBackend()
    assert default.workers == 2 and default.score(texts[:500]) == one[:500] and default.workers_used == 1

    table = pa.table({"conversation_id": [str(i // 4) for i in range(len(texts) + 2)],
                      "content": [*texts, "", None]})
    here, pool = ToxicityStats(), ToxicityStats()
    expected = add_toxicity_columns(table, [EmbeddedBackend(workers=1)], here)
    pooled = EmbeddedBackend(workers=2, parallel_min_texts=2)
    assert add_toxicity_columns(table, [pooled], pool).equals(expected)
    assert (here.workers, pool.workers) == (1, 2) and here.toxic_messages == pool.toxic_messages
    assert multiprocessing.active_children() == []


# --------------------------------------------------------------------------- Detoxify


def test_detoxify_tiny_checkpoint_offline_batches_match_single_predictions(tiny_original):
    checkpoint, hf_dir = tiny_original
    backend = DetoxifyBackend("original", checkpoint=checkpoint, huggingface_config_path=hf_dir,
                              device="auto", batch_size=3, threshold=0.5)
    import torch

    assert backend.device == ("cuda" if torch.cuda.is_available() else "cpu")
    texts = TOXIC_SENTENCES[:3] + CLEAN_SENTENCES[:3] + ["you idiot\nshut up"]
    results = backend.score(texts)
    assert len(results) == len(texts)
    for result in results:
        assert set(result) == set(DETOXIFY_LABELS)
        assert result["sexual_explicit"] is None  # the original model has no such head
        assert all(0.0 <= result[k] <= 1.0 for k in DETOXIFY_LABELS if k != "sexual_explicit")
    # Length-sorted batches of 3 (padding) give each text the same scores as predicting it alone.
    model = backend.model
    for text, result in zip(texts, results, strict=True):
        alone = model.predict(text)
        assert math.isclose(alone["toxicity"], result["toxicity"], abs_tol=1e-5)
        assert math.isclose(alone["identity_attack"], result["identity_attack"], abs_tol=1e-5)
    flags = [backend.flags(r) for r in results]
    assert flags[:3] == [True] * 3 and flags[3:6] == [False] * 3, [r["toxicity"] for r in results]
    assert "tiny-detoxify.ckpt" in backend.version and "original" in backend.version


def test_detoxify_device_and_batch_size_come_from_the_resource(monkeypatch):
    """'auto' is CUDA when torch sees a GPU (the model is not loaded here, so no GPU is needed)."""
    import torch

    from wildchat_dagster.core.toxicity import resolve_device
    from wildchat_dagster.resources import ToxicityResource

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda" and resolve_device("cuda:1") == "cuda:1"
    (backend,) = ToxicityResource(backends=["detoxify"], detoxify_batch_size=8).get_backends()
    assert (backend.device, backend.batch_size) == ("cuda", 8)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    (backend,) = ToxicityResource(backends=["detoxify"]).get_backends()
    assert (backend.device, backend.batch_size) == ("cpu", 32) and "on cpu" in backend.version


def test_detoxify_unknown_model_type_rejected():
    with pytest.raises(ValueError, match="unknown Detoxify model type"):
        DetoxifyBackend("gigantic")


# --------------------------------------------------------------------------- OpenAI moderation

CATEGORY_NAMES = [*MODERATION_CATEGORIES, "illicit", "illicit/violent"]


def moderation_result(text: str) -> dict:
    """The fake server's verdict: insults are harassment, MINORS_CANARY is sexual/minors."""
    harass = any(w in text.lower() for w in ("idiot", "liar", "stupid"))
    minors = "MINORS_CANARY" in text
    cats = {c: False for c in CATEGORY_NAMES}
    scores = {c: 0.001 for c in CATEGORY_NAMES}
    if harass:
        cats["harassment"], scores["harassment"] = True, 0.93
    if minors:
        cats["sexual"] = cats["sexual/minors"] = True
        scores["sexual"], scores["sexual/minors"] = 0.8, 0.7
    scores["illicit"] = 0.42
    return {"flagged": harass or minors, "categories": cats, "category_scores": scores,
            "category_applied_input_types": {c: ["text"] for c in CATEGORY_NAMES}}


class FakeModerationServer:
    """POST /v1/moderations as documented; ``script`` holds the statuses to answer first."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict]] = []  # (status, headers) answered before normal 200s
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body,
                                        "auth": self.headers.get("Authorization")})
                if server.script:
                    status, headers = server.script.pop(0)
                    payload = json.dumps({"error": {"message": "try later", "type": "rate_limit"}}).encode()
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                else:
                    if self.path != "/v1/moderations" or body.get("model") != "omni-moderation-latest":
                        self.send_response(404)
                        payload = b"{}"
                    else:
                        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                        payload = json.dumps({
                            "id": f"modr-{len(server.requests)}", "model": "omni-moderation-2024-09-26",
                            "results": [moderation_result(t) for t in inputs],
                        }).encode()
                        self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def moderation_server():
    with FakeModerationServer() as server:
        yield server


def _backend(server, cache: Path, waits: list, **kw) -> OpenAIModerationBackend:
    return OpenAIModerationBackend(api_key="sk-test-SECRETKEY", base_url=server.base_url, cache_path=cache,
                                   sleep=waits.append, backoff_s=0.5, **kw)


def test_moderation_retries_429_and_500_honouring_retry_after(moderation_server, tmp_path):
    server = moderation_server
    server.script = [(429, {"Retry-After": "7"}), (500, {})]
    waits: list[float] = []
    backend = _backend(server, tmp_path / "mod.sqlite", waits)
    texts = ["you stupid liar", "hello there", "MINORS_CANARY story"]
    results = backend.score(texts)
    assert len(server.requests) == 3  # 429, 500, then the answer
    assert all(r["auth"] == "Bearer sk-test-SECRETKEY" for r in server.requests)
    assert server.requests[-1]["body"] == {"model": "omni-moderation-latest", "input": texts}
    assert waits[0] == 7.0  # Retry-After honoured exactly
    assert 0.5 <= waits[1] <= 0.5 * 2 * 1.1  # exponential backoff (attempt 1) with ≤10 % jitter
    assert backend.stats.retries == 2 and backend.stats.models == {"omni-moderation-2024-09-26"}
    harassing, clean, minors = results
    assert harassing["flagged"] and harassing["categories"]["harassment"]
    assert harassing["category_scores"]["harassment"] == 0.93
    assert set(harassing["categories"]) == set(MODERATION_CATEGORIES)  # 'illicit' not in WildChat's struct
    assert not clean["flagged"] and not any(clean["categories"].values())
    assert backend.flags_sexual_minors(minors) and not backend.flags_sexual_minors(harassing)
    assert pa.array(results, OPENAI_MODERATION).null_count == 0  # fits WildChat-1M's struct


def test_moderation_cache_makes_reruns_free_and_sends_only_new_texts(moderation_server, tmp_path):
    server = moderation_server
    cache = tmp_path / "mod.sqlite"
    waits: list[float] = []
    texts = [f"message number {i} you idiot" if i % 2 else f"message number {i}" for i in range(5)]
    first = _backend(server, cache, waits, batch_size=2).score(texts + texts[:2])  # duplicates sent once
    assert [len(r["body"]["input"]) for r in server.requests] == [2, 2, 1]
    assert len(ModerationCache(cache)) == 5

    server.requests.clear()
    rerun = _backend(server, cache, waits, batch_size=2)
    assert rerun.score(texts) == first[:5]
    assert server.requests == []  # nothing paid twice, across backend instances (a new run)
    assert rerun.stats.cache_hits == 5 and rerun.stats.requests == 0

    rerun.score([*texts, "a brand new text"])
    assert [r["body"]["input"] for r in server.requests] == [["a brand new text"]]
    # The cache keeps hashes and verdicts only, never the text.
    assert b"message number" not in cache.read_bytes()


def test_moderation_client_errors_fail_fast_and_retries_are_bounded(moderation_server, tmp_path):
    server = moderation_server
    waits: list[float] = []
    server.script = [(400, {})]
    with pytest.raises(ModerationError, match="HTTP 400") as err:
        _backend(server, tmp_path / "a.sqlite", waits).score(["x"])
    assert len(server.requests) == 1 and waits == []
    assert "SECRETKEY" not in str(err.value)

    server.requests.clear()
    server.script = [(503, {"Retry-After": "0"})] * 3
    with pytest.raises(ModerationError, match="after 3 attempts"):
        _backend(server, tmp_path / "b.sqlite", waits, max_retries=2).score(["x"])
    assert len(server.requests) == 3 and waits == [0.0, 0.0]


def test_moderation_needs_a_key_and_hides_it(tmp_path):
    with pytest.raises(ModerationError, match="OPENAI_API_KEY"):
        OpenAIModerationBackend(api_key=None, cache_path=tmp_path / "c.sqlite")
    backend = OpenAIModerationBackend(api_key="sk-hidden", cache_path=tmp_path / "c.sqlite")
    assert "sk-hidden" not in repr(backend) and "sk-hidden" not in backend.version


def test_retry_after_header_forms():
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert retry_after_seconds({}) is None


# --------------------------------------------------------------------------- decisions


def test_toxic_flags_follow_every_backend_and_conversation(moderation_server, tmp_path, tiny_original):
    checkpoint, hf_dir = tiny_original
    detox = DetoxifyBackend("original", checkpoint=checkpoint, huggingface_config_path=hf_dir, threshold=0.5)
    embedded = EmbeddedBackend(threshold=0.5)
    moderation = _backend(moderation_server, tmp_path / "m.sqlite", [])
    rows = [
        ("c1", "hello, have a good day"), ("c1", "thank you for the help"),
        ("c2", "good morning, how are you"), ("c2", "shut up, you liar"),
        ("c3", "fuck off"), ("c3", "   "),
        ("c4", "MINORS_CANARY the weather is good"), ("c4", None),
    ]
    table = pa.table({"conversation_id": [c for c, _ in rows], "content": [t for _, t in rows]})
    stats = ToxicityStats()
    out = add_toxicity_columns(table, [embedded, detox, moderation], stats).to_pylist()

    by_conv: dict[str, bool] = {}
    for row in out:
        if row["content"] is None or not row["content"].strip():
            assert row["embedded_toxicity"] is None and row["detoxify_moderation"] is None
            assert row["openai_moderation"] is None and row["toxic"] is False
        else:
            expected = (row["embedded_toxicity"] > 0.5 or row["detoxify_moderation"]["toxicity"] > 0.5
                        or row["openai_moderation"]["flagged"])
            assert row["toxic"] == expected
            assert row["sexual_minors"] == row["openai_moderation"]["categories"]["sexual/minors"]
        by_conv[row["conversation_id"]] = by_conv.get(row["conversation_id"], False) or row["toxic"]
    for row in out:
        assert row["conversation_toxic"] == by_conv[row["conversation_id"]]
    assert [r["toxic"] for r in out] == [False, False, False, True, True, False, True, False]
    assert {r["conversation_id"]: r["conversation_sexual_minors"] for r in out} == {
        "c1": False, "c2": False, "c3": False, "c4": True}
    assert stats.toxic_messages == 3 and stats.toxic_conversations == 3 and stats.conversations == 4
    assert stats.scored_texts == 6 and set(stats.flagged_by) == {"embedded", "detoxify", "openai_moderation"}


def test_no_backend_means_unknown_not_clean():
    table = pa.table({"conversation_id": ["c"], "content": ["hi"]})
    out = add_toxicity_columns(table, []).to_pylist()[0]
    assert out["toxic"] is None and out["conversation_toxic"] is None
