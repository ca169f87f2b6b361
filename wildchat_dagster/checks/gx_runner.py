"""Great Expectations (GX Core 1.x) behind the asset checks: validate a partition's frames
against the suites in ``suites.py``, keep the (sanitised) results, build the Data Docs site.

- One ephemeral GX context per validation (no project files, nothing shared between runs),
  a pandas data source with one dataframe asset per suite, a whole-dataframe batch
  definition and a ``ValidationDefinition`` per suite. Run-dependent values are suite
  parameters; the run id is ``(run_name=partition day, run_time=now)``.
- Results ask GX for unexpected *row ids only* (``unexpected_index_column_names`` +
  ``exclude_unexpected_values``) and are sanitised again before anything is stored:
  no value list, no value counts, no query, no non-numeric observed value. The frames
  hold no message text to begin with (core/quality.py).
- Results are stored as JSON under ``<storage>/quality/validations/<suite>/dt=<day>.json``
  (the latest per suite and day) through ``core.storage.Storage``, so they live next to
  the data on a local disk or S3.
- Data Docs: ``<storage>/quality/data_docs/`` (index.html, a page per suite and per stored
  result). Locally the site is updated in place under a file lock, rendering only the new
  result pages (and any missing ones); on S3 it is rendered in a temporary directory and
  uploaded file by file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.quality import Frames
from ..core.storage import Storage
from .suites import SUITES, SUITES_BY_NAME, CheckDef, Expect, SuiteDef

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # never phone home (set before GX is imported)

QUALITY_DIR = "quality"
RESULTS_DIR = f"{QUALITY_DIR}/validations"
DOCS_DIR = f"{QUALITY_DIR}/data_docs"
SITE_NAME = "wildchat_quality"
_VALUE_KEYS = (
    "partial_unexpected_list",
    "unexpected_list",
    "partial_unexpected_counts",
    "unexpected_rows",
    "unexpected_index_query",
)
_ID_KEYS = ("unexpected_index_list", "partial_unexpected_index_list")


# --------------------------------------------------------------------------- results
@dataclass
class ExpectationOutcome:
    suite: str
    check: str
    label: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    sample: list[dict]  # row ids of unexpected rows (at most sample_size)
    error: str | None = None


@dataclass
class SuiteRun:
    suite: str
    partition: str
    run_time: str
    success: bool
    result: dict  # the sanitised GX result (JSON-able)
    outcomes: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def results_path(self) -> str:
        return f"{RESULTS_DIR}/{self.suite}/dt={self.partition}.json"


@dataclass
class CheckOutcome:
    check: CheckDef
    passed: bool
    evaluated: int
    failed: int
    unexpected: dict[str, int]
    samples: dict[str, list[dict]]
    errors: dict[str, str]
    suites: list[str]


def _label(e: Expect) -> str:
    k = e.kwargs
    target = (
        k.get("column")
        or ",".join(k.get("column_list", []))
        or ",".join(x for x in (k.get("column_A"), k.get("column_B")) if x)
    )
    return f"{e.type}({target})"


def _context(site_dir: str | None = None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if site_dir:
        sites[SITE_NAME] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": site_dir},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites=sites,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def build_suite(suite: SuiteDef):
    """The GX ExpectationSuite of a SuiteDef; each expectation's meta names its Dagster check."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    gx_suite = gx.ExpectationSuite(name=suite.name, meta={"asset": suite.asset, "notes": suite.description})
    for e in suite.expectations:
        cls = getattr(gxe, e.type)
        gx_suite.add_expectation(cls(**e.kwargs, meta={"check": e.check, "asset": suite.asset}))
    return gx_suite


def _sample(result: dict, id_columns: tuple[str, ...], size: int) -> list[dict]:
    if not id_columns:
        return []
    rows: list[dict] = []
    for item in result.get("unexpected_index_list") or []:
        if not isinstance(item, dict):
            continue
        cols = [c for c in id_columns if c in item]
        if cols and all(isinstance(item[c], list) for c in cols):  # exclude_unexpected_values: lists per id
            for values in zip(*(item[c] for c in cols), strict=False):
                rows.append(dict(zip(cols, values, strict=True)))
        else:
            rows.append({c: item[c] for c in cols})
        if len(rows) >= size:
            break
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in rows[:size]]


