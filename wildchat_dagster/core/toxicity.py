"""Toxicity backends and the per-message / per-conversation decisions (DESIGN §7). No Dagster here.

Three backends, any subset enabled in config; each stores its own scores:

- ``detoxify``: unitaryai's Detoxify (``original``, ``unbiased``, ``multilingual``; WildChat
  used ``multilingual``), batched, on the GPU when torch sees one. Weights download from
  GitHub where a machine can; offline, a local checkpoint plus a local Hugging Face
  config/tokenizer directory. → ``detoxify_moderation`` (WildChat-1M's struct).
- ``openai_moderation``: the OpenAI Moderation API (``omni-moderation-latest``), batched,
  retried with exponential backoff on 429/5xx honouring ``Retry-After``, and cached by
  content hash in a local SQLite file so a rerun costs nothing. → ``openai_moderation``.
- ``embedded``: an offline classifier that ships in a wheel (``alt-profanity-check``, a
  linear SVM over TF-IDF, English profanity/offence), for machines without downloads;
  the demo's default. → ``embedded_toxicity`` (a probability). It is *not* Detoxify and
  not the Moderation API; outputs and the dataset card say so.

A message is ``toxic`` when any enabled backend flags it (Detoxify ``toxicity`` above its
threshold, moderation ``flagged``, embedded probability above its threshold) and
``sexual_minors`` when any backend flags sexual/minors (only the Moderation API has that
category). A conversation is toxic / sexual_minors when any of its messages is.
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
import io
import json
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from .parallel import DEFAULT_PARALLEL_MIN_TEXTS, map_in_processes
from .schema import DETOXIFY_LABELS, DETOXIFY_MODERATION, MODERATION_CATEGORIES, OPENAI_MODERATION

log = logging.getLogger(__name__)

BACKEND_NAMES = ("embedded", "detoxify", "openai_moderation")
WILDCHAT_DETOXIFY_THRESHOLD = 0.1  # what WildChat-1M used (with moderation `flagged`)
DEFAULT_DETOXIFY_THRESHOLD = 0.5
DEFAULT_EMBEDDED_THRESHOLD = 0.5


def _pkg_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _is_blank(text: str | None) -> bool:
    return text is None or not text.strip()


class Backend(Protocol):
    name: str
    column: str

    @property
    def version(self) -> str: ...

    def score(self, texts: list[str]) -> list[Any]: ...

    def flags(self, result: Any) -> bool: ...

    def flags_sexual_minors(self, result: Any) -> bool: ...


# --------------------------------------------------------------------------- embedded


class EmbeddedBackend:
    """alt-profanity-check: offline, CPU, ~18k messages/s per core. English-centric.

    ``workers``: processes for a batch of at least ``parallel_min_texts`` texts (1: this one);
    a text's probability does not depend on the rest of its batch, so the split changes nothing.
    """

    name = "embedded"
    column = "embedded_toxicity"

    def __init__(self, threshold: float = DEFAULT_EMBEDDED_THRESHOLD, workers: int = 2,
                 parallel_min_texts: int = DEFAULT_PARALLEL_MIN_TEXTS) -> None:
        self.threshold = threshold
        self.workers = workers
        self.parallel_min_texts = parallel_min_texts
        self.workers_used = 1  # processes the last score() call used

    @property
    def version(self) -> str:
        return f"alt-profanity-check=={_pkg_version('alt-profanity-check')} (embedded offline classifier)"

    def score(self, texts: list[str]) -> list[float]:
        if not texts:
            return []
        scores, self.workers_used = map_in_processes(
            self, "score_here", texts, self.workers, min_items=self.parallel_min_texts,
            chunk_size=4096,  # predict_prob costs a few ms a call: few large chunks
        )
        return scores

    def score_here(self, texts: list[str]) -> list[float]:
        """Probabilities for ``texts``, in this process."""
        if not texts:
            return []
        from profanity_check import predict_prob  # loads its joblib model on first import (~1 s)

        return [float(p) for p in predict_prob(texts)]

    def flags(self, result: float | None) -> bool:
        return result is not None and result > self.threshold

    def flags_sexual_minors(self, result: float | None) -> bool:
        return False


# --------------------------------------------------------------------------- detoxify


def resolve_device(device: str) -> str:
    """``auto`` → ``cuda`` when torch sees a GPU, else ``cpu``; anything else as given."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@functools.lru_cache(maxsize=4)
