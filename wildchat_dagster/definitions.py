"""The code location: one Definitions object. Environment decides resources (DESIGN §12)."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor
from dagster_aws.s3 import S3Resource

from .assets.analytics import analytics_dbt_assets, dbt_resource
from .assets.audit import AUDIT_ASSETS, AUDIT_GROUP
from .assets.classified import classified
from .assets.conversations import conversations
from .assets.geo_tagged import geo_tagged
from .assets.pii_review import pii_review
from .assets.prompt_analysis import prompt_clusters, prompt_signatures
from .assets.raw_logs import raw_logs, raw_logs_quarantine
from .assets.release import dataset_card, release, release_sft
from .assets.scrubbed import scrubbed
from .checks import ASSET_CHECKS, check_failure_alerts, quality_resource_from_env
from .io import ParquetIOManager
from .partitions import daily_partitions
from .policies import PIPELINE_RETRY_POLICY
from .resources import (
    StorageResource,
    classification_resources_from_env,
    geo_resource_from_env,
    pii_resource_from_env,
    release_policy_resource_from_env,
    review_resource_from_env,
    storage_base_from_env,
)
from .schedules import close_yesterday_schedule
from .sensors import raw_log_drops_sensor

PIPELINE_ASSETS = [
    raw_logs, raw_logs_quarantine, conversations, scrubbed, pii_review, geo_tagged, classified, release,
    release_sft, dataset_card,
]
# Near-duplicate prompts, jailbreak families, categories (docs/analytics.md): signatures per day,
# clusters over all days; the dbt models jailbreak_families and prompt_categories read the clusters.
PROMPT_ANALYSIS_ASSETS = [prompt_signatures, prompt_clusters]

# The whole chain for one day; backfills fan out one run per partition.
daily_chain_job = define_asset_job(
    "daily_chain", selection=AssetSelection.groups("pipeline"), partitions_def=daily_partitions,
    op_retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors (docs/s3.md)
    # One process per run: the chain is sequential and each step would otherwise pay a
    # fresh interpreter plus the whole code import (~4 s); scrubbing has its own pool.
    executor_def=in_process_executor,
)

# Auditing an already-published dataset (docs/audit.md): its own group, not partitioned.
audit_job = define_asset_job(
    "audit_job", selection=AssetSelection.groups(AUDIT_GROUP), executor_def=in_process_executor,
)

# The dbt models over every released day, one run at a time (tag limit `wildchat/analytics` in
# deploy/dagster.yaml and the Helm values): each run rebuilds the DuckDB warehouse and the marts.
analytics_job = define_asset_job(
    "analytics", selection=AssetSelection.groups("analytics"), tags={"wildchat/analytics": "dbt"},
    executor_def=in_process_executor,
)


def build_definitions(storage_base: str | None = None) -> Definitions:
    base = storage_base or storage_base_from_env()
    return Definitions(
        # analytics: dbt models + tests (docs/analytics.md); audit: docs/audit.md
        assets=[*PIPELINE_ASSETS, *PROMPT_ANALYSIS_ASSETS, analytics_dbt_assets, *AUDIT_ASSETS],
        asset_checks=ASSET_CHECKS,  # GX suites per asset, blocking where bad data must stop (docs/quality.md)
        jobs=[daily_chain_job, audit_job, analytics_job],
        executor=in_process_executor,  # UI materializations and backfills too (see daily_chain)
        sensors=[raw_log_drops_sensor, check_failure_alerts],  # drops → runs; failed checks → webhook
        schedules=[close_yesterday_schedule],  # 02:00 UTC closes yesterday (schedules.py)
        resources={
            "io_manager": ParquetIOManager(base=base),
            "storage": StorageResource(base=base),
            "pii": pii_resource_from_env(),  # Presidio + spaCy per language, secrets (docs/pii.md)
            "dbt": dbt_resource(),  # dbt CLI over dbt/; the DuckDB warehouse opens only when a run starts
            "s3": S3Resource(),  # boto3 for the drop sensor; AWS_ENDPOINT_URL etc. from the environment
            "geo": geo_resource_from_env(),
            "review": review_resource_from_env(),  # PII review queue: decisions file, value-hash key
            "quality": quality_resource_from_env(),  # check thresholds, Data Docs (checks/resources.py)
            "release_policy": release_policy_resource_from_env(),  # quasi-identifiers (docs/release.md)
            **classification_resources_from_env(),  # langid + toxicity (embedded by default)
        },
    )


defs = build_definitions()


def resolved_daily_chain():
    """daily_chain with this environment's resources: ``execute_job(reconstructable(...))``
    runs it in the calling process as a launched run does (`make demo`)."""
    return defs.get_job_def("daily_chain")
