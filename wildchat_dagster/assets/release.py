"""release: WildChat-1M-schema Parquet splits, takedowns, dataset card, SFT export (DESIGN §8).

- ``release``: the day's classified messages nested into WildChat-1M rows, takedowns applied,
  published by the IO manager as one new version of the day, ``release/dt=D/<version>/`` with
  ``split={full,nontoxic}/part-00000.parquet`` and a ``manifest.json`` of counts and upstream
  provenance for the card, made current all at once by ``release/dt=D/_current.json``
  (core/publish.py; readers go through that pointer).
- ``release_sft``: the day's current nontoxic split as OpenAI-chat JSONL, ``release_sft/dt=D/sft.jsonl``.
- ``dataset_card``: ``release/README.md`` regenerated over every released day from the Parquet.
"""


import datetime as dt

import orjson
import pyarrow as pa
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    Config,
    MaterializeResult,
    MetadataValue,
    Output,
    asset,
)
from pydantic import Field

from ..core.card import CARD_PATH, MANIFEST_NAME, extract_provenance, summarize, write_card
from ..core.keeps import read_keeps
from ..core.publish import read_published_table
from ..core.release import SFT_COLUMNS, build_release, load_takedowns, sft_jsonl
from ..core.release_policy import apply_policy, disclosure_metadata
from ..core.review import scan_residue
from ..core.schema import RELEASE
from ..partitions import daily_partitions
from ..policies import PIPELINE_RETRY_POLICY, transient_retries_only
from ..resources import ReleasePolicyResource, ReviewResource, StorageResource, ToxicityResource
from .pii_review import pii_review

UPSTREAM_STAGES = ("scrubbed", "geo_tagged", "classified")
# summarize() numbers reported per split: by dataset_card over all days, by release for its day.
_CARD_NUMBERS = ("conversations", "turns", "users", "languages", "countries", "models", "toxic_conversations")
_DAY_NUMBERS = (*_CARD_NUMBERS, "unclassified_conversations", "redacted_conversations")


class ReleaseConfig(Config):
    takedowns: str = Field(
        default="",
        description="Takedown list: a path or s3:// URI. Empty: $WILDCHAT_TAKEDOWNS, else "
        "<storage>/takedowns/takedowns.txt when it exists.",
    )


def _flatten(key: str, value, out: dict[str, str], depth: int = 0) -> None:
    if isinstance(value, str):
        out[key] = value
    elif isinstance(value, dict) and depth < 2:
        for k, v in value.items():
            _flatten(f"{key}.{k}", v, out, depth + 1)


def _upstream_metadata(context: AssetExecutionContext, day: str) -> dict[str, dict[str, str]]:
    """Text and JSON metadata of the upstream stages' materializations of this day, flattened
    to ``{stage: {"key" or "key.sub": text}}``: where model and GeoIP DB versions are reported."""
    out: dict[str, dict[str, str]] = {}
    for stage in UPSTREAM_STAGES:
        records = context.instance.fetch_materializations(
            AssetRecordsFilter(asset_key=AssetKey(stage), asset_partitions=[day]), limit=1
        ).records
        if records and records[0].asset_materialization is not None:
            flat: dict[str, str] = {}
            for key, value in records[0].asset_materialization.metadata.items():
                _flatten(key, getattr(value, "value", None), flat)
            out[stage] = flat
    return out


def _numbers(summary: dict, prefix: str, keys: tuple[str, ...]) -> dict[str, float]:
    return {f"{prefix}_{k}": summary[k] for k in keys}


