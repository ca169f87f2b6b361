"""The pipeline's speed and memory, per stage and end to end, against a naive baseline.

    .venv/bin/python bench/run.py [--turns 20000] [--json] [--workers W] [--baseline-turns 100]
                                  [--no-window] [--days 1] [--isolate] [--profile] [--keep DIR]

1. Generates WildChat-like raw log drops with the project's generator (core/generate/) into a
   temporary directory, in a child process (so the generator's memory is not ours): the measured
   day D holds about ``--turns`` turns, and D-1 and D+1 are generated too because
   ``conversations[D]`` reads ``raw_logs[D-1..D+1]`` (``--no-window``: day D alone).
2. Runs every stage's core code in this process exactly as the assets call it, with the demo's
   default resources (embedded backends): raw_logs (core/logs.parse_drops), conversations
   (core/linking.link_conversations), scrubbed (core/pii.scrub_table with the scrubber of
   PiiScrubberResource, opened per day), geo_tagged (core/geo, embedded GeoLite2, development
   key), classified (core/langid lid.176.ftz + core/toxicity embedded), release
   (core/release.build_release + release_sft). Between stages, tables go through Parquet as the
   IO manager moves them (core/storage.Storage.write_table / read_table); that cost is the
   ``parquet_io`` row. Models load when a stage first needs them and that time is reported as
   ``setup``, outside the stage times; the PII worker pool starts inside the scrub call and is
   timed. ``--isolate`` runs each step in a fresh process instead, as Dagster's multiprocess
   executor does, and reports each step process's peak RSS.
3. Runs the naive baseline on a random sample of the same turns, in this process: Presidio
   ``AnalyzerEngine.analyze`` on every message one by one (default recognizers, spaCy
   en_core_web_sm as the project configures it, whole pipeline), ``AnonymizerEngine.anonymize``,
   and one fastText lid.176 predict per message, no caching, no batching, one process.

A turn is one user prompt and its response (WildChat's count: the day's conversation rows hold
2 messages per turn). MB/s is over the UTF-8 bytes of the day's message text. RSS is this
process's resident set (psutil, sampled every 20 ms, and ``ru_maxrss``); PII worker processes
are reported separately (``children``). With ``--json`` the last stdout line is one JSON object.
See bench/README.md and docs/performance.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import cProfile
import datetime as dt
import io
import json
import multiprocessing
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
import wildchat_dagster  # noqa: E402,F401  (first: it sets pyarrow's allocator options, as in a run)

DEFAULT_TURNS = 20_000
# Linked turns per generated conversation of the measured day (the generator's mean, branch
# prefixes, conversations continuing past midnight), to size the drop; the report always
# states the turns actually produced.
TURNS_PER_CONVERSATION = 2.75
DAY = dt.date(2023, 6, 14)  # both GPT-3.5/GPT-4 snapshots exist on it
TARGET_TURNS_PER_S = 750.0
TARGET_PEAK_MB = 2048.0
MB = 1024 * 1024


# --------------------------------------------------------------------------- measuring


class RssSampler:
    """Samples the RSS of a process (this one by default) and of its children (summed, but
    multiprocessing's resource tracker) every ``interval`` seconds; ``timeline`` also keeps each
    sample as (unix time, process MB, children MB)."""

    def __init__(self, interval: float = 0.02, pid: int | None = None, timeline: bool = False):
        self.interval = interval
        self.proc = psutil.Process(pid)
        self.main_peak = 0
        self.children_peak = 0
        self.tree_peak = 0
        self.timeline: list[tuple[float, int, int]] | None = [] if timeline else None
        self._kind: dict[int, bool] = {}  # child pid → is a worker (not the resource tracker)
        self._child_cpu: dict[int, float] = {}  # child pid → its CPU seconds when last seen
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _is_worker(self, child: psutil.Process) -> bool:
        if child.pid not in self._kind:  # a process's command line is read once
            self._kind[child.pid] = "resource_tracker" not in " ".join(child.cmdline())
        return self._kind[child.pid]

    def _sample(self) -> None:
        main = self.proc.memory_info().rss
        children = 0
        for child in self.proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if self._is_worker(child):
                    children += child.memory_info().rss
                    cpu = child.cpu_times()
                    self._child_cpu[child.pid] = cpu.user + cpu.system
        with self._lock:
            self.main_peak = max(self.main_peak, main)
            self.children_peak = max(self.children_peak, children)
            self.tree_peak = max(self.tree_peak, main + children)
            if self.timeline is not None:
                self.timeline.append((round(time.time(), 2), main // MB, children // MB))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with contextlib.suppress(psutil.Error):
                self._sample()

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        """Start a new window: peaks from now on (the current values count)."""
        with self._lock:
            self.main_peak = 0
            self.children_peak = 0
            self.tree_peak = 0
        with contextlib.suppress(psutil.Error):
            self._sample()

    def cpu_seconds(self) -> float:
        """CPU seconds of this process and of every worker child seen so far (a child's time
        as last sampled: up to ``interval`` of an exited child's last moments is missed)."""
        with contextlib.suppress(psutil.Error):
            self._sample()
        own = psutil.Process(self.proc.pid).cpu_times()
        with self._lock:
            return own.user + own.system + sum(self._child_cpu.values())

    def peaks(self) -> tuple[int, int]:
        with contextlib.suppress(psutil.Error):
            self._sample()
        with self._lock:
            return self.main_peak, self.children_peak


def rss_now() -> int:
    return psutil.Process().memory_info().rss


def ru_maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


@dataclass
class StageResult:
    name: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process + its worker children: cpu / seconds = cores used
    rss_before: int = 0
    rss_after: int = 0
    peak: int = 0
    children_peak: int = 0
    calls: int = 0
    notes: dict = field(default_factory=dict)
    profile: str = ""


class Clock:
    """Per-stage wall time, RSS before/after and sampled peak; optional cProfile."""

    def __init__(self, sampler: RssSampler, profile: bool = False, profile_lines: int = 25):
        self.sampler = sampler
        self.profile = profile
        self.profile_lines = profile_lines
        self.stages: dict[str, StageResult] = {}
        self.window_peak = 0  # highest sampled RSS since the last reset_window()

    def reset_window(self) -> None:
        self.window_peak = 0

    @contextlib.contextmanager
    def stage(self, name: str):
        res = self.stages.setdefault(name, StageResult(name))
        before = rss_now()
        if not res.calls:
            res.rss_before = before
        self.sampler.reset()
        prof = cProfile.Profile() if self.profile else None
        cpu0 = self.sampler.cpu_seconds()
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        try:
            yield res
        finally:
            if prof:
                prof.disable()
            res.seconds += time.perf_counter() - t0
            res.cpu_seconds += self.sampler.cpu_seconds() - cpu0
            res.calls += 1
            res.rss_after = rss_now()
            main_peak, children_peak = self.sampler.peaks()
            self.window_peak = max(self.window_peak, main_peak, res.rss_after, before)
            res.peak = max(res.peak, main_peak, res.rss_after, before)
            res.children_peak = max(res.children_peak, children_peak)
            if prof:
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(self.profile_lines)
                res.profile += buf.getvalue()


# --------------------------------------------------------------------------- data


def _generate(out_dir: str, start: dt.date, days: int, per_day: int, seed: int) -> dict:
    from wildchat_dagster.core.generate import generate_drops

    stats = generate_drops(out_dir, start, days, per_day, seed=seed)
    return {"rows": stats.rows, "lines": stats.lines, "conversations": stats.conversations,
            "seconds": stats.elapsed_s, "peak_rss_mb": ru_maxrss_bytes() / MB}


def generate_in_child(out_dir: str, start: dt.date, days: int, per_day: int, seed: int) -> dict:
    """Run the generator in a spawned child: its memory never counts as the pipeline's."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
        return pool.submit(_generate, out_dir, start, days, per_day, seed).result()


def text_bytes(table) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(pc.binary_length(table.column("content"))).as_py() or 0)


# --------------------------------------------------------------------------- the stages


class Engines:
    """What the demo's resources load once per process (DESIGN §12 embedded defaults), each
    loaded on first use, as a run's steps reach them; load time goes to ``load_seconds``."""

    def __init__(self, store, workers: int | None):
        self.store = store
        self.workers = workers
        self.load_seconds: dict[str, float] = {}
        self._cache: dict[str, object] = {}

    def _get(self, name: str, load):
        if name not in self._cache:
            t0 = time.perf_counter()
            self._cache[name] = load()
            self.load_seconds[name] = time.perf_counter() - t0
        return self._cache[name]

    def pii_resource(self):
        """The demo's PiiScrubberResource (definitions: pii_resource_from_env), ``--workers`` applied."""
        from wildchat_dagster.resources import pii_resource_from_env

        resource = pii_resource_from_env()
        if self.workers is not None:
            resource = resource.model_copy(update={"workers": self.workers})
        return resource

    def scrubber(self):
        """A new scrubber per day, as the asset opens one per run; models load untimed."""
        t0 = time.perf_counter()
        scrubber = self.pii_resource().get_scrubber()
        scrubber.warm_up()
        self.load_seconds["pii"] = self.load_seconds.get("pii", 0.0) + time.perf_counter() - t0
        return scrubber

    @property
    def tagger(self):
        def load():
            import logging

            from wildchat_dagster.core.geo import GeoTagger, resolve_ip_hasher
            from wildchat_dagster.resources import GeoResource

            geo = GeoResource()  # embedded GeoLite2, development key, as the demo
            quiet = logging.getLogger("bench.geo")
            quiet.setLevel(logging.ERROR)  # the development-key warning is expected here
            hasher = resolve_ip_hasher(geo.ip_hash_key, geo.environment, quiet)
            return GeoTagger.from_location(geo.geoip_db, hasher)

        return self._get("geo", load)

    @property
    def identifier(self):
        def load():
            from wildchat_dagster.core.langid import get_identifier
            from wildchat_dagster.resources import LanguageIdResource

            lid = LanguageIdResource()
            return get_identifier(lid.model_path, lid.min_letters, lid.min_confidence)

        return self._get("langid", load)

    @property
    def backends(self):
        def load():
            from wildchat_dagster.core.toxicity import build_backends
            from wildchat_dagster.resources import ToxicityResource

            tox = ToxicityResource()
            backends = build_backends(tox.backends, embedded_threshold=tox.embedded_threshold)
            for backend in backends:
                backend.score(["warm up the model"])
            return backends

        return self._get("toxicity", load)

    @property
    def takedowns(self):
        def load():
            from wildchat_dagster.core.release import load_takedowns

            return load_takedowns(self.store, None)

        return self._get("takedowns", load)


class Pipeline:
    """One day through every stage, tables handed over through Parquet as the IO manager does."""

    def __init__(self, store, engines: Engines, clock: Clock, window: bool):
        self.store = store
        self.engines = engines
        self.clock = clock
        self.window = window

    def _write(self, asset: str, day: dt.date, table) -> None:
        with self.clock.stage("parquet_io"):
            self.store.write_table(self.store.partition_dir(asset, day.isoformat()), table)

    def _read(self, asset: str, days: list[dt.date], columns_by_day: dict | None = None):
        """As ParquetIOManager.load_input: each day's columns (None: all)."""
        from wildchat_dagster.core.schema import ASSET_SCHEMAS

        keys, columns = [d.isoformat() for d in days], [(columns_by_day or {}).get(d) for d in days]
        with self.clock.stage("parquet_io"):
            return self.store.read_partitions(asset, keys, ASSET_SCHEMAS[asset], columns)

    def raw_logs(self, day: dt.date, timed: bool = True) -> None:
        from wildchat_dagster.core.logs import DEFAULT_MAX_MESSAGE_CHARS, parse_drops

        ctx = self.clock.stage("raw_logs") if timed else contextlib.nullcontext()
        with ctx:
            parsed = parse_drops(self.store, day, DEFAULT_MAX_MESSAGE_CHARS)
            accepted, quarantine = parsed.accepted_table(), parsed.quarantine_table()
        del parsed
        if timed:
            self._write("raw_logs", day, accepted)
            self._write("raw_logs_quarantine", day, quarantine)
        else:  # a neighbour day: its own run parses it, here it only has to exist
            self.store.write_table(self.store.partition_dir("raw_logs", day.isoformat()), accepted)

    def conversations(self, day: dt.date) -> dict:
        import pyarrow.compute as pc

        from wildchat_dagster.core.linking import WINDOW_COLUMNS, link_conversations

        one = dt.timedelta(days=1)
        columns = {day - one: WINDOW_COLUMNS["before"], day: WINDOW_COLUMNS["same"],
                   day + one: WINDOW_COLUMNS["after"]}  # as the conversations asset reads them
        raw = self._read("raw_logs", [day - one, day, day + one] if self.window else [day], columns)
        with self.clock.stage("conversations") as st:
            conversations, link_stats = link_conversations(raw, day)
            st.notes["calls_in_window"] = raw.num_rows
        del raw
        counts = {
            "messages": conversations.num_rows,
            "turns": conversations.num_rows // 2,
            "conversations": link_stats.conversations,
            "text_bytes": text_bytes(conversations),
            "distinct_messages": int(pc.count_distinct(conversations.column("content")).as_py()),
        }
        self._write("conversations", day, conversations)
        return counts

    def scrubbed(self, day: dt.date) -> None:
        from wildchat_dagster.core.pii import scrub_table

        table = self._read("conversations", [day])
        with self.engines.scrubber() as scrubber:  # as assets/scrubbed.py; model loads untimed
            with self.clock.stage("scrubbed"):
                table, _ = scrub_table(table, scrubber)
        self._write("scrubbed", day, table)

    def geo_tagged(self, day: dt.date) -> None:
        table = self._read("scrubbed", [day])
        tagger = self.engines.tagger
        with self.clock.stage("geo_tagged"):
            table, _ = tagger.tag(table)
        self._write("geo_tagged", day, table)

    def classified(self, day: dt.date) -> None:
        from wildchat_dagster.core.langid import LanguageStats, add_language_columns
        from wildchat_dagster.core.schema import CLASSIFIED
        from wildchat_dagster.core.toxicity import ToxicityStats, add_toxicity_columns

        table = self._read("geo_tagged", [day])
        identifier, backends = self.engines.identifier, self.engines.backends
        with self.clock.stage("classified") as st:
            t0 = time.perf_counter()
            table = add_language_columns(table, identifier, LanguageStats())
            t1 = time.perf_counter()
            table = add_toxicity_columns(table, backends, ToxicityStats())
            t2 = time.perf_counter()
            table = table.select(CLASSIFIED.names).cast(CLASSIFIED)
            st.notes["langid_s"] = st.notes.get("langid_s", 0.0) + (t1 - t0)
            st.notes["toxicity_s"] = st.notes.get("toxicity_s", 0.0) + (t2 - t1)
        self._write("classified", day, table)

    def release(self, day: dt.date) -> None:
        from wildchat_dagster.core.publish import publish_output, read_published_table
        from wildchat_dagster.core.release import SFT_COLUMNS, build_release, sft_jsonl
        from wildchat_dagster.core.schema import RELEASE
        from wildchat_dagster.resources import ReleasePolicyResource, ToxicityResource

        classified = self._read("classified", [day])
        tox = ToxicityResource()
        policy = ReleasePolicyResource().get_policy()  # the asset's default release policy (issue 19)
        takedowns = self.engines.takedowns
        with self.clock.stage("release"):
            result = build_release(classified, takedowns, tox.detoxify_threshold, tox.embedded_threshold,
                                   policy=policy)
            splits = result.splits()
        del classified, result
        with self.clock.stage("parquet_io"):
            # as the IO manager publishes it: one version of the day behind its pointer
            publish_output(self.store, self.store.partition_dir("release", day.isoformat()), splits)
        del splits
        with self.clock.stage("release"):  # release_sft: the nontoxic split as chat JSONL
            nontoxic = read_published_table(self.store, f"release/dt={day.isoformat()}", "split=nontoxic",
                                            RELEASE, columns=list(SFT_COLUMNS))  # as the asset reads it
            data, _ = sft_jsonl(nontoxic if nontoxic is not None else RELEASE.empty_table())
            self.store.write_bytes(f"release_sft/dt={day.isoformat()}/sft.jsonl", data)

    def day_chain(self, day: dt.date) -> dict:
        """conversations → release for ``day`` in this process; returns the day's counts."""
        counts = self.conversations(day)
        for step in DAY_STEPS[1:]:
            getattr(self, step)(day)
        return counts


DAY_STEPS = ("conversations", "scrubbed", "geo_tagged", "classified", "release")


def preload_modules() -> None:
    """Import the code before timing (a Dagster process imports the code location at start)."""
    import importlib

    core = ("schema", "storage", "logs", "linking", "pii", "geo", "langid", "toxicity", "release")
    for module in ("pyarrow.parquet", "pyarrow.compute", "wildchat_dagster.resources",
                   *(f"wildchat_dagster.core.{m}" for m in core)):
        importlib.import_module(module)


def _isolated_step(work: str, step: str, day: dt.date, window: bool, workers: int | None,
                   timed: bool = True) -> dict:
    """One step in a fresh process, as Dagster's multiprocess executor runs each step (which
    imports the code location before the step starts: imports are not timed here either)."""
    preload_modules()
    from wildchat_dagster.core.storage import Storage

    store = Storage(work)
    sampler = RssSampler().start()
    clock = Clock(sampler)
    engines = Engines(store, workers)
    pipe = Pipeline(store, engines, clock, window)
    out = pipe.raw_logs(day, timed) if step == "raw_logs" else getattr(pipe, step)(day)
    sampler.stop()
    return {
        "result": out,
        "stages": clock.stages,
        "load_seconds": engines.load_seconds,
        "ru_maxrss": ru_maxrss_bytes(),
        "children_peak": max((s.children_peak for s in clock.stages.values()), default=0),
    }


def run_isolated(work: str, step: str, day: dt.date, window: bool, workers: int | None,
                 timed: bool = True) -> dict:
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
        return pool.submit(_isolated_step, work, step, day, window, workers, timed).result()


# --------------------------------------------------------------------------- the baseline


def sample_turns(conversations, n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` random (user, assistant) message pairs of the day (the same texts the pipeline got)."""
    role = conversations.column("role").to_pylist()
    content = conversations.column("content").to_pylist()
    pairs = [(content[i], content[i + 1]) for i in range(0, len(role) - 1, 2)
             if role[i] == "user" and role[i + 1] == "assistant"]
    rng = random.Random(seed)
    return rng.sample(pairs, min(n, len(pairs)))


def run_baseline(pairs: list[tuple[str, str]]) -> dict:
    """A WildChat-style pass: full Presidio analyze + anonymize and a fastText predict per message."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    from wildchat_dagster.core.langid import packaged_model_path
    from wildchat_dagster.core.pii import DEFAULT_MODEL, PiiConfig, use_offline_tldextract

    use_offline_tldextract()  # no network: Presidio's e-mail check would fetch the suffix list
    t0 = time.perf_counter()
    model = PiiConfig().models.get("en", DEFAULT_MODEL)  # the project's English model config
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    anonymizer = AnonymizerEngine()
    import fasttext

    lid = fasttext.load_model(str(packaged_model_path()))
    analyzer.analyze("warm up", language="en")
    load_s = time.perf_counter() - t0

    messages = [m for pair in pairs for m in pair]
    t0 = time.perf_counter()
    found = 0
    for text in messages:
        results = analyzer.analyze(text=text, language="en")
        found += len(results)
        anonymizer.anonymize(text=text, analyzer_results=results)
        lid.predict(text.replace("\n", " "))
    seconds = time.perf_counter() - t0
    nbytes = sum(len(m.encode("utf-8")) for m in messages)
    return {
        "sample_turns": len(pairs),
        "sample_messages": len(messages),
        "seconds": seconds,
        "load_seconds": load_s,
        "turns_per_s": len(pairs) / seconds if seconds else 0.0,
        "messages_per_s": len(messages) / seconds if seconds else 0.0,
        "mb_per_s": nbytes / MB / seconds if seconds else 0.0,
        "entities_found": found,
    }


# --------------------------------------------------------------------------- report

STAGE_ORDER = ("raw_logs", "conversations", "scrubbed", "geo_tagged", "classified", "release", "parquet_io")


def stage_rows(clock: Clock, turns: int, nbytes: int) -> dict:
    out = {}
    for name in STAGE_ORDER:
        s = clock.stages.get(name)
        if s is None:
            continue
        row = {
            "turns_per_s": round(turns / s.seconds, 1) if s.seconds else None,
            "seconds": round(s.seconds, 3),
            "cpu_seconds": round(s.cpu_seconds, 3),
            "cores_used": round(s.cpu_seconds / s.seconds, 2) if s.seconds else None,
            "mb_per_s": round(nbytes / MB / s.seconds, 3) if s.seconds else None,
            "rss_mb": round(s.rss_after / MB, 1),
            "rss_delta_mb": round((s.rss_after - s.rss_before) / MB, 1),
            "peak_rss_mb": round(s.peak / MB, 1),
        }
        if s.children_peak:
            row["children_peak_rss_mb"] = round(s.children_peak / MB, 1)
        for k, v in s.notes.items():
            row[k] = round(v, 3) if isinstance(v, float) else v
        out[name] = row
    return out


def format_table(report: dict) -> str:
    lines = []
    w = lines.append
    c = report["counts"]
    w(f"{report.get('text', 'generated')} text, day {report['day']}: {c['turns']} turns, "
      f"{c['messages']} messages, "
      f"{c['conversations']} conversations, "
      f"{c['text_bytes'] / MB:.1f} MB of message text; raw drops {report['generation']['drop_mb']:.1f} MB "
      f"({'D-1..D+1 window' if report['window'] else 'day D only'}); "
      f"{'each step in its own process' if report['isolated_steps'] else 'all steps in one process'}; "
      f"PII workers={report['workers']}; "
      f"cores={os.cpu_count()}; load average {report['load_average']}")
    loads = ", ".join(f"{k} {v:.1f}s" for k, v in report["load_seconds"].items())
    w(f"setup (model loads on first use, not in the stage times): {report['setup_seconds']:.1f}s ({loads})")
    w("")
    w(f"{'stage':<16}{'turns/s':>10}{'seconds':>10}{'CPU s':>8}{'cores':>7}{'MB/s':>9}{'RSS MB':>9}"
      f"{'Δ MB':>8}{'peak MB':>9}{'workers MB':>12}")
    for name, s in report["stages"].items():
        tps = f"{s['turns_per_s']:,.0f}" if s["turns_per_s"] else "-"
        mbs = f"{s['mb_per_s']:.2f}" if s["mb_per_s"] else "-"
        child = f"{s['children_peak_rss_mb']:.0f}" if s.get("children_peak_rss_mb") else ""
        w(f"{name:<16}{tps:>10}{s['seconds']:>10.2f}{s['cpu_seconds']:>8.2f}{s['cores_used'] or 0:>7.2f}"
          f"{mbs:>9}{s['rss_mb']:>9.0f}{s['rss_delta_mb']:>8.0f}{s['peak_rss_mb']:>9.0f}{child:>12}")
    e = report["end_to_end"]
    w(f"{'end to end':<16}{e['turns_per_s']:>10,.0f}{e['seconds']:>10.2f}{e['cpu_seconds']:>8.2f}"
      f"{e['cores_used']:>7.2f}{e['mb_per_s']:>9.2f}"
      f"{'':>9}{'':>8}{report['peak_rss_mb']:>9.0f}{report.get('peak_children_rss_mb', 0):>12.0f}")
    if "classified" in report["stages"]:
        s = report["stages"]["classified"]
        w(f"  classified = langid {s.get('langid_s', 0):.2f}s "
          f"+ toxicity (embedded) {s.get('toxicity_s', 0):.2f}s")
    b = report.get("baseline")
    if b:
        w("")
        w(f"baseline (Presidio analyze+anonymize, full en_core_web_sm, + fastText predict, per message, "
          f"1 process, no cache) on a sample of {b['sample_turns']} turns / {b['sample_messages']} messages:")
        w(f"{'baseline':<16}{b['turns_per_s']:>10,.1f}{b['seconds']:>10.2f}{b['mb_per_s']:>9.3f}"
          f"   ({b['messages_per_s']:.1f} messages/s; extrapolated to the day: "
          f"{c['turns'] / b['turns_per_s']:.0f}s)")
        w(f"ratio pipeline/baseline: {report['speedup']:.1f}x")
    w("")
    ok_speed = e["turns_per_s"] >= TARGET_TURNS_PER_S
    ok_mem = report["peak_rss_mb"] < TARGET_PEAK_MB
    w(f"targets: end to end >= {TARGET_TURNS_PER_S:.0f} turns/s: {'met' if ok_speed else 'NOT met'}; "
      f"peak RSS < {TARGET_PEAK_MB:.0f} MB: {'met' if ok_mem else 'NOT met'} "
      f"({'largest step process' if report['isolated_steps'] else 'pipeline process'} "
      f"{report['peak_rss_mb']:.0f} MB; worker processes {report.get('peak_children_rss_mb', 0):.0f} MB, "
      f"PII and classification, whose RSS counts pages shared with the step)")
    if len(report["per_day_peak_rss_mb"]) > 1:
        w(f"peak RSS per day: {report['per_day_peak_rss_mb']} MB")
    slowest = min(((n, s) for n, s in report["stages"].items() if s["turns_per_s"]),
                  key=lambda kv: kv[1]["turns_per_s"], default=None)
    if slowest:
        share = slowest[1]["seconds"] / e["seconds"] * 100 if e["seconds"] else 0
        w(f"slowest stage: {slowest[0]} ({slowest[1]['turns_per_s']:,.0f} turns/s, {share:.0f}% of the time)")
    return "\n".join(lines)


def side_by_side(reports: dict[str, dict]) -> dict:
    """Per stage: each text's turns/s, seconds and CPU seconds, and real / generated."""
    gen, real = reports["generated"], reports["real"]
    rows = {}
    for name in (*STAGE_ORDER, "end_to_end"):
        g = gen["end_to_end"] if name == "end_to_end" else gen["stages"].get(name)
        r = real["end_to_end"] if name == "end_to_end" else real["stages"].get(name)
        if g is None or r is None:
            continue
        rows[name] = {
            "generated_turns_per_s": g["turns_per_s"], "real_turns_per_s": r["turns_per_s"],
            "generated_seconds": g["seconds"], "real_seconds": r["seconds"],
            "generated_cpu_seconds": g["cpu_seconds"], "real_cpu_seconds": r["cpu_seconds"],
            "real_over_generated": round(r["turns_per_s"] / g["turns_per_s"], 3)
            if g["turns_per_s"] and r["turns_per_s"] else None,
        }
    return rows


def format_side_by_side(reports: dict[str, dict]) -> str:
    gen, real = reports["generated"], reports["real"]
    lines = [f"side by side: generated {gen['counts']['turns']} turns "
             f"({gen['counts']['text_bytes'] / MB:.1f} MB, {gen['counts']['distinct_messages']} distinct "
             f"messages), real {real['counts']['turns']} turns ({real['counts']['text_bytes'] / MB:.1f} MB, "
             f"{real['counts']['distinct_messages']} distinct); load average {real['load_average']}",
             f"{'stage':<16}{'gen turns/s':>12}{'gen s':>8}{'gen CPU s':>10}{'real turns/s':>13}{'real s':>8}"
             f"{'real CPU s':>11}{'real/gen':>9}"]
    for name, row in side_by_side(reports).items():
        ratio = row["real_over_generated"]
        lines.append(
            f"{name:<16}{row['generated_turns_per_s'] or 0:>12,.0f}{row['generated_seconds']:>8.2f}"
            f"{row['generated_cpu_seconds']:>10.2f}{row['real_turns_per_s'] or 0:>13,.0f}"
            f"{row['real_seconds']:>8.2f}{row['real_cpu_seconds']:>11.2f}"
            f"{(f'{ratio:.2f}' if ratio else '-'):>9}")
    lines.append(f"peak RSS: generated {gen['peak_rss_mb']:.0f} MB, real {real['peak_rss_mb']:.0f} MB "
                 "(the second text's peak is the sampled one: allocators keep the first's pages)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def run_text(args, text: str, work: Path, first_in_process: bool) -> dict:
    """One measured run on ``text`` ("generated" or "real") in ``work``; returns the report."""
    window = not args.no_window
    log = sys.stderr
    per_day = max(1, round(args.turns / TURNS_PER_CONVERSATION))
    first = DAY - dt.timedelta(days=1) if window else DAY
    n_days = args.days + (2 if window else 0)
    measured = [DAY + dt.timedelta(days=i) for i in range(args.days)]
    print(f"generating {n_days} day(s) x {per_day} conversations under {work} ...", file=log, flush=True)
    gen = generate_in_child(str(work), first, n_days, per_day, args.seed)
    print(f"generated {gen['lines']} lines in {gen['seconds']:.1f}s", file=log, flush=True)
    if text == "real":  # the same drops, every message replaced by varied real WildChat text
        from real_text import rewrite_drops

        t0 = time.perf_counter()
        gen["real_text"] = rewrite_drops(work, salt=args.seed).to_dict()
        gen["real_text"]["seconds"] = round(time.perf_counter() - t0, 2)
        print(f"rewrote the drops with real WildChat text in {gen['real_text']['seconds']:.1f}s",
              file=log, flush=True)
    drop_bytes = sum(p.stat().st_size for p in (work / "raw_logs_drop").rglob("*.jsonl"))
    gen["drop_mb"] = drop_bytes / MB / n_days

    from wildchat_dagster.core.storage import Storage

    store = Storage(str(work))
    sampler = RssSampler().start()
    clock = Clock(sampler, profile=args.profile)
    preload_modules()
    engines = Engines(store, args.workers)
    print("running the pipeline (models load as the stages reach them) ...", file=log, flush=True)
    pipe = Pipeline(store, engines, clock, window)
    sampler.reset()
    rss_start = rss_now()

    # raw_logs for every day first (as `make demo` and a backfill do): conversations[D] reads
    # raw_logs[D-1..D+1]. Neighbour days are parsed untimed: their own runs pay for them.
    totals = {"messages": 0, "turns": 0, "conversations": 0, "text_bytes": 0, "distinct_messages": 0}
    per_day_peak: list[float] = []
    step_peaks: dict[str, int] = {}
    children_peak = 0
    if args.isolate:
        def isolated(step: str, day: dt.date, timed: bool = True):
            nonlocal children_peak
            out = run_isolated(str(work), step, day, window, args.workers, timed)
            for name, st in out["stages"].items():
                mine = clock.stages.setdefault(name, StageResult(name))
                mine.seconds += st.seconds
                mine.cpu_seconds += st.cpu_seconds
                mine.calls += st.calls
                mine.rss_before = mine.rss_before or st.rss_before
                mine.rss_after = st.rss_after
                mine.peak = max(mine.peak, out["ru_maxrss"] if name == step else st.peak)
                mine.children_peak = max(mine.children_peak, st.children_peak)
                for k, v in st.notes.items():
                    mine.notes[k] = mine.notes.get(k, 0) + v
            for k, v in out["load_seconds"].items():
                engines.load_seconds[k] = engines.load_seconds.get(k, 0.0) + v
            step_peaks[step] = max(step_peaks.get(step, 0), out["ru_maxrss"])
            children_peak = max(children_peak, out["children_peak"])
            return out

        for i in range(n_days):
            day = first + dt.timedelta(days=i)
            isolated("raw_logs", day, timed=day in measured)
        for day in measured:
            peak = 0
            for step in DAY_STEPS:
                out = isolated(step, day)
                peak = max(peak, out["ru_maxrss"])
                if step == "conversations":
                    counts = out["result"]
            for k in totals:
                totals[k] += counts[k]
            per_day_peak.append(round(peak / MB, 1))
            print(f"day {day}: {counts['turns']} turns done", file=log, flush=True)
        pipeline_peak = max(step_peaks.values())
    else:
        for i in range(n_days):
            day = first + dt.timedelta(days=i)
            pipe.raw_logs(day, timed=day in measured)
        for day in measured:
            clock.reset_window()
            counts = pipe.day_chain(day)
            for k in totals:
                totals[k] += counts[k]
            per_day_peak.append(round(clock.window_peak / MB, 1))
            print(f"day {day}: {counts['turns']} turns done", file=log, flush=True)
        # ru_maxrss is the process's whole life: only the first text measured in it may use it
        pipeline_peak = max(max(s.peak for s in clock.stages.values()),
                            ru_maxrss_bytes() if first_in_process else 0)
        children_peak = max((s.children_peak for s in clock.stages.values()), default=0)
    setup_s = sum(engines.load_seconds.values())

    turns, nbytes = totals["turns"], totals["text_bytes"]
    stages = stage_rows(clock, turns, nbytes)
    total_s = sum(s.seconds for s in clock.stages.values())
    total_cpu = sum(s.cpu_seconds for s in clock.stages.values())
    report = {
        "text": text,
        "day": DAY.isoformat() if args.days == 1 else f"{measured[0]}..{measured[-1]}",
        "window": window,
        "isolated_steps": args.isolate,
        "workers": engines.pii_resource().workers,
        "load_seconds": {k: round(v, 2) for k, v in engines.load_seconds.items()},
        "cpu_count": os.cpu_count(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "counts": totals,
        "generation": gen,
        "setup_seconds": round(setup_s, 2),
        "stages": stages,
        "end_to_end": {
            "turns_per_s": round(turns / total_s, 1),
            "seconds": round(total_s, 3),
            "cpu_seconds": round(total_cpu, 3),
            "cores_used": round(total_cpu / total_s, 2),
            "mb_per_s": round(nbytes / MB / total_s, 3),
            "turns_per_s_with_setup": round(turns / (total_s + setup_s), 1),
        },
        "pipeline_turns_per_s": round(turns / total_s, 1),
        "peak_rss_mb": round(pipeline_peak / MB, 1),
        "peak_children_rss_mb": round(children_peak / MB, 1),
        "rss_at_start_mb": round(rss_start / MB, 1),
        "per_day_peak_rss_mb": per_day_peak,
        "step_peak_rss_mb": {k: round(v / MB, 1) for k, v in step_peaks.items()},
    }
    sampler.stop()

    if args.baseline_turns > 0:
        print(f"baseline on {args.baseline_turns} turns ...", file=log, flush=True)
        conversations = store.read_table(store.partition_dir("conversations", measured[0].isoformat()))
        pairs = sample_turns(conversations, args.baseline_turns, args.seed)
        del conversations
        base = run_baseline(pairs)
        report["baseline"] = {k: round(v, 3) if isinstance(v, float) else v for k, v in base.items()}
        report["baseline_turns_per_s"] = report["baseline"]["turns_per_s"]
        report["speedup"] = round(report["pipeline_turns_per_s"] / base["turns_per_s"], 2)
    else:
        report["baseline_turns_per_s"] = None
        report["speedup"] = None


    if args.profile:
        for name in STAGE_ORDER:
            s = clock.stages.get(name)
            if s is not None:
                print(f"\n===== cProfile ({text}): {name} ({s.seconds:.2f}s) =====\n{s.profile}", file=log)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=DEFAULT_TURNS, help="turns in the measured day (about)")
    parser.add_argument("--json", action="store_true", help="last stdout line: the report as one JSON object")
    parser.add_argument("--workers", type=int, default=None,
                        help="PII worker processes (default: PiiConfig's default)")
    parser.add_argument("--baseline-turns", type=int, default=100,
                        help="turns in the baseline's random sample (0: skip the baseline)")
    parser.add_argument("--days", type=int, default=1,
                        help="measured days, run one after another in this process (peak RSS must not grow)")
    parser.add_argument("--no-window", action="store_true",
                        help="generate day D only (conversations then reads empty neighbour days)")
    parser.add_argument("--isolate", action="store_true",
                        help="run each step in its own process, as Dagster's multiprocess executor does; "
                             "peak RSS is then per step (each process's ru_maxrss)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true",
                        help="cProfile every stage (this process only; use --workers 1 to see PII) to stderr")
    parser.add_argument("--text", choices=("generated", "real", "both"), default="both",
                        help="the generator's text, real WildChat text (bench/real_text.py: the same "
                             "drops, every message replaced by varied real text) or both, side by side")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.turns < 10 or args.days < 1:
        parser.error("--turns must be >= 10 and --days >= 1")

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="wildchat-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    texts = ("generated", "real") if args.text == "both" else (args.text,)
    reports: dict[str, dict] = {}
    try:
        for i, text in enumerate(texts):
            sub = work / text if len(texts) > 1 else work
            sub.mkdir(parents=True, exist_ok=True)
            report = run_text(args, text, sub, first_in_process=i == 0)
            reports[text] = report
            if len(texts) > 1 and not args.keep:
                shutil.rmtree(sub, ignore_errors=True)  # the next text's drops need the disk
        for text, report in reports.items():
            print(f"\n===== {text} text =====")
            print(format_table(report), flush=True)
        if len(reports) > 1:
            print("\n" + format_side_by_side(reports), flush=True)
        if args.json:
            out = dict(reports[texts[0]])
            if len(reports) > 1:
                out["real"] = reports["real"]
                out["side_by_side"] = side_by_side(reports)
            print(json.dumps(out, default=str), flush=True)
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
