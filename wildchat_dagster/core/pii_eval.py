"""Precision and recall of the scrubber against labelled spans (presidio-research's format).

Records are ``{"full_text": str, "spans": [{"entity_type", "start_position", "end_position"}]}``
(end exclusive), as in ``synth_dataset_v2.json``. Every record is scrubbed as one message of
one partition, each by its own user (so the frequency rule only sees real repeats).

Span level, by overlap: a labelled span of type T is *found* when a replaced span of type T
overlaps it (recall = found / labelled); a replaced span of type T is *correct* when it
overlaps a labelled span of type T (precision = correct / replaced). ``any_type_recall``
counts a labelled span as protected when any replacement overlaps it, whatever its type.

Realistic corpus (``tests/data/pii_eval/<lang>.jsonl``, ten languages): conversations written
as users write them, with the personal data planted in them recorded as values
(``planted``: value, category, context, who) and benign look-alikes that must stay
(``benign``: value, kind). ``evaluate_corpus`` scrubs the conversations through the asset's
entry point (``scrub_table`` on a CONVERSATIONS table, one user and one IP per conversation)
and scores every planted value at conversation level. A planted value is *removed* when
nothing identifying of it survives in any scrubbed message of its conversation:

* the value itself, verbatim, or with its separators (spaces, ``-./()``) dropped on both sides;
* NAME: any name token of two or more letters (particles and honorifics such as "de", "van",
  "Mr" excepted), as a whole word (scripts written without spaces: as a substring);
* numbers (PHONE, CARD, NATIONAL_ID, IBAN, PASSPORT) of six or more digits: a run of more than
  half of its digits (at least six) inside one number of a message, the number's separators
  dropped (``+33 6 12 34 56 78`` survives as ``06 12 34 56 78`` or as ``…12 34 56 78``);
  DOB and IP: all of its digits in one number;
* EMAIL: the local part (4+ characters) as a word; SOCIAL_URL: the profile handle (the last
  path segment, 3+ characters);
* SECRET: any 12 consecutive characters of it (PASSWORD: 8);
* ADDRESS: a comma- or line-separated segment of six or more characters holding a digit.

A benign item is *kept* when it still occurs verbatim in its conversation. Recall is reported
by category, category × context, category × language and self/third person; benign kept by
kind and language; ``echo`` is recall over the values the assistant repeats, counted on the
assistant's messages only.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .pii import PiiConfig, PiiScrubber, scrub_table, use_offline_tldextract

EVAL_ENTITIES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IP_ADDRESS",
    "PERSON",
    "IBAN_CODE",
    "US_SSN",
    "ADDRESS",
)
# dataset labels under the name the scrubber uses
LABEL_ALIASES = {"STREET_ADDRESS": "ADDRESS"}


@dataclass
class EntityScore:
    entity: str
    labelled: int
    found: int
    replaced: int
    correct: int
    any_type_found: int

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.replaced if self.replaced else float("nan")

    @property
    def any_type_recall(self) -> float:
        return self.any_type_found / self.labelled if self.labelled else float("nan")


def load_records(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def evaluate(
    records: list[dict],
    config: PiiConfig | None = None,
    scrubber: PiiScrubber | None = None,
    entities: tuple[str, ...] = EVAL_ENTITIES,
) -> tuple[dict[str, EntityScore], dict]:
    """Scores per entity type, and run facts (messages, seconds, stats)."""
    scrubber = scrubber or PiiScrubber(config or PiiConfig())
    texts = [r["full_text"] for r in records]
    started = time.perf_counter()
    result = scrubber.scrub(texts, users=[f"record-{i}" for i in range(len(texts))])
    seconds = time.perf_counter() - started
    counts = {e: Counter() for e in entities}
    for record, replaced in zip(records, result.spans, strict=True):
        gold = [
            (LABEL_ALIASES.get(s["entity_type"], s["entity_type"]), s["start_position"], s["end_position"])
            for s in record["spans"]
            if LABEL_ALIASES.get(s["entity_type"], s["entity_type"]) in counts
        ]
        for entity, start, end in gold:
            c = counts[entity]
            c["labelled"] += 1
            c["found"] += any(f.entity == entity and _overlaps(start, end, f.start, f.end) for f in replaced)
            c["any_type_found"] += any(_overlaps(start, end, f.start, f.end) for f in replaced)
        for f in replaced:
            if f.entity in counts:
                c = counts[f.entity]
                c["replaced"] += 1
                c["correct"] += any(e == f.entity and _overlaps(s, t, f.start, f.end) for e, s, t in gold)
    scores = {
        e: EntityScore(e, c["labelled"], c["found"], c["replaced"], c["correct"], c["any_type_found"])
        for e, c in counts.items()
    }
    return scores, {"messages": len(texts), "seconds": seconds, "stats": result.stats.as_dict()}


def format_table(scores: dict[str, EntityScore], title: str = "") -> str:
    lines = [title] if title else []
    lines.append(
        f"{'entity':<15}{'labelled':>9}{'replaced':>9}{'precision':>10}{'recall':>8}{'any-type rec':>13}"
    )
    for s in scores.values():
        lines.append(
            f"{s.entity:<15}{s.labelled:>9}{s.replaced:>9}{s.precision:>10.3f}{s.recall:>8.3f}{s.any_type_recall:>13.3f}"
        )
    return "\n".join(lines)


# --- the realistic corpus -----------------------------------------------------------------------

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "pii_eval"
CORPUS_LANGUAGES = ("en", "ru", "zh", "es", "fr", "de", "pt", "ja", "ar", "tr")
CATEGORIES = (
    "EMAIL",
    "PHONE",
    "CARD",
    "IBAN",
    "NATIONAL_ID",
    "PASSPORT",
    "IP",
    "SOCIAL_URL",
    "SECRET",
    "PASSWORD",
    "NAME",
    "ADDRESS",
    "DOB",
)
# categories whose `who` (the writer's own or a third person's) is reported separately
WHO_CATEGORIES = ("NAME", "ADDRESS", "PHONE", "EMAIL")
BENIGN_KINDS = (
    "famous_name",
    "fictional_name",
    "placeholder_email",
    "placeholder_key",
    "hotline",
    "code_identifier",
    "version",
    "uuid",
    "hash",
    "arithmetic",
    "date_public",
    "product_number",
    "place_name",
    "private_ip",
)
_NUMBER_CATEGORIES = ("PHONE", "CARD", "NATIONAL_ID", "IBAN", "PASSPORT")
_WHOLE_DIGIT_CATEGORIES = ("DOB", "IP")
# name tokens that identify nobody: particles, honorifics, kinship words of Arabic kunyas
_NAME_PARTICLES = frozenset(
    "de da do dos das del della di du la le van von der den al el bin ibn mr mrs ms mme mlle "
    "dr dona dom sr sra bey hanım hanim herr frau أم أبو".split()
)
_SEPARATORS = re.compile(r"[\s\-./()]+")
_NUMBER_RUN = re.compile(r"\d(?:[\s().\-/+]{0,2}\d)*")
_SPACELESS_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SHORT = {
    "NATIONAL_ID": "NAT_ID",
    "PASSPORT": "PASSPT",
    "SOCIAL_URL": "SOCIAL",
    "PASSWORD": "PASSWD",
    "ADDRESS": "ADDR",
}  # column headers of the context table
_CORPUS_START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def load_corpus(
    directory: str | Path = CORPUS_DIR, languages: Iterable[str] = CORPUS_LANGUAGES
) -> list[dict]:
    """Every conversation of the corpus, languages in ``CORPUS_LANGUAGES`` order."""
    directory = Path(directory)
    out = []
    for lang in languages:
        path = directory / f"{lang}.jsonl"
        if not path.exists():
            raise FileNotFoundError(f"PII eval corpus file missing: {path}")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: not JSON ({e.msg})") from None
    return out


def corpus_table(conversations: Sequence[dict]):
    """The corpus as a CONVERSATIONS table: one user, one (documentation-range) IP and one
    partition per conversation, so the frequency rule only sees repeats within a conversation."""
    import pyarrow as pa

    from .schema import CONVERSATIONS

    rows = []
    for i, conv in enumerate(conversations):
        messages = conv["messages"]
        turns = (len(messages) + 1) // 2
        chash = hashlib.sha256(conv["id"].encode()).hexdigest()[:32]
        for m, message in enumerate(messages):
            rows.append(
                {
                    "conversation_id": conv["id"],
                    "conversation_hash": chash,
                    "message_index": m,
                    "turn": m // 2 + 1,
                    "turn_count": turns,
                    "role": message["role"],
                    "content": message["content"],
                    "timestamp": _CORPUS_START,
                    "turn_identifier": i * 100 + m // 2,
                    "model": "gpt-4o",
                    "ip": f"2001:db8::{i + 1:x}",
                    "user_agent": "Mozilla/5.0",
                    "accept_language": conv.get("lang", "en"),
                    "conversation_start": _CORPUS_START,
                    "conversation_end": _CORPUS_START,
                    "copied_prefix": False,
                    "branch_of": None,
                    "orphan": False,
                }
            )
    return pa.Table.from_pylist(rows, schema=CONVERSATIONS)


def scrub_corpus(conversations: Sequence[dict], scrubber: PiiScrubber) -> dict[str, list[str]]:
    """conversation id → its scrubbed messages, through the asset's entry point."""
    scrubbed, _ = scrub_table(corpus_table(conversations), scrubber)
    out: dict[str, list[str]] = defaultdict(list)
    for cid, content in zip(
        scrubbed.column("conversation_id").to_pylist(), scrubbed.column("content").to_pylist(), strict=True
    ):
        out[cid].append(content or "")
    return dict(out)


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text)


