"""``release_disclosure``: the released day's re-identification risk, a non-blocking check.

Measures k-anonymity of the users' quasi-identifiers in the day's ``full`` split as written
(``core.disclosure``, docs/release.md "Disclosure risk") and warns when the share of users with
k < 5 is above ``release_policy.risk_max_share``. It never stops the run: the policy already did
what it was configured to do; the warning says that the configuration does not bound the risk
(``wildchat`` mode, a small day, ``min_k`` off) and shows which attribute singles users out.
"""

import json
import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    MetadataValue,
    PreviewWarning,
    asset_check,
)

from ..core.disclosure import RISK_K, measure, read_observations
from ..core.publish import current
from ..partitions import daily_partitions
from ..resources import ReleasePolicyResource, StorageResource

with warnings.catch_warnings():  # partitioned checks are a preview feature of the pinned dagster
    warnings.simplefilter("ignore", PreviewWarning)

    @asset_check(
        asset="release",
        name="release_disclosure",
        description=f"Share of the day's released users whose quasi-identifier tuple (country, state, "
        f"user-agent, accept-language) is shown by fewer than {RISK_K} users is at most "
        "release_policy.risk_max_share (WARN, non-blocking).",
        blocking=False,
        partitions_def=daily_partitions,
        metadata={"severity": "WARN", "blocking": False},
    )
    def release_disclosure(
        context: AssetCheckExecutionContext, storage: StorageResource, release_policy: ReleasePolicyResource
    ) -> AssetCheckResult:
        day = context.partition_key
        store = storage.get()
        published = current(store, store.partition_dir("release", day))  # the day's current version
        files = [p for p in published.under("split=full") if p.endswith(".parquet")] if published else []
        report = measure(read_observations(store, files))
        manifest = published.file("manifest.json") if published else None
        policy = (json.loads(store.read_bytes(manifest)).get("disclosure", {}).get("policy")
                  if manifest else None)
        passed = report.share_below <= release_policy.risk_max_share
        context.log.info(f"release_disclosure[{day}]: {'passed' if passed else 'WARN'}: {report.summary()}")
        return AssetCheckResult(
            passed=passed,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "users": report.users,
                f"users_k_lt_{RISK_K}": report.users_below,
                f"share_k_lt_{RISK_K}": report.share_below,
                "max_share": release_policy.risk_max_share,
                "unique_users": report.users_unique,
                "median_k": report.k_median,
                "singles_out_most": report.singles_out_most or "-",
                "singles_out": MetadataValue.json(report.singles_out),
                "k_distribution": MetadataValue.json(report.k_distribution),
                "timestamp_unique_share": report.time_unique_share,
                "release_policy": MetadataValue.json(policy or {"unknown": "no manifest"}),
            },
        )
