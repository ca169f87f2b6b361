"""Prompt analyses over the release (issue 20, docs/analytics.md): near-duplicate first prompts,
jailbreak families and prompt categories.

- ``prompt_signatures[D]``: the day's released first prompts as MinHash signatures, with markers,
  category and whether the reply was flagged toxic. Stored per day, so a new day adds signatures
  without recomputing old days.
- ``prompt_clusters``: every stored signature clustered (LSH), jailbreak families marked; read by
  the dbt models ``jailbreak_families`` and ``prompt_categories``.
"""

import time

import pyarrow as pa
import pyarrow.compute as pc
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from ..core.card import write_card
from ..core.prompt_analysis import (
    RELEASE_COLUMNS,
    SIGNATURES,
    category_shares,
    cluster_table,
    family_summary,
    signature_table,
)
from ..core.publish import read_published_table
from ..core.schema import RELEASE
from ..partitions import daily_partitions
from ..policies import PIPELINE_RETRY_POLICY, transient_retries_only
from ..resources import StorageResource
from .release import release

GROUP = "prompt_analysis"


@asset(
    partitions_def=daily_partitions,
    group_name=GROUP,
    deps=[release],
    description="The day's released first prompts as MinHash signatures (+ jailbreak markers, category, "
    "toxic reply), stored per day so clustering never recomputes old days.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def prompt_signatures(context: AssetExecutionContext, storage: StorageResource) -> Output[pa.Table]:
    day = context.partition_key
    started = time.perf_counter()
    store = storage.get()  # the day's current published version (core/publish.py)
    released = read_published_table(store, store.partition_dir("release", day), "split=full", RELEASE,
                                    columns=RELEASE_COLUMNS)
    table = signature_table(released if released is not None else RELEASE.empty_table(), day)
    seconds = time.perf_counter() - started
    marked = int(pc.sum(pc.greater(pc.list_value_length(table.column("markers")), 0)).as_py() or 0)
    context.log.info(f"prompt_signatures[{day}]: {table.num_rows} first prompts, {marked} with jailbreak "
                     f"markers, {seconds:.1f}s")
    return Output(table, metadata={"prompts": table.num_rows, "with_jailbreak_markers": marked,
                                   "seconds": round(seconds, 3)})


@asset(
    group_name=GROUP,
    deps=[prompt_signatures],
    description="Every released first prompt with its near-duplicate cluster (MinHash LSH over the stored "
    "signatures) and jailbreak family; the dbt models jailbreak_families and prompt_categories read it.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def prompt_clusters(context: AssetExecutionContext, storage: StorageResource) -> Output[pa.Table]:
    store = storage.get()
    started = time.perf_counter()
    days = sorted({f.path.split("/")[1] for f in store.list_files("prompt_signatures", (".parquet",))
                   if f.path.split("/")[1].startswith("dt=")})
    stored = store.read_partitions("prompt_signatures", [d[3:] for d in days], SIGNATURES)
    table = cluster_table(stored if stored is not None else SIGNATURES.empty_table())
    families = family_summary(table)
    card_uri, _ = write_card(store, clusters=table)  # the card's jailbreak and category sections
    seconds = time.perf_counter() - started
    clusters = len(set(table.column("cluster_id").to_pylist()))
    context.log.info(f"prompt_clusters: {table.num_rows} prompts over {len(days)} day(s) → {clusters} "
                     "clusters, "
                     f"{len(families)} jailbreak families, {seconds:.1f}s")
    return Output(
        table,
        metadata={
            "days": len(days),
            "prompts": table.num_rows,
            "clusters": clusters,
            "jailbreak_families": len(families),
            "jailbreak_conversations": sum(f["conversations"] for f in families),
            "categories": MetadataValue.json({k: round(v, 4) for k, v in category_shares(table).items()}),
            "seconds": round(seconds, 3),
            "card_uri": card_uri,
        },
    )


def run_demo_prompt_analysis(days: list[str], resources, instance) -> bool:
    """`make demo`: signatures for each released day, then the clusters; prints the jailbreak
    families and the category shares."""
    from dagster import materialize

    from ..core.prompt_analysis import format_families

    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    for day in days:
        result = materialize([prompt_signatures], resources=dict(resources), instance=instance,
                             partition_key=day, raise_on_error=False, run_config=quiet,
                             selection=[prompt_signatures])
        if not result.success:
            print(f"prompt_signatures[{day}] FAILED: see the run in `make ui`")
            return False
    result = materialize([prompt_clusters], resources=dict(resources), instance=instance,
                         raise_on_error=False, run_config=quiet)
    if not result.success:
        print("prompt_clusters FAILED: see the run in `make ui`")
        return False
    table = result.output_for_node("prompt_clusters")
    families = family_summary(table)
    print(f"\njailbreak families (near-duplicate first prompts over {len(days)} day(s), "
          f"{table.num_rows} conversations; success = assistant turns flagged toxic):")
    print(format_families(families))
    shares = category_shares(table)
    print("prompt categories: " + ", ".join(f"{k} {v:.1%}" for k, v in shares.items()))
    return True
