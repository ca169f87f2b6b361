"""``PiiScrubber``: analysis, the precision and frequency rules, anonymization, the worker pool.

Speed (the design requirement): every distinct text is analysed once (content-keyed cache:
histories and branch prefixes repeat); pattern recognizers run only where their necessary
characters occur (no digit, no ``@``: no e-mail/phone/card/IP analysis), the phone recognizer
validates only candidates with a cue or contact context; spaCy NER runs only on texts holding
a PERSON cue, on the cue's neighbourhood (``ner_window``), batched through ``nlp.pipe`` per
language, with the pipeline trimmed to NER; and distinct texts are spread over a process pool.
One pass over the lower-cased text finds where any cue may start (``CueStarts``); each cue
regex then runs only there. Secrets: a prefilter skips the detect-secrets plugins on texts
that cannot hold one (``core/secrets.py``). ``PiiScrubber.scrub_plain`` is the plain reference
(one ``AnalyzerEngine.analyze`` per message, full NLP, no cache, no gating, no windows) and
gives the same output: tests and ``bench/bench_pii.py`` compare them.

No removed value is ever logged or returned in statistics: only counts per type.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, wait

from ..parallel import init_dying_with_parent
from ..pii_consistency import propagate
from ..pii_names import StructuredPii
from ..pii_policy import PERSON_POLICIES, is_fiction, third_person_keep
from ..secrets import SecretDetector
from .config import PATTERN_LANGUAGE, PII_PLACEHOLDER, SECRET_PLACEHOLDER, SECRET_PREFIX, PiiConfig
from .cue_scan import _search_at, lower_same_length
from .engines import _analyzer, _LanguageDetector, _make_nlp_engine, use_offline_tldextract
from .gates import _IPV4_DOT, _NEEDS, _held_needs
from .results import Finding, ScrubResult, ScrubStats, TextAnalysis
from .rules import NO_CUES, PersonCues, Rules, normalize_value

# generic detections give way to a specific one on the same span (a Stripe key in "api_key = ...")
# catch-all kinds: on an equal span a vendor plugin's kind wins (OPENAI_TOKEN over OPENAI_KEY)
_GENERIC_SECRETS = frozenset(
    SECRET_PREFIX + k
    for k in ("SECRET_KEYWORD", "BASE64_HIGH_ENTROPY_STRING", "HEX_HIGH_ENTROPY_STRING", "OPENAI_KEY")
)

_CONTACT_ENTITIES = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER"})  # the name line above them is the owner's
_CHUNK_TEXTS = 64  # distinct texts per chunk handed to a worker


def _merged_windows(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, str]]:
    """Sorted (start, end) spans clipped to the text, widened to whitespace, merged when they
    touch: ``[(offset, piece)]``. Every edge lies at least the requested reach from every span's
    centre, so a match cut by an edge is too far from any cue for a rule to keep it."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, text[start:end]) for start, end in merged]


# --- the scrubber --------------------------------------------------------------------------------


