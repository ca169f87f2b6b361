"""The paper's prompt analyses over the release: first-prompt signatures per day, near-duplicate
clusters and jailbreak families over all days, prompt categories (docs/analytics.md).

- ``signature_table(release, day)``: one row per released conversation (full split) with its
  first user prompt's MinHash signature, jailbreak markers, category, length, user and whether
  any assistant turn was flagged toxic. Stored per day: a new day never recomputes old ones.
- ``cluster_table(signatures)``: every stored row with its cluster id, cluster size and users,
  and its family id/kind when the cluster is a jailbreak family. The dbt models
  ``jailbreak_families`` and ``prompt_categories`` aggregate it.

Only the released (scrubbed) text is read, and only a short excerpt of it is kept.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .jailbreaks import FamilyRules, family_of_clusters, markers_in
from .near_dup import DEFAULT_THRESHOLD, NUM_PERM, cluster, signatures
from .parallel import map_in_processes
from .prompt_categories import categorize

EXCERPT_CHARS = 160
PROMPT_CLUSTERS_DIR = "prompt_clusters"  # where the IO manager writes the unpartitioned asset
RELEASE_COLUMNS = ["conversation_id", "conversation_hash", "hashed_ip", "conversation", "flagged_by"]

SIGNATURES = pa.schema(
    [
        ("day", pa.string()),
        ("conversation_id", pa.string()),
        ("conversation_hash", pa.string()),
        ("hashed_ip", pa.string()),
        ("prompt_chars", pa.int64()),
        ("excerpt", pa.string()),  # the released first prompt's first characters (already scrubbed)
        ("markers", pa.list_(pa.string())),
        ("category", pa.string()),
        ("assistant_toxic", pa.bool_()),  # any assistant turn flagged by any backend
        ("signature", pa.list_(pa.uint32(), NUM_PERM)),
    ]
)
CLUSTERS = pa.schema(
    [
        *[f for f in SIGNATURES if f.name != "signature"],
        ("cluster_id", pa.string()),  # the conversation_id of the cluster's earliest member
        ("cluster_size", pa.int64()),
        ("cluster_users", pa.int64()),
        ("center_similarity", pa.float64()),  # estimated Jaccard similarity to the cluster's center
        ("family_id", pa.string()),  # the family's earliest cluster id for a jailbreak family, else null
        ("family_kind", pa.string()),  # "marker" | "recurring" | null
    ]
)


class _PromptFeatures:
    """Markers, category and signature per prompt (picklable, for the worker processes)."""

    def of(self, prompts: list[str]) -> list[tuple[list[str], str, np.ndarray]]:
        sigs = signatures(prompts)
        return [(markers_in(p), categorize(p), sigs[i]) for i, p in enumerate(prompts)]


def signature_table(release: pa.Table, day: str, workers: int = 2) -> pa.Table:
    """The day's released conversations → SIGNATURES rows (in conversation_id order); the
    per-prompt work is spread over ``workers`` processes (core/parallel.py)."""
    if release.num_rows == 0:
        return SIGNATURES.empty_table()
    release = release.sort_by("conversation_id")
    prompts: list[str] = []
    toxic: list[bool] = []
    for messages in release.column("conversation").to_pylist():
        first = next((m.get("content") or "" for m in messages or () if m.get("role") == "user"), "")
        prompts.append(first)
        toxic.append(any(m.get("role") == "assistant" and m.get("toxic") for m in messages or ()))
    features, _ = map_in_processes(_PromptFeatures(), "of", prompts, workers, chunk_size=2000)
    sigs = np.vstack([f[2] for f in features]) if features else np.zeros((0, NUM_PERM), np.uint32)
    n = release.num_rows
    return pa.table(
        {
            "day": pa.array([day] * n, pa.string()),
            "conversation_id": release.column("conversation_id"),
            "conversation_hash": release.column("conversation_hash"),
            "hashed_ip": release.column("hashed_ip"),
            "prompt_chars": pa.array([len(p) for p in prompts], pa.int64()),
            "excerpt": pa.array([p[:EXCERPT_CHARS] for p in prompts], pa.string()),
            "markers": pa.array([f[0] for f in features], pa.list_(pa.string())),
            "category": pa.array([f[1] for f in features], pa.string()),
            "assistant_toxic": pa.array(toxic, pa.bool_()),
            "signature": pa.FixedSizeListArray.from_arrays(pa.array(sigs.reshape(-1), pa.uint32()), NUM_PERM),
        },
        schema=SIGNATURES,
    )


def cluster_table(
    stored: pa.Table, threshold: float = DEFAULT_THRESHOLD, rules: FamilyRules = FamilyRules()
) -> pa.Table:
    """All stored signature rows → CLUSTERS (rows in day, conversation_id order, so a cluster's id
    is its earliest member and stays put as later days are added)."""
    if stored.num_rows == 0:
        return CLUSTERS.empty_table()
    stored = stored.sort_by([("day", "ascending"), ("conversation_id", "ascending")])
    flat = stored.column("signature").combine_chunks().flatten()
    sigs = np.asarray(flat.to_numpy(zero_copy_only=False), dtype=np.uint32).reshape(-1, NUM_PERM)
    roots = cluster(sigs, threshold)
    ids = stored.column("conversation_id").to_pylist()
    users = stored.column("hashed_ip").to_pylist()
    cluster_ids = [ids[r] for r in roots]
    similarity = (np.count_nonzero(sigs == sigs[roots], axis=1) / NUM_PERM).tolist()
    sizes: dict[str, int] = {}
    cluster_user_sets: dict[str, set] = {}
    for cid, user in zip(cluster_ids, users, strict=True):
        sizes[cid] = sizes.get(cid, 0) + 1
        cluster_user_sets.setdefault(cid, set()).add(user)
    family, kind = family_of_clusters(
        cluster_ids, similarity, stored.column("prompt_chars").to_pylist(),
        stored.column("markers").to_pylist(), users, {ids[r]: sigs[r] for r in set(roots.tolist())}, rules,
    )
    table = stored.drop_columns(["signature"])
    return pa.table(
        {
            **{name: table.column(name) for name in table.column_names},
            "cluster_id": pa.array(cluster_ids, pa.string()),
            "cluster_size": pa.array([sizes[c] for c in cluster_ids], pa.int64()),
            "cluster_users": pa.array([len(cluster_user_sets[c] - {None}) for c in cluster_ids], pa.int64()),
            "center_similarity": pa.array(similarity, pa.float64()),
            "family_id": pa.array(family, pa.string()),
            "family_kind": pa.array(kind, pa.string()),
        },
        schema=CLUSTERS,
    )


def family_summary(clusters: pa.Table) -> list[dict]:
    """Per jailbreak family (for the demo and the card; the dbt model is the analytics table):
    conversations, users, first/last day, success rate, markers, excerpt; biggest first."""
    rows = clusters.filter(pc.is_valid(clusters.column("family_id"))).to_pylist()
    families: dict[str, dict] = {}
    for row in rows:
        fam = families.setdefault(
            row["family_id"],
            {"family_id": row["family_id"], "kind": row["family_kind"], "conversations": 0, "users": set(),
             "first_day": row["day"], "last_day": row["day"], "successes": 0, "markers": set(),
             "excerpt": row["excerpt"]},
        )
        fam["conversations"] += 1
        fam["users"].add(row["hashed_ip"])
        fam["first_day"] = min(fam["first_day"], row["day"])
        fam["last_day"] = max(fam["last_day"], row["day"])
        fam["successes"] += bool(row["assistant_toxic"])
        fam["markers"].update(row["markers"] or ())
    out = []
    for fam in families.values():
        fam["users"] = len(fam["users"] - {None})
        fam["success_rate"] = fam["successes"] / fam["conversations"]
        fam["markers"] = sorted(fam["markers"])
        out.append(fam)
    return sorted(out, key=lambda f: (-f["conversations"], f["family_id"]))


def format_families(families: list[dict], limit: int = 10) -> str:
    if not families:
        return "  (no jailbreak family)"
    lines = [f"  {'conv':>5} {'users':>5} {'success':>7}  {'days':<23} {'markers':<34} excerpt"]
    for fam in families[:limit]:
        days = f"{fam['first_day']}..{fam['last_day']}"
        excerpt = fam["excerpt"][:60].replace("\n", " ")
        lines.append(f"  {fam['conversations']:>5} {fam['users']:>5} {fam['success_rate']:>7.0%}  {days:<23} "
                     f"{','.join(fam['markers'])[:34]:<34} {excerpt}")
    return "\n".join(lines)


def category_shares(clusters: pa.Table) -> dict[str, float]:
    counts = pc.value_counts(clusters.column("category")).to_pylist()
    total = clusters.num_rows or 1
    return {c["values"]: c["counts"] / total for c in sorted(counts, key=lambda c: -c["counts"])}
