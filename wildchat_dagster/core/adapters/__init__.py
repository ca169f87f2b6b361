"""Input adapters: other log shapes turned into what the pipeline already reads.

* ``openai_gateway``: one OpenAI Chat Completions request/response pair per line, as API
  gateways log them → the input contract's per-call dict (DESIGN §3), so the contract's own
  validation and typing make ``raw_logs``. Chosen per drop file by a ``format=`` folder:
  ``raw_logs_drop/dt=YYYY-MM-DD/format=openai_gateway/*.jsonl[.gz]`` (docs/adapters.md).
* ``linked``: already-linked conversations (WildChat-1M rows as JSONL or Parquet, ShareGPT
  JSON) → the message-level table the ``audit`` group scrubs (``core/audit.py``).
"""

from __future__ import annotations

import re

from .base import AdapterReject
from .openai_gateway import GatewayReject, to_contract_call

# Drop files in a `format=<name>` folder are adapted line by line before the contract's
# validation; files outside any such folder are in the contract itself.
LINE_ADAPTERS = {"openai_gateway": to_contract_call}
CONTRACT_FORMAT = "contract"
_FORMAT_DIR = re.compile(r"(?:^|/)format=([^/]+)/")


class UnknownFormatError(ValueError):
    pass


def drop_format(path: str) -> str:
    """The format a drop file is in, from its ``format=<name>/`` folder (the contract if none)."""
    found = _FORMAT_DIR.findall(path)
    return found[-1] if found else CONTRACT_FORMAT


def line_adapter_for(path: str):
    """The per-line adapter of a drop file: None for the contract itself; a callable
    ``dict -> dict`` raising ``AdapterReject(reason, detail)`` otherwise.
    Raises UnknownFormatError for a ``format=`` folder nobody knows (the file is quarantined)."""
    name = drop_format(path)
    if name == CONTRACT_FORMAT:
        return None
    if name not in LINE_ADAPTERS:
        known = ", ".join(sorted([CONTRACT_FORMAT, *LINE_ADAPTERS]))
        raise UnknownFormatError(f"format={name} is not a known drop format (known: {known})")
    return LINE_ADAPTERS[name]


__all__ = [
    "AdapterReject",
    "GatewayReject",
    "UnknownFormatError",
    "drop_format",
    "line_adapter_for",
    "to_contract_call",
]
