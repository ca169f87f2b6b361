"""Data quality (DESIGN §10): Great Expectations suites run as Dagster asset checks on every
materialized partition, GX Data Docs under ``<storage>/quality/data_docs/``, and a sensor
that posts failed checks to a webhook. See docs/quality.md."""

from .alerts import build_check_alert_sensor, check_failure_alerts
from .asset_checks import ASSET_CHECKS
from .resources import QualityResource, quality_resource_from_env

__all__ = [
    "ASSET_CHECKS",
    "QualityResource",
    "build_check_alert_sensor",
    "check_failure_alerts",
    "quality_resource_from_env",
]