class PiiScrubber:
    """Scrubs message texts. Engines load lazily (a pool parent needs only the anonymizer)."""

    def __init__(self, config: PiiConfig | None = None):
        use_offline_tldextract()
        self.config = config or PiiConfig()
        if self.config.person_policy not in PERSON_POLICIES:
            raise ValueError(
                f"person_policy {self.config.person_policy!r}: expected one of {PERSON_POLICIES}"
            )
        self._strict = self.config.person_policy == "strict" and "PERSON" in self.config.entities
        self.rules = Rules(self.config)
        self._patterns = None
        self._ner = None
        self._reference = None
        self._nlp_engine = None
        self._language = None
        self._secrets = SecretDetector(self.config.secret_plugins) if self.config.secrets else None
        self._structured = StructuredPii(self.config.entities) if self.config.structured_names else None
        self._anonymizer = None
        self._operators: dict = {}
        self._pool: ProcessPoolExecutor | None = None
        self._pool_ready = False
        # (entity, value) → keyed hash, set by the caller to record deliberate keeps (core/keeps.py);
        # it holds a secret key, so it stays in this process (never in the picklable config)
        self.value_hasher = None

    # engines
    def _pattern_engine(self):
        if self._patterns is None:
            from presidio_analyzer.nlp_engine import NoOpNlpEngine

            engine = NoOpNlpEngine(models=[{"lang_code": PATTERN_LANGUAGE, "model_name": "none"}])
            self._patterns = _analyzer(self.config, engine, [PATTERN_LANGUAGE], True, False)
        return self._patterns

    def _spacy(self):
        if self._nlp_engine is None:
            self._nlp_engine = _make_nlp_engine(self.config.models)
            self._nlp_engine.load()
        return self._nlp_engine

    def _ner_engine(self):
        if self._ner is None:
            self._ner = _analyzer(self.config, self._spacy(), list(self.config.models), False, True)
        return self._ner

    def _reference_engine(self):
        if self._reference is None:
            self._reference = _analyzer(self.config, self._spacy(), list(self.config.models), True, True)
        return self._reference

    def language_of(self, text: str) -> str | None:
        """The configured model language to run NER with, or None (patterns only)."""
        models = self.config.models
        if not models or not self.config.ner_entities:
            return None
        if not self.config.detect_language:
            return next(iter(models))
        if self._language is None:
            self._language = _LanguageDetector()
        lang = self._language(text)
        if lang in models:
            return lang
        return self.config.fallback_language if self.config.fallback_language in models else None

    def warm_up(self) -> None:
        """Load every engine now (model load is seconds; do it before timing or forking)."""
        self._pattern_engine()
        if self.config.models and self.config.ner_entities:
            self._ner_engine()
            self.language_of("warm up")

    # per-text analysis
    def _finish(
        self, text: str, lowered: str, cues: PersonCues | None, results, ner: bool, patterns: bool
    ) -> TextAnalysis:
        """Rules + secrets over the analyzer's results for one text."""
        kept: Counter = Counter()
        kept_spans: list[tuple[str, str, int, int]] = []
        findings: list[Finding] = []
        third: list[Finding] = []
        public: set[str] = set()
        if cues is None and any(r.entity_type == "PERSON" for r in results):
            cues = self.rules.person_cues(text, lowered)
        for r in sorted(results, key=lambda r: (r.start, r.end, r.entity_type)):
            if r.entity_type == "PERSON" and self.config.structured_names:
                cut = text.find("\n", r.start, r.end)  # NER's "Jordan Reyes\nDOB": a name ends at its line
                if cut > r.start:
                    r.end = cut
            reason = self.rules.keep_reason(r.entity_type, text, lowered, r.start, r.end, cues or NO_CUES)
            if reason == "no_cue" and r.entity_type == "PERSON" and self._strict:
                reason = third_person_keep(text, r.start, r.end)
                if reason == "public":
                    public.add(normalize_value("PERSON", text[r.start : r.end]))
                if reason is None:
                    third.append(Finding("PERSON", r.start, r.end, float(r.score)))
                    continue
            if reason:
                kept[f"{r.entity_type}:{reason}"] += 1
                kept_spans.append((r.entity_type, reason, r.start, r.end))
            else:
                findings.append(Finding(r.entity_type, r.start, r.end, float(r.score)))
        if self._structured is not None:
            contacts = [(f.start, f.end) for f in findings if f.entity in _CONTACT_ENTITIES]
            for s in self._structured.find(text, contacts):
                findings.append(Finding(s.entity, s.start, s.end, 0.6))
        if self._secrets is not None:
            for s in self._secrets.find(text):
                findings.append(Finding(SECRET_PREFIX + s.kind, s.start, s.end, 1.0))
        return TextAnalysis(
            findings, kept, ner=ner, patterns=patterns, kept_spans=kept_spans, third=third, public=public
        )

    def _pattern_results(
        self, text: str, lowered: str, starts: list[int] | None = None, cues: PersonCues | None = None
    ):
        """Pattern recognizers where their characters occur (the phone recognizer validates only
        the candidates its rule could keep, core/pii_phones.py). ``starts``:
        ``Rules.cue_starts(lowered)``, ``cues``: ``Rules.person_cues``, where known."""
        engine = self._pattern_engine()
        rules = self.rules
        threshold = self.config.score_threshold
        if starts is None:
            starts = rules.cue_starts(lowered)
        held = _held_needs(text)
        needed = [
            e
            for e in self.config.pattern_entities
            if (e not in _NEEDS or held[_NEEDS[e]])
            and (e != "ADDRESS" or _search_at(rules.address_cue, lowered, starts))
        ]
        if self.config.cued_names and "PERSON" in self.config.entities:
            if _search_at(rules.name_cue, lowered, starts) or (
                self.config.name_suffix_cues
                and (rules.name_suffix.search(lowered) if cues is None else cues.suffixes)
            ):
                needed.append("PERSON")
        ran = bool(needed)  # the stats count the text as analysed even where IP is skipped below
        if "IP_ADDRESS" in needed and ":" not in text and _IPV4_DOT.search(text) is None:
            needed = [e for e in needed if e != "IP_ADDRESS"]
        results = (
            engine.analyze(text, PATTERN_LANGUAGE, entities=needed, score_threshold=threshold)
            if needed
            else []
        )
        return results if ran else None

    def ner_windows(self, text: str, cues: PersonCues) -> list[tuple[int, str]]:
        """(offset, text) pieces NER runs on: the whole text, or with ``ner_window`` set (and the
        PERSON cue rule on), the cue neighbourhoods, widened to whitespace and merged."""
        width = self.config.ner_window
        if (
            not width
            or not self.config.person_cue
            or self._strict
            or set(self.config.ner_entities) != {"PERSON"}
        ):
            return [(0, text)]
        return _merged_windows(text, ((a - width, a + width) for a in cues.positions()))

    def analyze_texts(self, texts: Sequence[str]) -> list[TextAnalysis]:
        """The fast path over distinct texts: gated patterns, cue-gated NER batched per language."""
        from presidio_analyzer import EntityRecognizer

        config = self.config
        lowered = [lower_same_length(t) for t in texts]
        use_ner = bool(config.ner_entities and config.models)
        starts = [self.rules.cue_starts(low) for low in lowered]  # one cue pass per text
        cues: list[PersonCues | None] = [
            self.rules.person_cues(t, low, at) if "PERSON" in config.entities and config.person_cue else None
            for t, low, at in zip(texts, lowered, starts, strict=True)
        ]
        pattern_results = [
            self._pattern_results(t, low, at, c) if t.strip() else None
            for t, low, at, c in zip(texts, lowered, starts, cues, strict=True)
        ]
        ner_results: dict[int, list] = {}
        by_language: dict[str, list[int]] = defaultdict(list)
        if use_ner:
            for i, text in enumerate(texts):
                if text.strip() and (cues[i] or not config.person_cue or self._strict):
                    lang = self.language_of(text)
                    if lang is not None:
                        by_language[lang].append(i)
        for lang, idx in by_language.items():
            engine = self._ner_engine()
            jobs = [
                (i, start, piece)
                for i in idx
                for start, piece in self.ner_windows(texts[i], cues[i] or NO_CUES)
            ]
            batch = [(piece, n) for n, (_, _, piece) in enumerate(jobs)]
            for piece, artifacts, n in engine.nlp_engine.process_batch(
                batch, lang, batch_size=config.batch_size, as_tuples=True
            ):
                i, start, _ = jobs[n]
                found = engine.analyze(
                    piece,
                    lang,
                    entities=list(config.ner_entities),
                    nlp_artifacts=artifacts,
                    score_threshold=config.score_threshold,
                )
                for r in found:
                    r.start += start
                    r.end += start
                ner_results.setdefault(i, []).extend(found)
        out = []
        for i, text in enumerate(texts):
            results = (pattern_results[i] or []) + ner_results.get(i, [])
            if pattern_results[i] and i in ner_results:
                results = EntityRecognizer.remove_duplicates(results)
            out.append(
                self._finish(
                    text, lowered[i], cues[i], results, i in ner_results, pattern_results[i] is not None
                )
            )
        return out

    def analyze_plain(self, text: str) -> TextAnalysis:
        """The plain reference: one full ``AnalyzerEngine.analyze`` (all recognizers, full NLP)."""
        lang = self.language_of(text)
        if lang is not None:
            results = self._reference_engine().analyze(
                text, lang, score_threshold=self.config.score_threshold
            )
        else:
            results = self._pattern_engine().analyze(
                text, PATTERN_LANGUAGE, score_threshold=self.config.score_threshold
            )
        return self._finish(text, lower_same_length(text), None, results, lang is not None, True)

    # anonymization
    def anonymize(self, text: str, findings: Sequence[Finding]) -> tuple[str, list[str], list[Finding]]:
        """Replace non-overlapping findings (secrets win, then longer spans) via Presidio's anonymizer:
        (new text, entity type of every replacement, the findings replaced)."""
        if not findings:
            return text, [], []
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

        if self._anonymizer is None:
            self._anonymizer = AnonymizerEngine()
        chosen: list[Finding] = []
        taken: list[tuple[int, int]] = []
        for f in sorted(
            findings,
            key=lambda f: (
                not f.is_secret,
                -(f.end - f.start),
                f.entity in _GENERIC_SECRETS,
                -f.score,
                f.start,
            ),
        ):
            if all(f.end <= s or f.start >= e for s, e in taken):
                chosen.append(f)
                taken.append((f.start, f.end))
        for f in chosen:
            if f.entity not in self._operators:
                value = (
                    SECRET_PLACEHOLDER.format(f.entity[len(SECRET_PREFIX) :])
                    if f.is_secret
                    else PII_PLACEHOLDER.format(f.entity)
                )
                self._operators[f.entity] = OperatorConfig("replace", {"new_value": value})
        result = self._anonymizer.anonymize(
            text,
            [RecognizerResult(f.entity, f.start, f.end, f.score) for f in chosen],
            operators=self._operators,
        )
        return result.text, [item.entity_type for item in result.items], sorted(chosen, key=lambda f: f.start)

    # worker processes: started on first parallel use, kept for later partitions until close()
    def _worker_pool(self, size: int) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context(self.config.start_method)
            self._pool = ProcessPoolExecutor(
                size,
                mp_context=context,
                initializer=init_dying_with_parent,
                initargs=(os.getpid(), _worker_init, self.config),  # workers die with this process
            )
        return self._pool

    def start_workers(self, wait: bool = True) -> None:
        """Start the ``workers - 1`` pool processes now (and wait until they have loaded)."""
        size = max(1, int(self.config.workers)) - 1
        if size < 1:
            return
        pool = self._worker_pool(size)
        probes = [pool.submit(_worker_ready) for _ in range(size)]
        if wait:
            for probe in probes:
                probe.result()
            self._pool_ready = True

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._pool_ready = False

    def __enter__(self) -> PiiScrubber:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # whole partitions
    def _analyze_distinct(self, texts: list[str]) -> tuple[list[TextAnalysis], int]:
        """Analyse distinct texts, here or spread over ``workers`` processes: this process works
        too (so a small partition never waits for a worker's model load) and ``workers - 1``
        pool processes take chunks from the same queue as soon as they are up."""
        workers = max(1, int(self.config.workers))
        if workers == 1 or len(texts) < max(self.config.parallel_min_texts, 2):
            return self.analyze_texts(texts), 1
        # Chunks interleave short and long texts (similar cost each) and keep nlp.pipe batches.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        n_chunks = max(workers * 8, len(texts) // _CHUNK_TEXTS)
        queue = deque(c for c in (order[k::n_chunks] for k in range(n_chunks)) if c)
        lock = threading.Lock()
        results: list[TextAnalysis | None] = [None] * len(texts)
        errors: list[BaseException] = []
        in_flight: list = []
        used = {"pool": 0}

        def take() -> list[int] | None:
            with lock:
                return queue.popleft() if queue else None

        def store(chunk: list[int], analyses: list[TextAnalysis]) -> None:
            for i, analysis in zip(chunk, analyses, strict=True):
                results[i] = analysis

        def submit(pool) -> None:
            chunk = take()
            if chunk is None:
                return
            future = pool.submit(_worker_analyze, [texts[i] for i in chunk])

            def done(f, chunk=chunk):
                if f.exception() is not None:
                    errors.append(f.exception())
                    return
                store(chunk, f.result())
                used["pool"] += 1
                submit(pool)

            with lock:
                in_flight.append(future)
            future.add_done_callback(done)

        pool = self._worker_pool(workers - 1)
        if self._pool_ready:
            for _ in range(workers - 1):
                submit(pool)
        else:
            # Chunks go to the pool only once a worker has loaded its models (a probe returns):
            # until then this process keeps working, and never waits on a worker still loading.
            def ready(f):
                if f.exception() is None:
                    self._pool_ready = True
                    submit(pool)

            for _ in range(workers - 1):
                pool.submit(_worker_ready).add_done_callback(ready)
        while (chunk := take()) is not None:
            store(chunk, self.analyze_texts([texts[i] for i in chunk]))
        while True:  # chunks still running in the pool (their callbacks may submit no more)
            with lock:
                pending = [f for f in in_flight if not f.done()]
            if not pending:
                break
            wait(pending)
        if errors:
            raise errors[0]
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:  # a chunk the pool could not take (shut down): analyse it here
            for i, analysis in zip(missing, self.analyze_texts([texts[i] for i in missing]), strict=True):
                results[i] = analysis
        return results, (workers if used["pool"] else 1)  # type: ignore[return-value]

    def scrub(
        self,
        contents: Sequence[str | None],
        users: Sequence[str | None] | None = None,
        conversations: Sequence | None = None,
    ) -> ScrubResult:
        """Scrub every message; ``users`` (IP or conversation per message) feed the frequency rule;
        ``conversations`` (conversation id per message): a value redacted in one message is
        redacted in every message of its conversation (core/pii_consistency.py)."""
        started = time.perf_counter()
        distinct: dict[str, int] = {}
        for text in contents:
            if text:
                distinct.setdefault(text, len(distinct))
        texts = list(distinct)
        analyses, workers = self._analyze_distinct(texts)
        per_row = [analyses[distinct[t]] if t else None for t in contents]
        per_row = self._third_person(contents, per_row, conversations)
        result = self._assemble(contents, per_row, users, analyses)
        self._propagate(contents, result, conversations)
        result.stats.distinct_texts = len(texts)
        result.stats.workers = workers
        result.stats.seconds = time.perf_counter() - started
        return result

    def scrub_plain(
        self,
        contents: Sequence[str | None],
        users: Sequence[str | None] | None = None,
        conversations: Sequence | None = None,
    ) -> ScrubResult:
        """Reference: a full Presidio pass per message, no cache, no gating, no batching, one process."""
        started = time.perf_counter()
        per_row = [self.analyze_plain(t) if t else None for t in contents]
        analyses = [a for a in per_row if a is not None]
        per_row = self._third_person(contents, per_row, conversations)
        result = self._assemble(contents, per_row, users, analyses)
        self._propagate(contents, result, conversations)
        result.stats.distinct_texts = len({t for t in contents if t})
        result.stats.seconds = time.perf_counter() - started
        return result

    def _third_person(self, contents, per_row: list, conversations) -> list:
        """Strict policy: a message's names without a cue join its findings unless its
        conversation (or, without conversation ids, the message) holds fiction, or the name
        stands in a public-figure context in another message of the conversation."""
        if not self._strict:
            return per_row
        fiction: set = set()
        public: dict = defaultdict(set)  # conversation → words of names kept as public in it
        if conversations is not None:
            for text, analysis, c in zip(contents, per_row, conversations, strict=True):
                if text and is_fiction(text):
                    fiction.add(c)
                if analysis is not None and analysis.public:
                    public[c] |= {w for name in analysis.public for w in name.split()}
        merged: dict[tuple, TextAnalysis] = {}
        out = []
        for i, (text, analysis) in enumerate(zip(contents, per_row, strict=True)):
            if analysis is None or not analysis.third:
                out.append(analysis)
                continue
            story = conversations[i] in fiction if conversations is not None else is_fiction(text)
            if story:
                out.append(analysis)
                continue
            known = public.get(conversations[i], set()) if conversations is not None else set()
            third = [
                f
                for f in analysis.third
                if not set(normalize_value("PERSON", text[f.start : f.end]).split()) & known
            ]
            key = (id(analysis), frozenset(known))
            if key not in merged:
                merged[key] = TextAnalysis(
                    analysis.findings + third, analysis.kept, analysis.ner, analysis.patterns
                )
            out.append(merged[key])
        return out

    @staticmethod
    def _propagate(contents, result: ScrubResult, conversations) -> None:
        if conversations is None or not any(result.redacted):
            return
        _, counts = propagate(contents, result.texts, result.spans, conversations, _placeholder, is_fiction)
        for (i, entity), n in counts.items():
            result.redacted[i] = True
            if entity not in result.pii_types[i]:
                result.pii_types[i] = sorted([*result.pii_types[i], entity])
            if entity.startswith(SECRET_PREFIX):
                result.stats.secrets[entity[len(SECRET_PREFIX) :]] += n
            else:
                result.stats.entities[entity] += n
            result.stats.propagated += n
        result.stats.messages_redacted = sum(result.redacted)

    def _assemble(self, contents, per_row, users, analyses) -> ScrubResult:
        """Frequency rule over the partition, then one anonymization per distinct text."""
        thresholds = self.config.frequency_thresholds
        stats = ScrubStats(messages=len(contents))
        if users is None:
            users = [str(i) for i in range(len(contents))]
        seen: dict[tuple[str, str], set] = defaultdict(set)
        for text, analysis, user in zip(contents, per_row, users, strict=True):
            if analysis is None:
                continue
            for f in analysis.findings:
                if f.entity in thresholds:
                    seen[(f.entity, normalize_value(f.entity, text[f.start : f.end]))].add(user)
        common = {key for key, who in seen.items() if len(who) >= thresholds[key[0]]}
        for analysis in analyses:
            stats.kept.update(analysis.kept)
            stats.ner_texts += analysis.ner
            stats.pattern_texts += analysis.patterns
        done: dict[tuple[str, int], tuple[str, list[str], list[Finding]]] = {}
        out_texts, redacted, types, spans = [], [], [], []
        hasher = self.value_hasher
        for text, analysis in zip(contents, per_row, strict=True):
            if hasher is not None and analysis is not None:
                self._hash_keeps(text, analysis, common, stats)
            if analysis is None or not analysis.findings:
                out_texts.append(text)
                redacted.append(False)
                types.append([])
                spans.append([])
                continue
            key = (text, id(analysis))  # strict policy: one text may have two analyses
            if key not in done:
                keep = []
                for f in analysis.findings:
                    if (f.entity, normalize_value(f.entity, text[f.start : f.end])) in common:
                        stats.kept[f"{f.entity}:frequent"] += 1
                    else:
                        keep.append(f)
                done[key] = self.anonymize(text, keep)
            new_text, replaced, chosen = done[key]
            spans.append(chosen)
            out_texts.append(new_text)
            redacted.append(bool(replaced))
            types.append(sorted(set(replaced)))
            for entity in replaced:
                if entity.startswith(SECRET_PREFIX):
                    stats.secrets[entity[len(SECRET_PREFIX) :]] += 1
                else:
                    stats.entities[entity] += 1
        stats.messages_redacted = sum(redacted)
        return ScrubResult(out_texts, redacted, types, stats, spans)

    def _hash_keeps(self, text: str, analysis: TextAnalysis, common: set, stats: ScrubStats) -> None:
        """Record this message's deliberate keeps (per-text rules and the frequency rule) as
        (entity, rule, keyed hash of the value): the residue scan honours them (core/keeps.py)."""
        hasher = self.value_hasher
        for entity, rule, start, end in analysis.kept_spans:
            stats.kept_hashes[(entity, rule, hasher(entity, text[start:end]))] += 1
        for f in analysis.findings:
            if (f.entity, normalize_value(f.entity, text[f.start : f.end])) in common:
                stats.kept_hashes[(f.entity, "frequent", hasher(f.entity, text[f.start : f.end]))] += 1


def _placeholder(entity: str) -> str:
    if entity.startswith(SECRET_PREFIX):
        return SECRET_PLACEHOLDER.format(entity[len(SECRET_PREFIX) :])
    return PII_PLACEHOLDER.format(entity)


# --- worker processes ----------------------------------------------------------------------------

_WORKER: PiiScrubber | None = None


def _worker_init(config: PiiConfig) -> None:
    global _WORKER
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _WORKER = PiiScrubber(config)
    _WORKER.warm_up()


def _worker_ready() -> bool:
    return _WORKER is not None


def _worker_analyze(texts: list[str]) -> list[TextAnalysis]:
    assert _WORKER is not None
    return _WORKER.analyze_texts(texts)
