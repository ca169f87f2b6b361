"""release: WildChat-1M-schema Parquet, splits, takedowns, dataset card (DESIGN §8). STUB: issue 5."""


import pyarrow as pa
from dagster import AssetExecutionContext, Output, asset

from ..partitions import daily_partitions


@asset(partitions_def=daily_partitions, group_name="pipeline")
def release(context: AssetExecutionContext, classified: pa.Table) -> Output[dict]:
    return Output({"split=full": classified}, metadata={"messages": classified.num_rows})
