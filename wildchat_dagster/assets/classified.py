"""classified: language and toxicity per message and conversation (DESIGN §7). STUB: issue 4."""


import pyarrow as pa
from dagster import AssetExecutionContext, Output, asset

from ..partitions import daily_partitions


@asset(partitions_def=daily_partitions, group_name="pipeline")
def classified(context: AssetExecutionContext, geo_tagged: pa.Table) -> Output[pa.Table]:
    return Output(geo_tagged, metadata={"messages": geo_tagged.num_rows})