def _sanitise(result: dict, id_columns: tuple[str, ...], sample_size: int) -> dict:
    """Drop everything in a GX result that could hold data values; keep counts and row ids."""
    for r in result.get("results", []):
        inner = r.get("result") or {}
        for key in _VALUE_KEYS:
            inner.pop(key, None)
        for key in _ID_KEYS:  # row ids only: other keys (a value column) are dropped
            if key in inner:
                inner[key] = _truncate_ids(inner[key], id_columns, sample_size)
        observed = inner.get("observed_value")
        if observed is not None and not isinstance(observed, bool | int | float):
            inner.pop("observed_value")
        info = r.get("exception_info") or {}
        if info.get("exception_traceback"):
            info["exception_traceback"] = None  # tracebacks can quote data; the message stays
    return result


def _truncate_ids(items, id_columns: tuple[str, ...], size: int):
    out = []
    for item in items or []:
        if isinstance(item, dict):
            out.append(
                {k: (v[:size] if isinstance(v, list) else v) for k, v in item.items() if k in id_columns}
            )
        elif isinstance(item, int):  # a row position (suites without id columns)
            out.append(item)
        if len(out) >= size:
            break
    return out


def validate(
    asset: str, partition: str, frames: Frames, params: dict, sample_size: int = 10
) -> list[SuiteRun]:
    """Validate every suite of ``asset`` against its frame; one SuiteRun per suite."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context()
    source = context.data_sources.add_pandas("wildchat")
    run_time = dt.datetime.now(dt.UTC)
    runs: list[SuiteRun] = []
    for suite in (s for s in SUITES if s.asset == asset):
        frame = frames.frames[suite.name]
        data_asset = source.add_dataframe_asset(suite.name)
        batch = data_asset.add_batch_definition_whole_dataframe(f"{suite.name}-{partition}")
        gx_suite = context.suites.add(build_suite(suite))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite.name}-{partition}", data=batch, suite=gx_suite)
        )
        result_format: dict = {
            "result_format": "COMPLETE",
            "exclude_unexpected_values": True,
            "return_unexpected_index_query": False,
            "partial_unexpected_count": sample_size,
        }
        if suite.id_columns:
            result_format["unexpected_index_column_names"] = list(suite.id_columns)
        result = definition.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=params,
            result_format=result_format,
            run_id=RunIdentifier(run_name=partition, run_time=run_time),
        )
        as_dict = _sanitise(
            json.loads(json.dumps(result.to_json_dict(), default=str)), suite.id_columns, sample_size
        )
        run = SuiteRun(suite.name, partition, run_time.isoformat(), bool(result.success), as_dict)
        by_id = {e.get("expectation_config", {}).get("id"): e for e in as_dict.get("results", [])}
        for expect, gx_expect in zip(suite.expectations, gx_suite.expectations, strict=True):
            r = by_id.get(str(gx_expect.id)) or {}
            inner = r.get("result") or {}
            exc = r.get("exception_info") or {}
            run.outcomes.append(
                ExpectationOutcome(
                    suite=suite.name,
                    check=expect.check,
                    label=_label(expect),
                    success=bool(r.get("success")),
                    element_count=inner.get("element_count"),
                    unexpected_count=inner.get("unexpected_count"),
                    sample=_sample(inner, suite.id_columns, sample_size),
                    error=(exc.get("exception_message") or "")[:300] if exc.get("raised_exception") else None,
                )
            )
        runs.append(run)
    return runs


def outcomes_by_check(runs: list[SuiteRun], checks: list[CheckDef]) -> dict[str, CheckOutcome]:
    out: dict[str, CheckOutcome] = {}
    for check in checks:
        outcomes = [o for run in runs for o in run.outcomes if o.check == check.name]
        failed = [o for o in outcomes if not o.success]
        out[check.name] = CheckOutcome(
            check=check,
            passed=bool(outcomes) and not failed,
            evaluated=len(outcomes),
            failed=len(failed),
            unexpected={f"{o.suite}: {o.label}": int(o.unexpected_count or 0) for o in failed},
            samples={f"{o.suite}: {o.label}": o.sample for o in failed if o.sample},
            errors={f"{o.suite}: {o.label}": o.error for o in failed if o.error},
            suites=sorted({o.suite for o in outcomes}),
        )
    return out


def save_results(storage: Storage, runs: list[SuiteRun]) -> list[str]:
    """Store each run's sanitised result (latest per suite and day); returns the paths."""
    paths = []
    for run in runs:
        doc = {
            "suite": run.suite,
            "partition": run.partition,
            "run_time": run.run_time,
            "success": run.success,
            "result": run.result,
        }
        storage.write_bytes(run.results_path, json.dumps(doc, indent=1, sort_keys=True).encode())
        paths.append(run.results_path)
    return paths


# --------------------------------------------------------------------------- Data Docs
@dataclass
class DocsSite:
    index_uri: str  # file path (local) or s3:// URI of index.html
    pages: dict[str, str]  # suite name → page URI of the result just built (for this partition)
    local_dir: str | None  # where the site is on this machine (local storage), else None
    results_listed: int


