"""Configurable resources. Which implementation runs (demo vs production) is decided in
one place, ``definitions.py``, from the environment (DESIGN §12, §15)."""

from __future__ import annotations

import os

from dagster import ConfigurableResource

from .core.storage import Storage

DEFAULT_STORAGE = "./data"


def storage_base_from_env() -> str:
    return os.environ.get("WILDCHAT_STORAGE", DEFAULT_STORAGE)


class StorageResource(ConfigurableResource):
    """Where drops are read from and side outputs are written: a directory or s3://..."""

    base: str

    def get(self) -> Storage:
        return Storage(self.base)


# --- scrubbing resources (issue 3) ---

# --- geo resources (issue 4) ---

# --- classification resources (issue 4) ---