def load_detoxify(model_type: str, checkpoint: str | None, huggingface_config_path: str | None,
                  device: str):
    """One Detoxify model per process and configuration (its own loading code does the work).

    Offline (``huggingface_config_path`` given), Detoxify 0.5.4 still asks the Hub for the
    config named in the checkpoint's ``arch.args.model_type`` (e.g. ``xlm-roberta-base``), and
    then takes the number of labels from the local ``config.json`` (2 for a stock base-model
    config) instead of the checkpoint. So we point ``model_type`` at the local directory (in
    memory; the checkpoint file is not touched) and let Detoxify build the config from it with
    the checkpoint's own label count: nothing is fetched, any stock config/tokenizer dir works.
    """
    import torch
    from detoxify import Detoxify
    from detoxify.detoxify import MODEL_URLS

    if huggingface_config_path is None:
        return Detoxify(model_type, checkpoint=checkpoint, device=device)
    if not Path(huggingface_config_path, "config.json").is_file():
        raise FileNotFoundError(f"no config.json in the Hugging Face directory {huggingface_config_path}")
    if checkpoint is not None:
        loaded = torch.load(checkpoint, map_location="cpu", weights_only=False)
    else:  # weights from GitHub (or torch hub's cache), config and tokenizer local
        loaded = torch.hub.load_state_dict_from_url(MODEL_URLS[model_type], map_location="cpu",
                                                    weights_only=False)
    if "config" not in loaded or "state_dict" not in loaded:
        raise ValueError(f"{checkpoint}: not a Detoxify checkpoint (needs 'config' and 'state_dict')")
    loaded["config"]["arch"]["args"]["model_type"] = str(huggingface_config_path)
    source = io.BytesIO()
    torch.save(loaded, source)
    del loaded
    source.seek(0)
    return Detoxify(model_type, checkpoint=source, device=device)


class DetoxifyBackend:
    """Detoxify in length-sorted batches; scores mapped onto WildChat's ``detoxify_moderation``.

    Labels a model does not produce are null (``original`` has no ``sexual_explicit``); the
    ``unbiased`` model's identity subgroup outputs are not stored (WildChat does not).
    """

    name = "detoxify"
    column = "detoxify_moderation"

    def __init__(self, model_type: str = "multilingual", checkpoint: str | None = None,
                 huggingface_config_path: str | None = None, device: str = "auto",
                 batch_size: int = 32, threshold: float = DEFAULT_DETOXIFY_THRESHOLD,
                 max_chars: int = 4000, model: Any = None) -> None:
        if model_type not in ("original", "unbiased", "multilingual", "original-small", "unbiased-small"):
            raise ValueError(f"unknown Detoxify model type {model_type!r}")
        self.model_type = model_type
        self.checkpoint = str(checkpoint) if checkpoint else None
        self.huggingface_config_path = str(huggingface_config_path) if huggingface_config_path else None
        self.device = resolve_device(device)
        self.batch_size = batch_size
        self.threshold = threshold
        self.max_chars = max_chars
        self._model = model  # an already built Detoxify instance (bench); else loaded on first use

    @property
    def model(self):
        if self._model is None:
            self._model = load_detoxify(self.model_type, self.checkpoint, self.huggingface_config_path,
                                        self.device)
        return self._model

    @property
    def version(self) -> str:
        from detoxify.detoxify import MODEL_URLS

        url = MODEL_URLS.get(self.model_type, "")
        weights = Path(self.checkpoint).name if self.checkpoint else url.rsplit("/", 1)[-1]
        return f"detoxify=={_pkg_version('detoxify')} {self.model_type} ({weights}) on {self.device}"

    def score(self, texts: list[str]) -> list[dict[str, float | None]]:
        if not texts:
            return []
        model = self.model
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        out: list[dict[str, float | None] | None] = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            batch = [texts[i][: self.max_chars] for i in idx]
            scores = model.predict(batch)
            for label, values in scores.items():  # a batch of one comes back as floats
                if not isinstance(values, list):
                    scores[label] = [values]
            for j, i in enumerate(idx):
                out[i] = {label: (float(scores[label][j]) if label in scores else None)
                          for label in DETOXIFY_LABELS}
        return out  # type: ignore[return-value]

    def flags(self, result: dict | None) -> bool:
        return result is not None and (result.get("toxicity") or 0.0) > self.threshold

    def flags_sexual_minors(self, result: dict | None) -> bool:
        return False


