"""The code location: one Definitions object. Environment decides resources (DESIGN §12)."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job

from .assets.classified import classified
from .assets.conversations import conversations
from .assets.geo_tagged import geo_tagged
from .assets.raw_logs import raw_logs
from .assets.release import release
from .assets.scrubbed import scrubbed
from .io import ParquetIOManager
from .partitions import daily_partitions
from .resources import StorageResource, storage_base_from_env

PIPELINE_ASSETS = [raw_logs, conversations, scrubbed, geo_tagged, classified, release]

# The whole chain for one day; backfills fan out one run per partition.
daily_chain_job = define_asset_job(
    "daily_chain", selection=AssetSelection.groups("pipeline"), partitions_def=daily_partitions
)


def build_definitions(storage_base: str | None = None) -> Definitions:
    base = storage_base or storage_base_from_env()
    return Definitions(
        assets=PIPELINE_ASSETS,
        jobs=[daily_chain_job],
        resources={
            "io_manager": ParquetIOManager(base=base),
            "storage": StorageResource(base=base),
        },
    )


defs = build_definitions()
