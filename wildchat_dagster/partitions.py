"""Daily UTC partitions (DESIGN §15): WildChat's collection began in April 2023."""

import warnings

from dagster import BetaWarning, DailyPartitionsDefinition, TimeWindowPartitionMapping

PARTITIONS_START = "2023-04-01"

# end_offset=1 makes today's partition exist, so drops landing today can be processed.
daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC", end_offset=1)

# conversations[D] reads raw_logs[D-1..D+1] so conversations crossing midnight stay whole;
# a neighbour day that does not exist (yet) reads as empty.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", BetaWarning)  # the flag is what DESIGN §15 asks for
    conversation_window = TimeWindowPartitionMapping(
        start_offset=-1, end_offset=1, allow_nonexistent_upstream_partitions=True
    )
