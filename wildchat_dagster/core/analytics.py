"""Analytics (DESIGN §11) around the dbt project in ``dbt/``; no Dagster import.

Where the DuckDB warehouse lives, the vars that point dbt at the release, keeping dbt's
manifest current (so the code location loads without a database), and reading and printing
the models' tables.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path

from .publish import current_days
from .storage import Storage

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt"
MANIFEST_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests", "plugins")

ANALYTICS_MODELS = (
    "overall_stats",
    "language_distribution",
    "country_distribution",
    "model_distribution",
    "toxicity_by_month",
    "top_prompts",
    "jailbreak_families",
    "prompt_categories",
)
OVERALL_STATS_LABELS = {
    "conversations": "conversations",
    "turns": "turns (user prompts)",
    "users": "users (distinct hashed IPs)",
    "mean_turns": "mean turns per conversation",
    "mean_prompt_tokens": "mean user-prompt tokens",
    "mean_response_tokens": "mean response tokens",
    "languages": "languages",
    "countries": "countries",
    "days": "released days",
}


def storage_uri(storage_base: str) -> str:
    """The storage base as dbt must see it: absolute (dbt runs inside dbt/), or the s3:// URI."""
    if storage_base.startswith("s3://"):
        return storage_base.rstrip("/")
    return os.path.abspath(storage_base)


def warehouse_path(storage_base: str, env: Mapping[str, str] = os.environ) -> str:
    """WILDCHAT_WAREHOUSE, else ``<storage>/warehouse/wildchat.duckdb`` for local storage, else
    ``./data/warehouse/wildchat.duckdb`` (a DuckDB file cannot be written on S3: production points
    WILDCHAT_WAREHOUSE at a persistent volume)."""
    explicit = env.get("WILDCHAT_WAREHOUSE")
    if explicit:
        return explicit if "://" in explicit or explicit.startswith("md:") else os.path.abspath(explicit)
    if storage_base.startswith("s3://"):
        return os.path.abspath(os.path.join("data", "warehouse", "wildchat.duckdb"))
    return os.path.join(storage_uri(storage_base), "warehouse", "wildchat.duckdb")


def release_files(storage_base: str, split: str = "full") -> list[str]:
    """The current version's ``split`` files of every released day (absolute paths or s3://
    URIs), through each day's pointer (core/publish.py): what dbt reads."""
    store = Storage(storage_base)
    return [store.uri(path) for published in current_days(store, "release").values()
            for path in published.under(f"split={split}") if path.endswith(".parquet")]


def dbt_vars(storage_base: str, env: Mapping[str, str] = os.environ,
             files: list[str] | None = None) -> dict:
    """``--vars`` for dbt: the release location, the warehouse file (both absolute) and the
    released files dbt reads (``files``, else resolved now)."""
    return {"storage": storage_uri(storage_base), "warehouse": warehouse_path(storage_base, env),
            "release_files": release_files(storage_base) if files is None else files}


# -- the manifest ---------------------------------------------------------------------------------
def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in MANIFEST_SOURCES:
        path = project_dir / name
        paths = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        for p in paths:
            if p.is_file() and "__pycache__" not in p.parts:
                newest = max(newest, p.stat().st_mtime)
    return newest


def manifest_is_current(project_dir: Path = DBT_PROJECT_DIR, target: str = "target") -> bool:
    manifest = project_dir / target / "manifest.json"
    return manifest.is_file() and manifest.stat().st_mtime >= _newest_source_mtime(project_dir)


def dbt_executable() -> str:
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR, target: str = "target") -> Path:
    """``dbt parse`` when target/manifest.json is missing or older than the project's files.

    Parsing needs no database (nothing connects). It writes into a private directory and the
    manifest is renamed into place, so processes loading the code location at the same time never
    read a half-written file.
    """
    manifest = project_dir / target / "manifest.json"
    if manifest_is_current(project_dir, target):
        return manifest
    scratch = project_dir / target / f".parse-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_PROJECT_DIR": str(project_dir)}
    env.pop("DBT_TARGET_PATH", None)
    cmd = [
        dbt_executable(), "parse", "--quiet", "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir), "--target-path", str(scratch), "--log-path", str(scratch),
    ]
    try:
        proc = subprocess.run(cmd, cwd=project_dir, env=env, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not (scratch / "manifest.json").is_file():
            tail = (proc.stdout + proc.stderr)[-3000:]
            raise RuntimeError(f"`dbt parse` failed in {project_dir} (exit {proc.returncode}):\n{tail}")
        os.replace(scratch / "manifest.json", manifest)
        partial = scratch / "partial_parse.msgpack"
        if partial.is_file():
            os.replace(partial, project_dir / target / "partial_parse.msgpack")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return manifest


# -- reading the models --------------------------------------------------------------------------
def read_model(warehouse: str, model: str):
    """A model's table from the warehouse as a pyarrow Table (read-only connection)."""
    import duckdb

    if model not in ANALYTICS_MODELS:
        raise ValueError(f"unknown analytics model {model!r}")
    with duckdb.connect(warehouse, read_only=True) as conn:
        return conn.execute(f'select * from main."{model}"').fetch_arrow_table()


def format_overall_stats(row: Mapping[str, object]) -> str:
    """overall_stats as a two-column text table, the paper's Table 1 turned on its side."""
    lines = []
    for column, label in OVERALL_STATS_LABELS.items():
        value = row.get(column)
        if isinstance(value, float):
            shown = f"{value:,.2f}"
        elif isinstance(value, int):
            shown = f"{value:,}"
        else:
            shown = "—" if value is None else str(value)
        lines.append(f"  {label:<30} {shown:>14}")
    first, last = row.get("first_day"), row.get("last_day")
    if first is not None:
        lines.append(f"  {'first .. last release day':<30} {first} .. {last}")
    return "\n".join(lines)
