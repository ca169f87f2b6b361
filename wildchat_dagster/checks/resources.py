"""Settings of the quality checks (a Dagster resource, key ``quality``)."""

from __future__ import annotations

import os

from dagster import ConfigurableResource


class QualityResource(ConfigurableResource):
    """``quarantine_rate_max``: the raw_logs quarantine-rate warning threshold.
    ``no_consent_jump_max``: how far a day's no-consent share may rise above the median of the
    previous days' before raw_logs_no_consent_share warns.
    ``sample_size``: bad row ids kept per failed expectation (ids only, never values).
    ``data_docs``: build the GX Data Docs site after each validation.
    ``docs_max_partitions``: days of results per suite listed in the Data Docs index."""

    quarantine_rate_max: float = 0.05
    no_consent_jump_max: float = 0.2
    sample_size: int = 10
    data_docs: bool = True
    docs_max_partitions: int = 90


def quality_resource_from_env() -> QualityResource:
    env = os.environ
    kwargs: dict = {}
    if env.get("WILDCHAT_QUARANTINE_RATE_MAX"):
        kwargs["quarantine_rate_max"] = float(env["WILDCHAT_QUARANTINE_RATE_MAX"])
    if env.get("WILDCHAT_NO_CONSENT_JUMP_MAX"):
        kwargs["no_consent_jump_max"] = float(env["WILDCHAT_NO_CONSENT_JUMP_MAX"])
    if env.get("WILDCHAT_DATA_DOCS", "").lower() in ("0", "false", "no", "off"):
        kwargs["data_docs"] = False
    return QualityResource(**kwargs)