def _result_key(doc: dict):
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    run_time = dt.datetime.fromisoformat(doc["run_time"])
    return ValidationResultIdentifier(
        ExpectationSuiteIdentifier(doc["suite"]),
        RunIdentifier(run_name=doc["partition"], run_time=run_time),
        f"{doc['suite']}-{doc['partition']}",
    )


def _page_rel(key) -> str:
    suite, run_name, run_time, batch = key.to_tuple()
    return f"validations/{suite}/{run_name}/{run_time}/{batch}.html"


@contextlib.contextmanager
def _lock(path: Path):
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _load_results(storage: Storage, max_partitions: int) -> list[dict]:
    by_suite: dict[str, list[str]] = {}
    for info in storage.list_files(RESULTS_DIR, (".json",)):
        parts = info.path[len(RESULTS_DIR) + 1 :].split("/")
        if len(parts) == 2 and parts[0] in SUITES_BY_NAME:
            by_suite.setdefault(parts[0], []).append(info.path)
    docs = []
    for paths in by_suite.values():
        for path in sorted(paths)[-max_partitions:]:  # dt=YYYY-MM-DD sorts by day
            with contextlib.suppress(ValueError, KeyError):
                docs.append(json.loads(storage.read_bytes(path)))
    return docs


def build_data_docs(
    storage: Storage, new_runs: list[SuiteRun] | None = None, max_partitions: int = 90
) -> DocsSite:
    """Update the Data Docs site under ``<storage>/quality/data_docs/``: a page per suite and
    per stored result (the newest ``max_partitions`` days of each suite), and the index."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    new_runs = new_runs or []
    if storage.is_s3:
        with tempfile.TemporaryDirectory(prefix="wildchat-data-docs-") as tmp:
            pages, listed = _render(
                storage, tmp, new_runs, max_partitions, ExpectationSuiteIdentifier, full=True
            )
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    rel = path.relative_to(tmp).as_posix()
                    if rel.startswith("static/") and storage.exists(f"{DOCS_DIR}/{rel}"):
                        continue
                    storage.write_bytes(f"{DOCS_DIR}/{rel}", path.read_bytes())
        return DocsSite(
            storage.uri(f"{DOCS_DIR}/index.html"),
            {s: storage.uri(f"{DOCS_DIR}/{rel}") for s, rel in pages.items()},
            None,
            listed,
        )
    site = Path(storage.full(DOCS_DIR))
    with _lock(Path(storage.full(QUALITY_DIR)) / ".data_docs.lock"):
        pages, listed = _render(
            storage, str(site), new_runs, max_partitions, ExpectationSuiteIdentifier, full=False
        )
    return DocsSite(
        str(site / "index.html"), {s: str(site / rel) for s, rel in pages.items()}, str(site), listed
    )


def _render(
    storage: Storage, site_dir: str, new_runs: list[SuiteRun], max_partitions: int, suite_id_cls, full: bool
) -> tuple[dict[str, str], int]:
    context = _context(site_dir)
    for suite in SUITES:
        context.suites.add(build_suite(suite))
    store = context.validation_results_store
    docs = {(d["suite"], d["partition"]): d for d in _load_results(storage, max_partitions)}
    for run in new_runs:  # what was just validated, even if the listing lags behind the write
        docs[(run.suite, run.partition)] = {
            "suite": run.suite,
            "partition": run.partition,
            "run_time": run.run_time,
            "result": run.result,
        }
    render = []
    new_keys = {(r.suite, r.partition) for r in new_runs}
    pages: dict[str, str] = {}
    for ident, doc in docs.items():
        key = _result_key(doc)
        store.set(key, store.deserialize(json.dumps(doc["result"])))
        rel = _page_rel(key)
        if full or ident in new_keys or not (Path(site_dir) / rel).exists():
            render.append(key)
        if ident in new_keys:
            pages[doc["suite"]] = rel
    # Suite pages change only with the code: rendered when missing or when the suites changed.
    signature = hashlib.sha256(repr(SUITES).encode()).hexdigest()
    marker = Path(site_dir) / ".suites_sha256"
    stale = full or not marker.exists() or marker.read_text().strip() != signature
    for suite in SUITES:
        if stale or not (Path(site_dir) / "expectations" / f"{suite.name}.html").exists():
            render.append(suite_id_cls(suite.name))
    if not render:  # GX reads an empty list as "everything"; the index alone is enough
        render.append(suite_id_cls(SUITES[0].name))
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=render)
    if not full:
        marker.write_text(signature)
    return pages, len(docs)
