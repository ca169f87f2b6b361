"""Real WildChat text in the input contract: the generator's drops with every message replaced.

The project's generator (core/generate.py) gives drops with real-world *structure* (users,
devices, histories that grow call by call, regenerations and edits, midnight crossings,
malformed and no-consent lines) but its own text. This module rewrites such drops in place so
that every message's content is real WildChat-1M text from ``../shared/data/wildchat``
(real lengths, scripts, code, maths and numbers), varied so that no text repeats more than
real chat repeats it and a content cache gains nothing it would not gain on real data:

- the source message is picked from the same role's pool (user prompts for user messages and
  for nothing else, assistant answers for ``response`` and assistant history entries);
- its lines are re-ordered, and within each line its sentences (multi-line text: code, lists);
- every digit goes through one permutation of 0-9 per message (number lengths, formats and
  the digit share stay; the values change consistently inside the message);
  runs of 13 or more digits keep their first six digits and their Luhn validity (a
  timestamp stays a non-card, a card stays a card);
- every e-mail address gets its local part's letters and digits re-ordered (the pool is small: one real
  address repeated for many users would read as public, which real chat does not show);
- a one-sentence text without digits, which none of that changes, gets its words re-ordered
  (one-word prompts such as "continue" still repeat, as they do in real chat).

The replacement is a pure function of the generated text (seeded by its hash), so the same
generated message becomes the same real text wherever it occurs: the next call's history
repeats it, and ``turn_hash``/``parent_hash`` link the calls exactly as before (files are
rewritten in parallel for that reason). Lines that are not a JSON object, fields of the wrong
type, empty and oversized contents (the generator's contract cases) are left as they are, so
quarantine and reconciliation counts stay the generator's.

    from real_text import rewrite_drops
    stats = rewrite_drops(Path("data"))      # every drop file under data/raw_logs_drop, in place
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
WILDCHAT_SAMPLE = ROOT.parent / "shared" / "data" / "wildchat" / "wildchat1m_sample_186.jsonl"
DROP_DIR = "raw_logs_drop"

# A sentence ends at . ! ? (and their full-width forms) followed by white space.
_SENTENCE_END = re.compile(r"((?<=[.!?。！？])\s+)")
_DIGITS = "0123456789"
_HAS_DIGIT = re.compile(r"[0-9]")
_DIGIT_RUN = re.compile(r"[0-9]+")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-]+)(@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
CARD_LIKE_DIGITS = 13  # digit runs this long or longer are varied as card numbers are
# Longer contents are the generator's planted contract cases (message_too_large): kept as they are.
KEEP_LONGER_THAN = 100_000


def _seed(text: str, salt: int) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8,
                             key=salt.to_bytes(8, "little")).digest()
    return int.from_bytes(digest, "little")


def vary(text: str, rng: random.Random) -> str:
    """``text`` with its lines re-ordered, each line's sentences re-ordered and its digits
    permuted (one permutation for the whole text); a one-sentence text without digits gets
    its words re-ordered instead. Same characters, same length."""
    lines = text.split("\n")
    if len(lines) > 1:
        rng.shuffle(lines)
    out = []
    for line in lines:
        pieces = _SENTENCE_END.split(line)  # sentence, separator, sentence, ...
        sentences = pieces[::2]
        if len(sentences) > 1:
            rng.shuffle(sentences)
            pieces[::2] = sentences  # the separators stay where they were: same length
            line = "".join(pieces)
        out.append(line)
    if len(out) == 1 and len(sentences) == 1 and not _HAS_DIGIT.search(text):
        # One sentence, no digit: nothing above changed it, so its words are re-ordered
        # (short prompts would otherwise repeat far more than real prompts do).
        words = out[0].split(" ")
        rng.shuffle(words)
        return " ".join(words)
    digits = list(_DIGITS)
    rng.shuffle(digits)
    table = str.maketrans(_DIGITS, "".join(digits))

    def number(m: re.Match) -> str:
        run = m.group()
        if len(run) < CARD_LIKE_DIGITS:
            return run.translate(table)  # translate on digit runs only: faster on non-ASCII text
        return _card_like(run, rng)

    text = _DIGIT_RUN.sub(number, "\n".join(out))
    # each message's e-mail addresses get their own local part (same letters, re-ordered): the
    # pool is small, and one address repeated for many users reads as public (the scrubber's
    # frequency rule keeps it) where real chat would show many different addresses
    return _EMAIL.sub(lambda m: _shuffled(m.group(1), rng) + m.group(2), text)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_like(run: str, rng: random.Random) -> str:
    """A long digit run (card, id, timestamp) varied as a card would be: the first six digits
    (a card's issuer prefix) kept, the middle shuffled, the last digit chosen so the Luhn check
    passes exactly when it passed on the real run (a timestamp must not become a card)."""
    middle = list(run[6:-1])
    rng.shuffle(middle)
    head = run[:6] + "".join(middle)
    want = _luhn_ok(run)
    choices = [d for d in _DIGITS if _luhn_ok(head + d) == want]
    return head + rng.choice(choices)


def _shuffled(word: str, rng: random.Random) -> str:
    """``word`` with its letters and digits re-ordered; dots, dashes and the like stay where
    they are (an address stays well formed: no leading or trailing dot)."""
    chars = list(word)
    slots = [i for i, c in enumerate(chars) if c.isalnum()]
    moved = [chars[i] for i in slots]
    rng.shuffle(moved)
    for i, c in zip(slots, moved, strict=True):
        chars[i] = c
    return "".join(chars)


@dataclass
class RealText:
    """Pools of real messages by role, and a bounded cache of replacements (the mapping is a
    pure function; the cache only saves recomputing it for histories repeated call by call)."""

    user: list[str]
    assistant: list[str]
    salt: int = 0
    cache_size: int = 200_000
    _cache: OrderedDict = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def load(cls, path: Path = WILDCHAT_SAMPLE, salt: int = 0) -> RealText:
        if not path.exists():
            raise FileNotFoundError(f"real text needs the WildChat sample at {path} (../shared/data)")
        user, assistant = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            for message in json.loads(line)["conversation"]:
                content = message.get("content")
                if isinstance(content, str) and content.strip():
                    (user if message.get("role") == "user" else assistant).append(content)
        return cls(user, assistant, salt)

    def replace(self, text: str, role: str) -> str:
        key = (role, text)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        seed = _seed(text, self.salt)
        pool = self.user if role == "user" else self.assistant
        rng = random.Random(seed)
        out = vary(pool[seed % len(pool)], rng)
        self._cache[key] = out
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return out


@dataclass
class RewriteStats:
    files: int = 0
    lines: int = 0
    rewritten_lines: int = 0
    messages: int = 0  # contents replaced (history entries and responses, repeats counted)
    bytes_before: int = 0
    bytes_after: int = 0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _rewrite_line(raw: bytes, real: RealText, stats: RewriteStats) -> bytes:
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw
    if not isinstance(obj, dict):
        return raw
    changed = False
    messages = obj.get("messages")
    if isinstance(messages, list):
        for m in messages:
            role = m.get("role") if isinstance(m, dict) else None
            if role in ("user", "assistant") and isinstance(m.get("content"), str):
                m["content"] = _swap(m["content"], role, real, stats)
                changed = True
    if isinstance(obj.get("response"), str):
        obj["response"] = _swap(obj["response"], "assistant", real, stats)
        changed = True
    if not changed:
        return raw
    stats.rewritten_lines += 1
    return orjson.dumps(obj)


def _swap(text: str, role: str, real: RealText, stats: RewriteStats) -> str:
    if not text.strip() or len(text) > KEEP_LONGER_THAN:
        return text  # the generator's contract cases (empty, too large) stay what they test
    stats.messages += 1
    return real.replace(text, role)


def rewrite_file(path: Path, real: RealText) -> RewriteStats:
    """Rewrite one drop file in place (written to a temporary name, then renamed)."""
    stats = RewriteStats(files=1)
    gz = path.name.endswith(".gz")
    data = (gzip.decompress if gz else bytes)(path.read_bytes())
    stats.bytes_before = len(data)
    out = []
    for raw in data.split(b"\n"):
        if raw.strip():
            stats.lines += 1
            raw = _rewrite_line(raw.rstrip(b"\r"), real, stats)
        out.append(raw)
    new = b"\n".join(out)
    stats.bytes_after = len(new)
    tmp = path.with_name(path.name + ".rewriting")
    tmp.write_bytes(gzip.compress(new) if gz else new)
    tmp.replace(path)
    return stats


_WORKER_REAL: RealText | None = None


def _rewrite_in_worker(path: str, salt: int) -> RewriteStats:
    global _WORKER_REAL
    if _WORKER_REAL is None or _WORKER_REAL.salt != salt:
        _WORKER_REAL = RealText.load(salt=salt)
    return rewrite_file(Path(path), _WORKER_REAL)


def rewrite_drops(base: Path, salt: int = 0, workers: int = 2) -> RewriteStats:
    """Rewrite every drop file under ``base/raw_logs_drop`` in place, ``workers`` files at a
    time (the mapping is a pure function, so files are independent)."""
    files = sorted(p for p in (Path(base) / DROP_DIR).rglob("*") if p.name.endswith((".jsonl", ".jsonl.gz")))
    total = RewriteStats()
    if workers > 1 and len(files) > 1:
        import concurrent.futures
        import multiprocessing

        ctx = multiprocessing.get_context("fork")  # called before any thread starts; no re-import
        with concurrent.futures.ProcessPoolExecutor(min(workers, len(files)), mp_context=ctx) as pool:
            parts = list(pool.map(_rewrite_in_worker, [str(f) for f in files], [salt] * len(files)))
    else:
        real = RealText.load(salt=salt)
        parts = [rewrite_file(f, real) for f in files]
    for part in parts:
        for k, v in part.__dict__.items():
            setattr(total, k, getattr(total, k) + v)
    return total


def real_conversations(path: Path = WILDCHAT_SAMPLE) -> list[list[dict]]:
    """The sample's conversations as role/content lists (for tools that want them unchanged)."""
    return [json.loads(line)["conversation"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
