"""Alerts: a sensor that posts each failed asset check to a webhook, once.

Every tick reads the ASSET_CHECK_EVALUATION events stored after its cursor (an event
storage id), posts one Slack-compatible JSON message (``{"text": ..., "blocks": [...]}``)
per evaluation with ``passed=False`` to ``WILDCHAT_ALERT_WEBHOOK``, and moves the cursor
past what it handled, so a failure is announced exactly once. A post that fails (webhook
down, non-2xx) stops the tick before that event: it is retried on the next tick, never
skipped. Without a configured webhook the sensor only advances its cursor.

The message names the asset, partition, check, severity and the failed expectations'
counts (names and numbers only, never data), with links to the run and to the asset's
checks in the Dagster UI (``DAGSTER_WEBSERVER_URL``, default http://127.0.0.1:3000).
"""

from __future__ import annotations

import os
import urllib.parse
import warnings
from typing import Any

import requests
from dagster import (
    DagsterEventType,
    DefaultSensorStatus,
    EventRecordsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

WEBHOOK_ENV = "WILDCHAT_ALERT_WEBHOOK"
WEBSERVER_ENV = "DAGSTER_WEBSERVER_URL"
DEFAULT_WEBSERVER = "http://127.0.0.1:3000"
BATCH = 100


def _meta_value(metadata: dict, key: str) -> Any:
    value = metadata.get(key)
    return getattr(value, "value", value)


def alert_payload(evaluation, run_id: str, webserver: str) -> dict:
    """The Slack-compatible message for one failed check evaluation (AssetCheckEvaluation)."""
    asset = evaluation.asset_key.to_user_string()
    partition = evaluation.partition or "(unpartitioned)"
    severity = getattr(evaluation.severity, "value", str(evaluation.severity))
    base = webserver.rstrip("/")
    run_url = f"{base}/runs/{run_id}"
    asset_path = "/".join(urllib.parse.quote(p, safe="") for p in evaluation.asset_key.path)
    checks_url = f"{base}/assets/{asset_path}?view=checks"
    metadata = dict(evaluation.metadata or {})
    failed = _meta_value(metadata, "gx_failed_expectations")
    total = _meta_value(metadata, "gx_expectations")
    unexpected = _meta_value(metadata, "unexpected_counts") or {}
    blocking = " (blocking: downstream assets were not materialized)" if evaluation.blocking else ""
    what = "failed" if severity == "ERROR" else "warning"
    withheld = _meta_value(metadata, "withheld_conversations")
    review_ui = _meta_value(metadata, "pii_review_ui")
    held = f" {withheld} conversation(s) withheld for PII review: {review_ui}." if withheld else ""
    text = (
        f"{'❌' if severity == 'ERROR' else '⚠️'} Asset check {what}: {evaluation.check_name} on "
        f"{asset} [{partition}], severity {severity}{blocking}.{held} Run: {run_url}"
    )
    lines = [
        f"*Asset check {what}*: `{evaluation.check_name}`",
        f"*Asset*: `{asset}`   *Partition*: `{partition}`   *Severity*: {severity}{blocking}",
    ]
    if failed is not None and total is not None:
        lines.append(f"*Expectations failed*: {failed} of {total}")
    for label, count in list(unexpected.items())[:5] if isinstance(unexpected, dict) else []:
        lines.append(f"• {label}: {count} unexpected")
    if withheld:
        pending = _meta_value(metadata, "pending_by_kind") or {}
        kinds = ", ".join(f"{k} {v}" for k, v in pending.items()) if isinstance(pending, dict) else ""
        lines.append(f"*Withheld for PII review*: {withheld} conversation(s) ({kinds}); the rest of the "
                     f"day is released. Review: <{review_ui}|pii_review [{partition}]>")
    docs = _meta_value(metadata, "data_docs")
    if docs:
        lines.append(f"*Data Docs*: {docs}")
    lines.append(f"<{run_url}|Run {run_id[:8]}> · <{checks_url}|Checks of {asset}>")
    return {
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}],
    }


def post_alert(url: str, payload: dict, timeout: float = 10.0) -> None:
    response = requests.post(url, json=payload, timeout=timeout)
    response.raise_for_status()


def _check_evaluations(instance, after: int, limit: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # get_event_records is the one query over all check keys
        return instance.get_event_records(
            EventRecordsFilter(event_type=DagsterEventType.ASSET_CHECK_EVALUATION, after_cursor=after),
            limit=limit,
            ascending=True,
        )


def build_check_alert_sensor(
    name: str = "check_failure_alerts",
    webhook_url: str | None = None,
    webserver_url: str | None = None,
    minimum_interval_seconds: int = 30,
    default_status: DefaultSensorStatus = DefaultSensorStatus.RUNNING,
):
    """The alert sensor. ``webhook_url``/``webserver_url`` default to the environment, read at
    every tick (so a deployment can set them without a code change)."""

    @sensor(
        name=name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description=f"Posts every failed asset check once to the webhook in ${WEBHOOK_ENV} (Slack format).",
    )
    def _alert_sensor(context: SensorEvaluationContext):
        url = webhook_url or os.environ.get(WEBHOOK_ENV) or ""
        webserver = webserver_url or os.environ.get(WEBSERVER_ENV) or DEFAULT_WEBSERVER
        cursor = int(context.cursor) if context.cursor else 0
        records = _check_evaluations(context.instance, cursor, BATCH)
        if not records:
            return SensorResult(skip_reason=SkipReason("no new asset check evaluations"), cursor=str(cursor))
        posted = failed_seen = 0
        for record in records:
            event = record.event_log_entry.dagster_event
            evaluation = event.event_specific_data if event else None
            if evaluation is not None and not evaluation.passed:
                failed_seen += 1
                if url:
                    payload = alert_payload(evaluation, record.event_log_entry.run_id, webserver)
                    try:
                        post_alert(url, payload)
                    except requests.RequestException as exc:
                        context.log.warning(
                            f"alert for {evaluation.check_name} [{evaluation.partition}] not delivered "
                            f"({type(exc).__name__}); retrying next tick"
                        )
                        break
                    posted += 1
            cursor = record.storage_id
        if failed_seen and not url:
            context.log.warning(f"{failed_seen} failed check(s) and no ${WEBHOOK_ENV} set: no alert sent")
        return SensorResult(skip_reason=SkipReason(f"{posted} alert(s) posted"), cursor=str(cursor))

    return _alert_sensor


check_failure_alerts = build_check_alert_sensor()
