"""geo_tagged: IP → country/state, IP replaced by a keyed hash (DESIGN §6). STUB: issue 4."""


import pyarrow as pa
from dagster import AssetExecutionContext, Output, asset

from ..core.schema import GEO_ADDS, GEO_TAGGED
from ..partitions import daily_partitions


@asset(partitions_def=daily_partitions, group_name="pipeline")
def geo_tagged(context: AssetExecutionContext, scrubbed: pa.Table) -> Output[pa.Table]:
    table = scrubbed.drop_columns(["ip"])
    for f in GEO_ADDS:
        table = table.append_column(f, pa.nulls(table.num_rows, f.type))
    return Output(table.cast(GEO_TAGGED), metadata={"messages": table.num_rows})