def _digit_runs(text: str) -> list[str]:
    return [re.sub(r"\D", "", m.group()) for m in _NUMBER_RUN.finditer(text)]


def _has_word(token: str, text: str, ignore_case: bool = False) -> bool:
    if _SPACELESS_SCRIPT.search(token):
        return token in text
    flags = re.IGNORECASE if ignore_case else 0
    return re.search(rf"(?<!\w){re.escape(token)}(?!\w)", text, flags) is not None


def _name_tokens(value: str) -> list[str]:
    tokens = [t for t in re.split(r"[\s\-‐'’.,]+", value) if t]
    return [t for t in tokens if sum(ch.isalpha() for ch in t) >= 2 and t.lower() not in _NAME_PARTICLES]


def _pieces(value: str, size: int) -> set[str]:
    if len(value) <= size:
        return {value}
    return {value[i : i + size] for i in range(len(value) - size + 1)}


def survives(category: str, value: str, texts: Sequence[str]) -> bool:
    """Whether anything identifying of a planted ``value`` is left in ``texts`` (module docstring)."""
    compact_value = _compact(value)
    for text in texts:
        if value in text or (len(compact_value) >= 4 and compact_value in _compact(text)):
            return True
    if category == "NAME":
        tokens = _name_tokens(value)
        return any(_has_word(t, text) for t in tokens for text in texts)
    if category in _NUMBER_CATEGORIES or category in _WHOLE_DIGIT_CATEGORIES:
        digits = re.sub(r"\D", "", value)
        if len(digits) < 6:
            return False
        size = len(digits) if category in _WHOLE_DIGIT_CATEGORIES else max(6, len(digits) // 2 + 1)
        pieces = _pieces(digits, size)
        return any(p in run for text in texts for run in _digit_runs(text) for p in pieces)
    if category == "EMAIL":
        local = value.split("@", 1)[0]
        return len(local) >= 4 and any(_has_word(local, text, ignore_case=True) for text in texts)
    if category == "SOCIAL_URL":
        handle = value.rstrip("/").rsplit("/", 1)[-1]
        return len(handle) >= 3 and any(_has_word(handle, text, ignore_case=True) for text in texts)
    if category in ("SECRET", "PASSWORD"):
        pieces = _pieces(value, 12 if category == "SECRET" else 8)
        return any(p in text for p in pieces for text in texts)
    if category == "ADDRESS":
        segments = [s.strip() for s in re.split(r"[,\n，、]", value)]
        segments = [s for s in segments if len(s) >= 6 and any(ch.isdigit() for ch in s)]
        return any(s in text for s in segments for text in texts)
    return False


@dataclass
class Tally:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += bool(hit)
        self.total += 1

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else float("nan")

    def as_dict(self) -> dict:
        return {"hits": self.hits, "total": self.total, "rate": round(self.rate, 3) if self.total else None}


@dataclass
class CorpusReport:
    """Recall of planted values (hits = removed) and benign items kept (hits = kept)."""

    conversations: int = 0
    messages: int = 0
    seconds: float = 0.0
    recall: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_context: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_language: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_who: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    echo: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    benign: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    benign_by_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (id, category, value)
    benign_lost: list[tuple[str, str, str]] = field(default_factory=list)  # (id, kind, value)

    @property
    def overall_recall(self) -> Tally:
        return Tally(sum(t.hits for t in self.recall.values()), sum(t.total for t in self.recall.values()))

    @property
    def overall_benign(self) -> Tally:
        return Tally(sum(t.hits for t in self.benign.values()), sum(t.total for t in self.benign.values()))

    def as_dict(self) -> dict:
        """Counts only (no values): safe for logs, metadata and ``--json``."""

        def flat(d):
            return {k if isinstance(k, str) else "|".join(k): v.as_dict() for k, v in sorted(d.items())}

        return {
            "conversations": self.conversations,
            "messages": self.messages,
            "seconds": round(self.seconds, 2),
            "recall": flat(self.recall),
            "recall_overall": self.overall_recall.as_dict(),
            "recall_by_context": flat(self.by_context),
            "recall_by_language": flat(self.by_language),
            "recall_by_who": flat(self.by_who),
            "echo": flat(self.echo),
            "benign_kept": flat(self.benign),
            "benign_kept_overall": self.overall_benign.as_dict(),
            "benign_kept_by_language": flat(self.benign_by_language),
        }


def score_corpus(conversations: Sequence[dict], scrubbed: dict[str, list[str]]) -> CorpusReport:
    """Score scrubbed messages (conversation id → texts, in message order) against the corpus."""
    report = CorpusReport(conversations=len(conversations))
    for conv in conversations:
        texts = scrubbed[conv["id"]]
        report.messages += len(texts)
        assistant = [t for t, m in zip(texts, conv["messages"], strict=True) if m["role"] == "assistant"]
        echoed = [m["content"] for m in conv["messages"] if m["role"] == "assistant"]
        for p in conv["planted"]:
            cat = p["category"]
            removed = not survives(cat, p["value"], texts)
            report.recall[cat].add(removed)
            report.by_context[(cat, p["context"])].add(removed)
            report.by_language[(cat, conv["lang"])].add(removed)
            if cat in WHO_CATEGORIES:
                report.by_who[(cat, p.get("who", "self"))].add(removed)
            if any(p["value"] in t for t in echoed):
                report.echo[cat].add(not survives(cat, p["value"], assistant))
            if not removed:
                report.misses.append((conv["id"], cat, p["value"]))
        for b in conv["benign"]:
            kept = any(b["value"] in t for t in texts)
            report.benign[b["kind"]].add(kept)
            report.benign_by_language[conv["lang"]].add(kept)
            if not kept:
                report.benign_lost.append((conv["id"], b["kind"], b["value"]))
    return report


def evaluate_corpus(
    conversations: Sequence[dict] | None = None,
    scrubber: PiiScrubber | None = None,
    config: PiiConfig | None = None,
) -> CorpusReport:
    """Scrub the corpus with our scrubber (through ``scrub_table``) and score it."""
    conversations = load_corpus() if conversations is None else conversations
    scrubber = scrubber or PiiScrubber(config or PiiConfig(workers=1))
    started = time.perf_counter()
    scrubbed = scrub_corpus(conversations, scrubber)
    seconds = time.perf_counter() - started
    report = score_corpus(conversations, scrubbed)
    report.seconds = seconds
    return report


class PlainPresidio:
    """The baseline: Presidio as shipped (every default recognizer, the small English spaCy
    model for every language, ``score_threshold`` 0.35) replacing every entity it detects with
    ``<ENTITY_TYPE>``; no cue rules, no secrets, no placeholder or frequency rules."""

    def __init__(self, model: str | None = None, score_threshold: float = 0.35):
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_anonymizer import AnonymizerEngine

        use_offline_tldextract()
        model = model or PiiConfig().models["en"]
        nlp = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": model}],
            }
        ).create_engine()
        self.analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
        self.anonymizer = AnonymizerEngine()
        self.score_threshold = score_threshold

    def scrub(self, text: str) -> str:
        results = self.analyzer.analyze(text=text, language="en", score_threshold=self.score_threshold)
        return self.anonymizer.anonymize(text=text, analyzer_results=results).text if results else text