@asset(
    partitions_def=daily_partitions,
    group_name="pipeline",
    deps=[pii_review],  # after the day's review queue, which lists what this withholds
    description="The day's conversations in the WildChat-1M schema, split full/nontoxic; takedowns, "
    "reviewers' drops and conversations withheld for PII review (pii_review) left out.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def release(
    context: AssetExecutionContext,
    config: ReleaseConfig,
    storage: StorageResource,
    toxicity: ToxicityResource,
    review: ReviewResource,
    release_policy: ReleasePolicyResource,
    classified: pa.Table,
) -> Output[dict]:
    day = context.partition_key
    store = storage.get()
    takedowns = load_takedowns(store, config.takedowns or None)
    decisions = review.get_decisions(store)
    # The residue scan again, over the text about to be released (the same function and inputs as
    # pii_review, so the same conversations; never a stale list): what it flags is withheld.
    residue = scan_residue(classified, review.get_hasher(context.log), read_keeps(store, day), decisions)
    # Per-backend flags (`flagged_by`) use the thresholds classification used for `toxic`.
    thresholds = {"detoxify": toxicity.detoxify_threshold, "embedded": toxicity.embedded_threshold}
    policy = release_policy.get_policy()  # quasi-identifiers generalised/suppressed (docs/release.md)
    result = build_release(classified, takedowns, thresholds["detoxify"], thresholds["embedded"],
                           withheld=residue.withheld, drops=decisions.drops, policy=policy)
    stats = result.stats.as_dict()
    disclosure = result.disclosure or apply_policy(result.full, policy)[1]  # an empty day
    provenance = extract_provenance(_upstream_metadata(context, day))
    manifest = {
        "day": day,
        "stats": stats,
        "takedowns": {"location": takedowns.location, "entries": len(takedowns),
                      "invalid_entries": takedowns.invalid_entries},
        "review": {**decisions.summary(), **residue.summary()},
        "provenance": provenance,
        "thresholds": thresholds,
        "disclosure": disclosure.as_dict(),
        "written_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    context.log.info(f"release[{day}]: " + ", ".join(f"{k}={v}" for k, v in stats.items()))
    context.log.info(f"release[{day}] disclosure ({policy.describe()}): "
                     f"before {disclosure.before.summary()}; after {disclosure.after.summary()}")
    metadata = {
        **stats,
        **_numbers(summarize(result.full), "full", _DAY_NUMBERS),
        **_numbers(summarize(result.nontoxic), "nontoxic", _DAY_NUMBERS),
        "takedown_list": takedowns.location,
        "takedown_invalid_entries": takedowns.invalid_entries,
        "residue_kept_by_rule": MetadataValue.json(dict(sorted(residue.kept_by_rule.items()))),
        "residue_released_by_review": residue.released_by_review,
        "review_decisions": MetadataValue.json(decisions.summary()),
        "provenance": MetadataValue.json({k: v or ["unknown"] for k, v in provenance.items()}),
        "release_uri": store.uri(f"release/dt={day}"),
        **{k: MetadataValue.json(v) if isinstance(v, dict) else v
           for k, v in disclosure_metadata(disclosure).items()},
    }
    if stats.get("takedown_conversations", 0) > 0:
        # Older versions of the day may still hold what was just taken down: the IO manager
        # deletes them right after the switch instead of keeping them (core/publish.py).
        metadata["keep_versions"] = 1
    # Splits and manifest are published together, as one version of the day (core/publish.py).
    files = {**result.splits(), MANIFEST_NAME: orjson.dumps(manifest, option=orjson.OPT_INDENT_2)}
    return Output(files, metadata=metadata)


@asset(
    partitions_def=daily_partitions,
    group_name="pipeline",
    deps=[release],
    description="The day's nontoxic split as OpenAI-chat JSONL, deduplicated by conversation_hash.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def release_sft(context: AssetExecutionContext, storage: StorageResource) -> MaterializeResult:
    day = context.partition_key
    store = storage.get()
    # Only the columns the export uses (not the moderation lists and the rest of the split).
    table = read_published_table(store, store.partition_dir("release", day), "split=nontoxic", RELEASE,
                                 columns=list(SFT_COLUMNS))
    data, stats = sft_jsonl(table if table is not None else RELEASE.empty_table())
    rel = f"release_sft/dt={day}/sft.jsonl"
    store.write_bytes(rel, data)
    context.log.info(f"release_sft[{day}]: {stats.as_dict()} → {store.uri(rel)}")
    return MaterializeResult(metadata={**stats.as_dict(), "uri": store.uri(rel), "bytes": len(data)})


@asset(
    partitions_def=daily_partitions,
    group_name="pipeline",
    deps=[release],
    description="release/README.md: the dataset card, regenerated over every released day.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def dataset_card(context: AssetExecutionContext, storage: StorageResource) -> MaterializeResult:
    day = context.partition_key
    store = storage.get()
    uri, summary = write_card(store)
    today = next((d for d in summary["days"] if d["day"] == day), {})
    whole = summary["disclosure"]["whole"]
    context.log.info(f"dataset card over {len(summary['days'])} day(s) → {uri}")
    return MaterializeResult(
        metadata={
            "card_uri": uri,
            "days_released": len(summary["days"]),
            **_numbers(summary["full"], "full", _CARD_NUMBERS),
            **_numbers(summary["nontoxic"], "nontoxic", _CARD_NUMBERS),
            "takedown_conversations": summary["takedown_conversations"],
            "day_full_conversations": today.get("full", 0),
            "day_nontoxic_conversations": today.get("nontoxic", 0),
            "card_path": CARD_PATH,
            # the whole release's k-anonymity as released (docs/release.md, "Disclosure risk")
            "disclosure_users": whole.users,
            f"disclosure_users_k_lt_{whole.threshold}": whole.users_below,
            f"disclosure_share_k_lt_{whole.threshold}": whole.share_below,
            "disclosure_unique_users": whole.users_unique,
            "disclosure_singles_out_most": whole.singles_out_most or "-",
            "disclosure_k_distribution": MetadataValue.json(whole.k_distribution),
        }
    )
