"""Builders for raw log lines (DESIGN §3) used across tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa

from wildchat_dagster.core.logs import LogParser

UA_A = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/112.0 Safari/537.36"
UA_B = "Mozilla/5.0 (Macintosh; Intel Mac OS X 13_3) AppleWebKit/605.1.15 Version/16.4 Safari/605.1.15"


def call(
    call_id: int,
    ts: str,
    history: list[str],
    response: str,
    *,
    ip: str = "81.2.69.142",
    ua: str = UA_A,
    lang: str = "en-GB,en;q=0.9",
    model: str = "gpt-4-0314",
    consent: bool = True,
) -> dict:
    """One API call; ``history`` alternates user/assistant texts and ends with the user's."""
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": c} for i, c in enumerate(history)]
    return {
        "id": call_id,
        "timestamp": ts,
        "model": model,
        "ip": ip,
        "consent": consent,
        "headers": {"user-agent": ua, "accept-language": lang},
        "messages": messages,
        "response": response,
        "openai_id": f"chatcmpl-{call_id}",
        "temperature": 0.7,
        "top_p": 1.0,
        "usage": {"prompt_tokens": 10, "completion_tokens": 20},
    }


def write_drop(base: Path, day: str, rows: list, name: str = "part-0.jsonl") -> Path:
    """Write rows (dicts, or raw bytes/str lines) as a drop file for ``day``."""
    folder = Path(base) / "raw_logs_drop" / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with open(path, "wb") as f:
        for row in rows:
            if isinstance(row, dict):
                f.write(json.dumps(row, ensure_ascii=False).encode())
            elif isinstance(row, str):
                f.write(row.encode())
            else:
                f.write(row)
            f.write(b"\n")
    return path


def parse_rows(rows: list[dict]) -> pa.Table:
    """Accepted table for rows spanning any days (each row parsed for its own day)."""
    tables = []
    by_day: dict[dt.date, list[bytes]] = {}
    for row in rows:
        day = dt.datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00")).date()
        by_day.setdefault(day, []).append(json.dumps(row).encode())
    for day, lines in sorted(by_day.items()):
        parser = LogParser(day)
        parser.feed("test.jsonl", lines)
        assert parser.result.quarantined_count == 0, parser.result.quarantine_table().to_pylist()
        tables.append(parser.result.accepted_table())
    return pa.concat_tables(tables)