# --------------------------------------------------------------------------- OpenAI moderation


class ModerationError(RuntimeError):
    pass


class ModerationCache:
    """SQLite map from SHA-256(model, text) to the API's result object. Holds no text."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path))
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS moderation (key TEXT PRIMARY KEY, model TEXT NOT NULL,"
            " result TEXT NOT NULL, created REAL NOT NULL)"
        )
        self._db.commit()

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for key, result in self._db.execute(
                f"SELECT key, result FROM moderation WHERE key IN ({marks})", chunk
            ):
                found[key] = json.loads(result)
        return found

    def put_many(self, rows: list[tuple[str, str, dict]]) -> None:
        now = time.time()
        self._db.executemany(
            "INSERT OR REPLACE INTO moderation (key, model, result, created) VALUES (?, ?, ?, ?)",
            [(k, m, json.dumps(r, sort_keys=True), now) for k, m, r in rows],
        )
        self._db.commit()

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM moderation").fetchone()[0]

    def close(self) -> None:
        self._db.close()


def retry_after_seconds(headers: Any) -> float | None:
    """Delay asked for by the server: ``retry-after-ms``, or ``Retry-After`` in seconds or as a date."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(when.timestamp() - time.time(), 0.0)


@dataclass
class ModerationStats:
    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0
    cache_hits: int = 0
    scored: int = 0  # texts scored by the API this run
    models: set[str] = field(default_factory=set)  # model snapshots the API answered with
    waits: list[float] = field(default_factory=list)  # seconds slept before each retry