def evaluate_corpus_with(
    scrub: Callable[[str], str], conversations: Sequence[dict] | None = None
) -> CorpusReport:
    """Score any per-message scrub function (e.g. ``PlainPresidio().scrub``) on the corpus."""
    conversations = load_corpus() if conversations is None else conversations
    started = time.perf_counter()
    scrubbed = {c["id"]: [scrub(m["content"]) for m in c["messages"]] for c in conversations}
    report = score_corpus(conversations, scrubbed)
    report.seconds = time.perf_counter() - started
    return report


def _pct(t: Tally | None) -> str:
    if t is None or not t.total:
        return "·"
    return f"{t.hits}/{t.total}" if t.total < 10 and t.hits != t.total else f"{100 * t.rate:.0f}%"


def _grid(
    title: str, rows: Sequence[str], cols: Sequence[str], cell: Callable[[str, str], Tally | None]
) -> str:
    width = max(len(r) for r in rows) + 2
    colw = max(6, *(len(c) + 1 for c in cols))
    lines = [title, " " * width + "".join(f"{c:>{colw}}" for c in cols)]
    for r in rows:
        lines.append(f"{r:<{width}}" + "".join(f"{_pct(cell(r, c)):>{colw}}" for c in cols))
    return "\n".join(lines)


def format_corpus_report(report: CorpusReport, baseline: CorpusReport | None = None) -> str:
    """Recall per category (with the baseline's beside it), category × context, category ×
    language, self vs third person, echoes, benign kept by kind and by language."""
    cats = [c for c in CATEGORIES if c in report.recall]
    out = []
    head = f"{'category':<13}{'planted':>8}{'removed':>9}{'recall':>8}"
    if baseline:
        head += f"{'plain Presidio':>16}"
    out.append("Recall by category (removed from every message of the conversation)\n" + head)
    for c in [*cats, "all"]:
        t = report.overall_recall if c == "all" else report.recall[c]
        line = f"{c:<13}{t.total:>8}{t.hits:>9}{t.rate:>8.3f}"
        if baseline:
            b = baseline.overall_recall if c == "all" else baseline.recall.get(c)
            line += f"{(b.rate if b else float('nan')):>16.3f}"
        out.append(line)
    contexts = sorted({ctx for _, ctx in report.by_context})
    short = {c: _SHORT.get(c, c) for c in cats}
    out.append("")
    out.append(
        _grid(
            "Recall, context × category",
            contexts,
            [short[c] for c in cats],
            lambda r, c: report.by_context.get((next(k for k, v in short.items() if v == c), r)),
        )
    )
    langs = [lang for lang in CORPUS_LANGUAGES if any((c, lang) in report.by_language for c in cats)]
    out.append("")
    out.append(_grid("Recall, category × language", cats, langs, lambda r, c: report.by_language.get((r, c))))
    out.append("")
    who_rows = [c for c in WHO_CATEGORIES if c in report.recall]
    out.append(
        _grid(
            "Recall, self vs third person",
            who_rows,
            ["self", "third"],
            lambda r, c: report.by_who.get((r, c)),
        )
    )
    out.append("")
    echo_rows = [c for c in cats if c in report.echo]
    out.append(
        _grid(
            "Recall of values the assistant repeats (assistant messages only)",
            echo_rows,
            ["echo"],
            lambda r, c: report.echo.get(r),
        )
    )
    out.append("")
    head = f"{'benign kind':<18}{'items':>6}{'kept':>6}{'rate':>8}"
    if baseline:
        head += f"{'plain Presidio':>16}"
    out.append("Benign look-alikes kept (verbatim)\n" + head)
    for k in [k for k in BENIGN_KINDS if k in report.benign] + ["all"]:
        t = report.overall_benign if k == "all" else report.benign[k]
        line = f"{k:<18}{t.total:>6}{t.hits:>6}{t.rate:>8.3f}"
        if baseline:
            b = baseline.overall_benign if k == "all" else baseline.benign.get(k)
            line += f"{(b.rate if b else float('nan')):>16.3f}"
        out.append(line)
    out.append("")
    out.append(
        _grid("Benign kept by language", ["kept"], langs, lambda r, c: report.benign_by_language.get(c))
    )
    return "\n".join(out)


def format_misses(report: CorpusReport) -> str:
    """The values that survived and the benign items lost (debugging only: prints values)."""
    lines = [f"missed {len(report.misses)} planted values:"]
    lines += [f"  {cid:<8} {cat:<12} {value!r}" for cid, cat, value in report.misses]
    lines.append(f"lost {len(report.benign_lost)} benign items:")
    lines += [f"  {cid:<8} {kind:<18} {value!r}" for cid, kind, value in report.benign_lost]
    return "\n".join(lines)
