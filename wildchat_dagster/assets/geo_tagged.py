"""geo_tagged: IP → country/state, IP replaced by a keyed hash (DESIGN §6, docs/geo.md)."""


import pyarrow as pa
from dagster import AssetExecutionContext, Output, asset

from ..partitions import daily_partitions
from ..policies import PIPELINE_RETRY_POLICY, transient_retries_only
from ..resources import GeoResource


@asset(
    partitions_def=daily_partitions,
    group_name="pipeline",
    description=(
        "Scrubbed messages with country/state from dated GeoIP2 City snapshots and "
        "hashed_ip = HMAC-SHA256(WILDCHAT_IP_HASH_KEY, ip); the raw IP is dropped here."
    ),
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def geo_tagged(context: AssetExecutionContext, scrubbed: pa.Table, geo: GeoResource) -> Output[pa.Table]:
    tagger = geo.get_tagger(logger=context.log)
    table, stats = tagger.tag(scrubbed)
    md = stats.as_metadata()
    md["geoip_snapshots"] = {s.name: f"{s.database_type} built {s.build_date}" for s in tagger.snapshots}
    context.log.info(
        f"geo_tagged[{context.partition_key}]: {md['user_messages']} user messages, "
        f"located={md['geo_located']} private_or_reserved={md['private_or_reserved']} "
        f"malformed={md['malformed']} unknown={md['unknown']} missing_ip={md['missing_ip']} "
        f"before_first_snapshot={md['before_first_snapshot']}"
    )
    return Output(table, metadata=md)
