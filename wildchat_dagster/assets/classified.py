"""classified: language and toxicity per message and conversation (DESIGN §7, docs/classification.md)."""


import time

import pyarrow as pa
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from ..core.langid import LanguageStats, add_language_columns
from ..core.schema import CLASSIFIED
from ..core.toxicity import ToxicityStats, add_toxicity_columns
from ..partitions import daily_partitions
from ..policies import PIPELINE_RETRY_POLICY, transient_retries_only
from ..resources import LanguageIdResource, ToxicityResource


@asset(
    partitions_def=daily_partitions,
    group_name="pipeline",
    description="Message-level geo_tagged plus lid.176 language and per-backend toxicity scores and flags.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def classified(
    context: AssetExecutionContext, geo_tagged: pa.Table, langid: LanguageIdResource,
    toxicity: ToxicityResource,
) -> Output[pa.Table]:
    identifier = langid.get_identifier()
    backends = toxicity.get_backends()

    t0 = time.perf_counter()
    lang_stats = LanguageStats()
    table = add_language_columns(geo_tagged, identifier, lang_stats)
    t1 = time.perf_counter()
    tox_stats = ToxicityStats()
    table = add_toxicity_columns(table, backends, tox_stats)
    t2 = time.perf_counter()
    table = table.select(CLASSIFIED.names).cast(CLASSIFIED)

    n = table.num_rows
    metadata = {
        "messages": n,
        "conversations": tox_stats.conversations,
        "languages": len(lang_stats.counts),
        "language_unreliable": lang_stats.unreliable,
        "language_empty": lang_stats.empty,
        "top_languages": MetadataValue.json(lang_stats.top(langid.top_languages)),
        "toxic_messages": tox_stats.toxic_messages,
        "toxic_conversations": tox_stats.toxic_conversations,
        "toxic_rate": tox_stats.toxic_messages / n if n else 0.0,
        "sexual_minors_messages": tox_stats.sexual_minors_messages,
        "models": MetadataValue.json({"language": identifier.version, **tox_stats.versions}),
        "langid_messages_per_s": round(n / (t1 - t0), 1) if n and t1 > t0 else 0.0,
        "toxicity_seconds": round(t2 - t1, 3),
        "langid_workers": lang_stats.workers,
        "toxicity_workers": tox_stats.workers,
    }
    for name, rate in tox_stats.rates().items():
        metadata[f"toxic_rate_{name}"] = rate
    for backend in backends:
        stats = getattr(backend, "stats", None)
        if stats is not None:  # moderation: what the API cost this run
            metadata["moderation_requests"] = stats.requests
            metadata["moderation_retries"] = stats.retries
            metadata["moderation_cache_hits"] = stats.cache_hits
    if "embedded" in tox_stats.versions:
        metadata["embedded_backend"] = (
            "embedded_toxicity is alt-profanity-check (offline English profanity classifier), "
            "not Detoxify nor the OpenAI Moderation API"
        )
    context.log.info(
        f"classified[{context.partition_key}]: {n} messages, languages {lang_stats.top(5)}, "
        f"toxic {tox_stats.toxic_messages} ({', '.join(tox_stats.versions)})"
    )
    return Output(table, metadata=metadata)