class OpenAIModerationBackend:
    """POST ``{base_url}/moderations`` with ``{"model", "input": [...]}``; results in input order.

    Only 429, 5xx and connection errors are retried (up to ``max_retries`` times): the wait is
    the server's ``Retry-After`` when it sends one, else ``backoff_s * 2**attempt`` (capped at
    ``max_backoff_s``) with up to 10 % jitter. Other errors (401, 400) fail at once. The API key
    is read from the environment variable named by ``api_key_env`` and never logged.
    """

    name = "openai_moderation"
    column = "openai_moderation"

    def __init__(self, api_key: str | None, model: str = "omni-moderation-latest",
                 base_url: str = "https://api.openai.com/v1", batch_size: int = 32,
                 cache_path: str | Path = "~/.cache/wildchat-dagster/openai_moderation.sqlite",
                 max_retries: int = 6, backoff_s: float = 1.0, max_backoff_s: float = 60.0,
                 timeout_s: float = 60.0, sleep: Callable[[float], None] = time.sleep,
                 session: Any = None) -> None:
        if not api_key:
            raise ModerationError("the OpenAI Moderation backend needs an API key (OPENAI_API_KEY)")
        self._api_key = api_key
        self.model = model
        self.url = base_url.rstrip("/") + "/moderations"
        self.batch_size = batch_size
        self.cache = ModerationCache(cache_path)
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.timeout_s = timeout_s
        self.sleep = sleep
        self.stats = ModerationStats()
        if session is None:
            import requests

            session = requests.Session()
        self.session = session

    def __repr__(self) -> str:  # never show the key
        return f"OpenAIModerationBackend(model={self.model!r}, url={self.url!r})"

    @property
    def version(self) -> str:
        answered = ", ".join(sorted(self.stats.models)) or "none called this run"
        return f"OpenAI Moderation API {self.model} (answered by: {answered})"

    def _post(self, texts: list[str]) -> dict:
        import requests

        attempt = 0
        while True:
            self.stats.requests += 1
            error: str
            wait: float | None = None
            try:
                response = self.session.post(
                    self.url,
                    json={"model": self.model, "input": texts},
                    headers={"Authorization": f"Bearer {self._api_key}"},
                    timeout=self.timeout_s,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                error = f"{type(exc).__name__}"
            else:
                if response.status_code == 200:
                    return response.json()
                if response.status_code != 429 and response.status_code < 500:
                    raise ModerationError(
                        f"moderation request failed: HTTP {response.status_code}: {response.text[:300]}"
                    )
                error = f"HTTP {response.status_code}"
                wait = retry_after_seconds(response.headers)
            if attempt >= self.max_retries:
                raise ModerationError(f"moderation request failed after {attempt + 1} attempts: {error}")
            if wait is None:
                wait = min(self.backoff_s * (2 ** attempt), self.max_backoff_s) * (1 + 0.1 * random.random())
            log.warning("moderation %s; retry %d/%d in %.2fs", error, attempt + 1, self.max_retries, wait)
            self.stats.retries += 1
            self.stats.waits.append(wait)
            self.sleep(wait)
            attempt += 1

    def score(self, texts: list[str]) -> list[dict]:
        keys = [ModerationCache.key(self.model, t) for t in texts]
        cached = self.cache.get_many(list(dict.fromkeys(keys)))
        self.stats.cache_hits += sum(k in cached for k in keys)
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in cached:
                todo.setdefault(key, text)
        pending = list(todo.items())
        for start in range(0, len(pending), self.batch_size):
            chunk = pending[start:start + self.batch_size]
            body = self._post([text for _, text in chunk])
            results = body.get("results") or []
            if len(results) != len(chunk):
                raise ModerationError(f"moderation returned {len(results)} results for {len(chunk)} inputs")
            answered = str(body.get("model") or self.model)
            self.stats.models.add(answered)
            rows = [(key, answered, result) for (key, _), result in zip(chunk, results, strict=True)]
            self.cache.put_many(rows)  # committed per batch: an interrupted run keeps what it paid for
            for key, _, result in rows:
                cached[key] = result
            self.stats.scored += len(chunk)
        return [to_openai_moderation(cached[k]) for k in keys]

    def flags(self, result: dict | None) -> bool:
        return bool(result and result.get("flagged"))

    def flags_sexual_minors(self, result: dict | None) -> bool:
        return bool(result and result["categories"].get("sexual/minors"))


def to_openai_moderation(result: dict) -> dict:
    """An API result → WildChat's ``openai_moderation`` struct (its 11 categories only;
    newer ones such as ``illicit`` are left out of the struct but stay in the cache)."""
    categories = result.get("categories") or {}
    scores = result.get("category_scores") or {}
    return {
        "categories": {c: (bool(categories[c]) if c in categories else None) for c in MODERATION_CATEGORIES},
        "category_scores": {c: (float(scores[c]) if c in scores else None) for c in MODERATION_CATEGORIES},
        "flagged": bool(result.get("flagged")),
    }


# --------------------------------------------------------------------------- decisions


@dataclass
class ToxicityStats:
    messages: int = 0
    scored_texts: int = 0  # distinct non-blank texts sent to the backends
    toxic_messages: int = 0
    sexual_minors_messages: int = 0
    toxic_conversations: int = 0
    conversations: int = 0
    flagged_by: dict[str, int] = field(default_factory=dict)  # backend → messages it flags
    seconds_by: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    workers: int = 1  # processes a backend's scoring used (embedded: workers; others: 1)

    def rates(self) -> dict[str, float]:
        n = self.messages or 1
        return {name: count / n for name, count in self.flagged_by.items()}


_COLUMN_TYPES = {
    "openai_moderation": OPENAI_MODERATION,
    "detoxify_moderation": DETOXIFY_MODERATION,
    "embedded_toxicity": pa.float64(),
}


def any_per_group(groups: Sequence[str], values: Sequence[bool | None]) -> list[bool | None]:
    """Per row: does any row of its group have a true value (null when the whole group is null)."""
    state: dict[str, bool | None] = {}
    for g, v in zip(groups, values, strict=True):
        if v is None:
            state.setdefault(g, None)
        else:
            state[g] = bool(state.get(g)) or v
    return [state[g] for g in groups]


def add_toxicity_columns(table: pa.Table, backends: Sequence[Backend],
                         stats: ToxicityStats | None = None) -> pa.Table:
    """Score each distinct non-blank message once per backend; append the score columns and the
    ``toxic`` / ``sexual_minors`` decisions, per message and per conversation.

    Blank messages are not sent anywhere: null scores, not toxic. With no backend enabled the
    decisions are null (unknown), not false.
    """
    stats = stats if stats is not None else ToxicityStats()
    texts = table.column("content").to_pylist()
    n = len(texts)
    unique = list(dict.fromkeys(t for t in texts if not _is_blank(t)))
    position = {t: i for i, t in enumerate(unique)}
    # (row, index into unique) of every non-blank message, shared by all backends.
    scored_rows = [(row, position[text]) for row, text in enumerate(texts) if not _is_blank(text)]
    del position
    stats.messages += n
    stats.scored_texts += len(unique)

    columns: dict[str, list] = {name: [None] * n for name in _COLUMN_TYPES}
    toxic: list[bool | None] = [None if not backends else False] * n
    minors: list[bool | None] = [None if not backends else False] * n
    for backend in backends:
        t0 = time.perf_counter()
        results = backend.score(unique)
        stats.seconds_by[backend.name] = stats.seconds_by.get(backend.name, 0.0) + time.perf_counter() - t0
        stats.versions[backend.name] = backend.version
        stats.workers = max(stats.workers, getattr(backend, "workers_used", 1))
        flagged = 0
        column = columns[backend.column]
        for row, i in scored_rows:
            result = results[i]
            column[row] = result
            if backend.flags(result):
                toxic[row] = True
                flagged += 1
            if backend.flags_sexual_minors(result):
                minors[row] = True
        stats.flagged_by[backend.name] = stats.flagged_by.get(backend.name, 0) + flagged

    conv_ids = table.column("conversation_id").to_pylist()
    conv_toxic = any_per_group(conv_ids, toxic)
    conv_minors = any_per_group(conv_ids, minors)
    stats.toxic_messages += sum(bool(v) for v in toxic)
    stats.sexual_minors_messages += sum(bool(v) for v in minors)
    first = {}
    for conv, flag in zip(conv_ids, conv_toxic, strict=True):
        first.setdefault(conv, flag)
    stats.conversations += len(first)
    stats.toxic_conversations += sum(bool(v) for v in first.values())

    arrays = {name: pa.array(values, _COLUMN_TYPES[name]) for name, values in columns.items()}
    arrays |= {
        "toxic": pa.array(toxic, pa.bool_()),
        "sexual_minors": pa.array(minors, pa.bool_()),
        "conversation_toxic": pa.array(conv_toxic, pa.bool_()),
        "conversation_sexual_minors": pa.array(conv_minors, pa.bool_()),
    }
    for name, values in arrays.items():
        if name in table.column_names:
            table = table.drop_columns([name])
        table = table.append_column(name, values)
    return table


def build_backends(names: Sequence[str], *, embedded_threshold: float = DEFAULT_EMBEDDED_THRESHOLD,
                   embedded_workers: int = 2, embedded_parallel_min_texts: int = DEFAULT_PARALLEL_MIN_TEXTS,
                   detoxify: dict | None = None, moderation: dict | None = None) -> list[Backend]:
    """Backends by name, in a fixed order, from plain keyword dicts (what a resource holds)."""
    unknown = set(names) - set(BACKEND_NAMES)
    if unknown:
        raise ValueError(f"unknown toxicity backend(s) {sorted(unknown)}; choose from {BACKEND_NAMES}")
    out: list[Backend] = []
    if "embedded" in names:
        out.append(EmbeddedBackend(threshold=embedded_threshold, workers=embedded_workers,
                                   parallel_min_texts=embedded_parallel_min_texts))
    if "detoxify" in names:
        out.append(DetoxifyBackend(**(detoxify or {})))
    if "openai_moderation" in names:
        out.append(OpenAIModerationBackend(**(moderation or {})))
    return out


def precision_recall(labels: Sequence[bool], flags: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of ``flags`` against ``labels`` (evaluation helper)."""
    tp = sum(1 for y, p in zip(labels, flags, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, flags, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, flags, strict=True) if y and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
