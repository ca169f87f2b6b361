"""The dataset card: ``<base>/release/README.md``, generated from the released Parquet.

The numbers come from the data itself (read back from storage, top-level columns only),
so the card can never disagree with what was released. Per-day manifests written by the
release (``release/dt=D/<version>/manifest.json``, through the day's pointer) add takedown and
filtering counts and the provenance (model and database versions) reported by the upstream stages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from .disclosure import (
    K_BUCKETS,
    OBSERVATIONS,
    RISK_K,
    DisclosureReport,
    bucket_name,
    measure,
    read_observations,
)
from .prompt_analysis import PROMPT_CLUSTERS_DIR, category_shares, family_summary
from .publish import current_days
from .release import BACKENDS, SPLITS
from .release_policy import ReleasePolicy
from .schema import RELEASE, RELEASE_EXTRAS, RELEASE_WILDCHAT
from .storage import Storage

RELEASE_DIR = "release"
CARD_PATH = f"{RELEASE_DIR}/README.md"
MANIFEST_NAME = "manifest.json"
UNKNOWN = "unknown"
PRETTY_NAME = "WildChat-style chatbot conversations"
LICENSE_LINE = (
    "This dataset is made available under the Open Data Commons Attribution License (ODC-BY 1.0, "
    "https://opendatacommons.org/licenses/by/1-0/), the licence of WildChat-1M."
)
KNOWN_LIMITATIONS = (
    "GeoIP: the embedded default database (the `maxminddb-geolite2` package, GeoLite2 City of 2018) is "
    "stale; IP blocks reassigned since then give wrong or missing countries and states. Production "
    "points `WILDCHAT_GEOIP_DB` at current dated snapshots.",
    "Toxicity: the embedded offline backend is a small English profanity model (alt-profanity-check); "
    "it misses toxicity without profanity and most non-English toxicity. WildChat used the OpenAI "
    "Moderation API and Detoxify (multilingual); see the provenance table for what ran here.",
    "The `nontoxic` split holds only conversations a backend scored as not toxic; conversations whose "
    "toxicity is unknown (no backend ran) are in `full` only.",
    "PII: Presidio with the small spaCy pipeline `en_core_web_sm` for NER; recall is below 100% and "
    "lower for names, places and organisations in languages other than English.",
    "Language identification: fastText `lid.176` on each message; short messages are often "
    "misidentified, and the conversation language is the most frequent message language.",
    "`conversation_hash` is not unique (different conversations with the same content share it), "
    "as in WildChat-1M; `conversation_id` is. The hash is computed over the released (redacted) text.",
    "Takedowns are applied when a day is (re-)materialized; copies downloaded before a takedown are "
    "not recalled.",
)
# Provenance the card reports, found in the upstream materializations' metadata: the stage,
# words one of which the metadata key must contain, and words that mark a version-like value.
PROVENANCE = {
    "GeoIP database": ("geo_tagged", ("geoip", "mmdb", "geo_db", "geolite", "city_db", "snapshot")),
    "Language identification model": ("classified", ("lang", "lid", "fasttext")),
    "Toxicity backends": (
        "classified", ("toxic", "detoxify", "moderation", "profanity", "backend", "embedded")
    ),
    "PII / NER engine": ("scrubbed", ("spacy", "ner", "presidio", "pii", "secret")),
}
_VERSIONISH = ("version", "model", "db", "database", "backend", "engine", "snapshot", "package",
               "pipeline", "checkpoint", "variant", "file", "name")
_NEVER = ("secret_key", "hash_key", "password", "token", "credential", "api_key")
CARD_COLUMNS = (
    "conversation_hash", "conversation_id", "model", "turn", "language", "language_code", "country",
    "toxic", "redacted", "hashed_ips", "toxicity_backends", "flagged_by",
)
# What the card reads of each split (an empty table of it stands in for a missing split).
_CARD_SCHEMA = pa.schema([RELEASE.field(c) for c in CARD_COLUMNS])
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                   (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"))


def extract_provenance(upstream: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """``{stage: {metadata key: string value}}`` → ``{card label: ["key: value", ...]}``."""
    out: dict[str, list[str]] = {}
    for label, (stage, words) in PROVENANCE.items():
        found = []
        for key, value in sorted(upstream.get(stage, {}).items()):
            k = key.lower()
            if any(w in k for w in _NEVER) or not isinstance(value, str) or not value.strip():
                continue
            if any(w in k for w in words) and any(w in k for w in _VERSIONISH):
                found.append(f"{key}: {value.strip()[:200]}")
        out[label] = found
    return out


def size_category(n: int) -> str:
    for bound, name in SIZE_CATEGORIES:
        if n < bound:
            return name
    return "n>100M"


def _value_counts(arr: pa.ChunkedArray | pa.Array) -> dict[str, int]:
    vc = pc.value_counts(pc.drop_null(arr)) if len(arr) else []
    pairs = [(v["values"].as_py(), v["counts"].as_py()) for v in vc]
    return dict(sorted(pairs, key=lambda p: (-p[1], str(p[0]))))


def _rows_containing(lists: pa.ChunkedArray, name: str) -> int:
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    if len(lists) == 0:
        return 0
    flat, parents = pc.list_flatten(lists), pc.list_parent_indices(lists)
    hit = pc.filter(parents, pc.equal(flat, name))
    return len(pc.unique(hit))


def _count_true(arr: pa.ChunkedArray) -> int:
    return int(pc.sum(pc.cast(arr.fill_null(False), pa.int64())).as_py() or 0) if len(arr) else 0


def _turns(table: pa.Table) -> int:
    return int(pc.sum(table["turn"]).as_py() or 0) if table.num_rows else 0


def summarize(table: pa.Table) -> dict:
    """The card's numbers for one set of release rows."""
    n = table.num_rows
    turns = _turns(table)
    ips = pc.list_flatten(table["hashed_ips"].combine_chunks()) if n else pa.array([], pa.string())
    languages = _value_counts(table["language"])
    countries = _value_counts(table["country"])
    models = _value_counts(table["model"])
    toxic = table["toxic"]
    return {
        "conversations": n,
        "turns": turns,
        "mean_turns": round(turns / n, 3) if n else 0.0,
        "users": pc.count_distinct(ips).as_py() if len(ips) else 0,
        "languages": len(languages),
        "countries": len(countries),
        "models": len(models),
        "distinct_hashes": pc.count_distinct(table["conversation_hash"]).as_py() if n else 0,
        "toxic_conversations": _count_true(toxic),
        "unclassified_conversations": toxic.null_count,
        "redacted_conversations": _count_true(table["redacted"]),
        "backends": {b: {"scored": _rows_containing(table["toxicity_backends"], b),
                         "flagged": _rows_containing(table["flagged_by"], b)} for b in BACKENDS},
        "language_counts": languages,
        "language_codes": _value_counts(table["language_code"]),
        "country_counts": countries,
        "model_counts": models,
    }


@dataclass
class DayRelease:
    day: str
    splits: dict[str, pa.Table]
    manifest: dict = field(default_factory=dict)
    observations: pa.Table | None = None  # the full split's quasi-identifiers (core.disclosure)
    files: dict[str, list[str]] = field(default_factory=dict)  # split → paths relative to release/


def read_released_days(storage: Storage) -> list[DayRelease]:
    """Every released day's current version (``release/dt=D/_current.json``, core/publish.py):
    its splits (card columns only), its manifest and its files."""
    empty = _CARD_SCHEMA.empty_table()
    days = []
    for day, published in current_days(storage, RELEASE_DIR).items():
        splits, files = {}, {}
        for split in SPLITS:
            paths = [p for p in published.under(f"split={split}") if p.endswith(".parquet")]
            tables = [pq.read_table(storage.full(p), filesystem=storage.fs, columns=list(CARD_COLUMNS))
                      for p in paths]
            splits[split] = pa.concat_tables(tables or [empty]).cast(_CARD_SCHEMA)
            files[split] = [p[len(RELEASE_DIR) + 1:] for p in paths]
        manifest_path = published.file(MANIFEST_NAME)
        manifest = orjson.loads(storage.read_bytes(manifest_path)) if manifest_path else {}
        full_files = [p for p in published.under("split=full") if p.endswith(".parquet")]
        observed = read_observations(storage, full_files)
        days.append(DayRelease(day, splits, manifest, observed, files))
    return days


def _files(days: list[DayRelease], split: str) -> list[str]:
    return [path for d in days for path in d.files.get(split, [])]


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.2f}%" if whole else "n/a"


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def build_card(days: list[DayRelease], generated_at: dt.datetime | None = None,
               clusters: pa.Table | None = None) -> tuple[str, dict]:
    """The README.md text and the numbers in it (``{"full": ..., "nontoxic": ..., "days": ...}``).
    ``clusters``: the ``prompt_clusters`` table (jailbreak families, categories), when built."""
    totals = {
        s: summarize(pa.concat_tables([d.splits[s] for d in days] or [_CARD_SCHEMA.empty_table()]))
        for s in SPLITS
    }
    per_day = []
    for d in days:
        stats = d.manifest.get("stats", {})
        per_day.append({
            "day": d.day,
            "full": d.splits["full"].num_rows,
            "nontoxic": d.splits["nontoxic"].num_rows,
            "turns": _turns(d.splits["full"]),
            "takedown_conversations": stats.get("takedown_conversations", 0),
            "sexual_minors_removed": stats.get("sexual_minors_removed", 0),
            "withheld_conversations": stats.get("withheld_conversations", 0),
            "review_dropped": stats.get("review_dropped", 0),
        })
    provenance: dict[str, list[str]] = {label: [] for label in PROVENANCE}
    for d in days:
        for label, values in d.manifest.get("provenance", {}).items():
            provenance.setdefault(label, [])
            provenance[label] += [v for v in values if v not in provenance[label]]
    # The list's location is internal; the card only says how long it was at the latest release.
    latest = max(days, key=lambda d: d.manifest.get("written_at", ""), default=None)
    takedown_entries = latest.manifest.get("takedowns", {}).get("entries", 0) if latest else 0
    full, nontoxic = totals["full"], totals["nontoxic"]
    summary = {**totals, "days": per_day, "provenance": {k: v or [UNKNOWN] for k, v in provenance.items()},
               "takedown_conversations": sum(p["takedown_conversations"] for p in per_day),
               "sexual_minors_removed": sum(p["sexual_minors_removed"] for p in per_day),
               "withheld_conversations": sum(p["withheld_conversations"] for p in per_day),
               "review_dropped": sum(p["review_dropped"] for p in per_day),
               "takedown_entries": takedown_entries}

    front = {
        "license": "odc-by",
        "language": list(full["language_codes"]) or ["en"],
        "size_categories": [size_category(full["conversations"])],
        "task_categories": ["text-generation", "question-answering", "text2text-generation"],
        "pretty_name": PRETTY_NAME,
        "tags": ["instruction-finetuning"],
        # The current version's files of each day, listed (a glob would also match the older
        # versions kept beside them, core/publish.py).
        "configs": [
            {"config_name": "nontoxic", "default": True,
             "data_files": [{"split": "train", "path": _files(days, "nontoxic")}]},
            {"config_name": "full",
             "data_files": [{"split": "train", "path": _files(days, "full")}]},
        ],
    }
    when = (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    first, last = (days[0].day, days[-1].day) if days else ("-", "-")
    lines = ["---", yaml.safe_dump(front, sort_keys=False, allow_unicode=True).rstrip(), "---", ""]
    lines += [
        f"# {PRETTY_NAME}",
        "",
        "Conversations between users and chatbots, collected with consent, linked from API logs, "
        "scrubbed of PII and secrets, with IPs replaced by keyed hashes and geolocated, and labelled "
        "for language and toxicity, in the schema of "
        "[WildChat-1M](https://huggingface.co/datasets/allenai/WildChat-1M) (extra columns beside it).",
        "",
        f"Days released: {len(days)} ({first} to {last}). Generated {when} from the released Parquet.",
        "",
        "## Configurations",
        "",
        "- `nontoxic` (default): conversations no toxicity backend flagged "
        "(`dt=*/<version>/split=nontoxic/*.parquet`, the version each day's `_current.json` names).",
        "- `full`: every released conversation, toxic ones included, except conversations flagged "
        "`sexual/minors` by any backend and those taken down (`dt=*/<version>/split=full/*.parquet`).",
        "",
        "## Statistics",
        "",
    ]
    rows = [
        ["Conversations", full["conversations"], nontoxic["conversations"]],
        ["Turns", full["turns"], nontoxic["turns"]],
        ["Mean turns per conversation", full["mean_turns"], nontoxic["mean_turns"]],
        ["Users (distinct hashed IPs)", full["users"], nontoxic["users"]],
        ["Languages", full["languages"], nontoxic["languages"]],
        ["Countries", full["countries"], nontoxic["countries"]],
        ["Models", full["models"], nontoxic["models"]],
        ["Toxic conversations", full["toxic_conversations"], nontoxic["toxic_conversations"]],
        ["Toxicity unknown (no backend ran)", full["unclassified_conversations"],
         nontoxic["unclassified_conversations"]],
        ["Redacted conversations (PII/secrets)", full["redacted_conversations"],
         nontoxic["redacted_conversations"]],
        ["Removed by takedowns", summary["takedown_conversations"], "-"],
        ["Removed for sexual/minors", summary["sexual_minors_removed"], "-"],
        ["Withheld for PII review (pending)", summary["withheld_conversations"], "-"],
        ["Removed after PII review", summary["review_dropped"], "-"],
    ]
    lines += _table(["", "full", "nontoxic"], rows)
    lines += ["", "## Toxicity by backend (full split)", ""]
    n = full["conversations"]
    lines += _table(
        ["Backend", "Conversations scored", "Conversations flagged", "Flagged rate"],
        [[b, full["backends"][b]["scored"], full["backends"][b]["flagged"],
          _pct(full["backends"][b]["flagged"], full["backends"][b]["scored"])] for b in BACKENDS]
        + [["any (`toxic`)", n - full["unclassified_conversations"], full["toxic_conversations"],
            _pct(full["toxic_conversations"], n - full["unclassified_conversations"])]],
    )
    breakdowns = (("Languages", "Language", "language_counts"), ("Countries", "Country", "country_counts"),
                  ("Models", "Model", "model_counts"))
    for title, column, key in breakdowns:
        lines += ["", f"## {title} (full split)", ""]
        lines += _table([column, "Conversations", "Share"],
                        [[k, v, _pct(v, n)] for k, v in full[key].items()] or [["-", 0, "n/a"]])
    lines += ["", "## Per day", ""]
    lines += _table(
        ["Day", "full", "nontoxic", "Turns (full)", "Taken down", "Removed for sexual/minors",
         "Withheld for PII review", "Removed after review"],
        [[p["day"], p["full"], p["nontoxic"], p["turns"], p["takedown_conversations"],
          p["sexual_minors_removed"], p["withheld_conversations"], p["review_dropped"]] for p in per_day],
    )
    disclosure = _disclosure(days)
    summary["disclosure"] = disclosure
    lines += _disclosure_lines(disclosure)
    lines += _prompt_analysis_lines(clusters, summary)
    lines += ["", "## Models and databases used", ""]
    lines += _table(["Component", "Version"],
                    [[label, "; ".join(values)] for label, values in summary["provenance"].items()])
    lines += [
        "",
        "## Takedowns",
        "",
        "Conversation hashes, turn identifiers and hashed IPs on the takedown list are removed before "
        f"release ({takedown_entries} entries when a day was last released; "
        f"{summary['takedown_conversations']} conversations removed). To request removal, send a "
        "turn_identifier or the conversation_hash (or your hashed_ip) to the dataset maintainers; "
        "a turn_identifier keeps matching if the conversation later grows by a late turn.",
        "",
        "## Licence",
        "",
        LICENSE_LINE,
        "",
        "## Known limitations",
        "",
    ]
    lines += [f"- {item}" for item in KNOWN_LIMITATIONS]
    lines += ["", "## Schema", "", "WildChat-1M's columns, in its order and Arrow types:", ""]
    lines += [f"- `{f.name}`: `{_type_name(f.type)}`" for f in RELEASE_WILDCHAT]
    lines += ["", "Extra columns:", ""]
    lines += [f"- `{f.name}` (`{_type_name(f.type)}`): {_EXTRA_DOCS.get(f.name, '')}" for f in RELEASE_EXTRAS]
    return "\n".join(lines) + "\n", summary


def _prompt_analysis_lines(clusters: pa.Table | None, summary: dict) -> list[str]:
    """Jailbreak families and prompt categories (docs/analytics.md), as of the last prompt_clusters."""
    if clusters is None or clusters.num_rows == 0:
        return []
    families = family_summary(clusters)
    shares = category_shares(clusters)
    summary["jailbreak_families"] = len(families)
    summary["prompt_categories"] = shares
    lines = [
        "",
        "## Jailbreak families",
        "",
        "Near-duplicate first prompts (MinHash over 3-token shingles) that carry known jailbreak markers "
        "(DAN, developer mode, \"ignore previous instructions\" …, in ten languages), or long templates "
        "many users share verbatim (`recurring`). Success rate: share of a family's conversations whose "
        f"assistant turns were flagged toxic by any backend. {len(families)} famil"
        f"{'y' if len(families) == 1 else 'ies'} over {clusters.num_rows:,} conversations.",
        "",
    ]
    if families:
        lines += _table(
            ["Kind", "Conversations", "Users", "Success rate", "First day", "Last day", "Markers"],
            [[f["kind"], f["conversations"], f["users"], f"{f['success_rate']:.0%}", f["first_day"],
              f["last_day"], ", ".join(f["markers"]) or "-"] for f in families[:20]],
        )
    lines += ["", "## Prompt categories (first user prompt, offline rules)", ""]
    lines += _table(["Category", "Share"], [[c, f"{v:.1%}"] for c, v in shares.items()])
    return lines


def _disclosure(days: list[DayRelease]) -> dict:
    """The whole release measured from the released Parquet; before/after per day from the
    manifests (the values before the policy are never stored, so "before" exists per day only)."""
    obs = [d.observations for d in days if d.observations is not None] or [OBSERVATIONS.empty_table()]
    whole = measure(pa.concat_tables(obs))
    per_day = []
    for d in days:
        info = d.manifest.get("disclosure") or {}
        policy = info.get("policy")
        try:
            described = ReleasePolicy(**policy).describe() if policy else UNKNOWN
        except (TypeError, ValueError):
            described = UNKNOWN
        per_day.append({"day": d.day, "policy": described,
                        "before": DisclosureReport.from_dict(info.get("before")),
                        "after": DisclosureReport.from_dict(info.get("after")),
                        "suppressed_users": info.get("suppressed_users") or {}})
    return {"whole": whole, "days": per_day,
            "policies": sorted({p["policy"] for p in per_day}) or [UNKNOWN]}


def _sum_buckets(reports: list[DisclosureReport | None]) -> dict[str, int]:
    out = {bucket_name(lo, hi): 0 for lo, hi in K_BUCKETS}
    for r in reports:
        for k, v in (r.k_distribution if r else {}).items():
            out[k] = out.get(k, 0) + v
    return out


def _disclosure_lines(disclosure: dict) -> list[str]:
    whole: DisclosureReport = disclosure["whole"]
    days = disclosure["days"]
    befores, afters = [d["before"] for d in days], [d["after"] for d in days]

    def row(label: str, r: DisclosureReport | None) -> list:
        if r is None:
            return [label, "-", "-", "-", "-", "-", "-", "-"]
        return [label, r.users, r.users_below, _pct(r.users_below, r.users), r.users_unique,
                f"{r.k_median:g}", r.singles_out_most or "-", f"{100 * r.time_unique_share:.1f}%"]

    def total(label: str, reports: list[DisclosureReport | None]) -> list:
        known = [r for r in reports if r is not None]
        users, below = sum(r.users for r in known), sum(r.users_below for r in known)
        return [label, users, below, _pct(below, users), sum(r.users_unique for r in known), "-", "-", "-"]

    lines = [
        "",
        "## Disclosure risk",
        "",
        "Each released user message shows its user's pseudonym (`hashed_ip`) beside country, state, "
        "user-agent and accept-language. k is the number of users who show the same (country, state, "
        "user-agent, accept-language) tuple; a user's k is the smallest over their tuples; users with "
        f"k < {RISK_K} can be singled out by someone who knows their location and browser. "
        "'Singles out most' is the attribute that alone leaves the most users under k = "
        f"{RISK_K}; 'Timestamps unique' is the share of user messages whose released timestamp "
        "no other user shares.",
        "",
        "Release policy: " + "; ".join(disclosure["policies"]) + ".",
        "",
    ]
    lines += _table(
        ["", "Users", f"k < {RISK_K}", "Share", "Unique (k = 1)", "Median k", "Singles out most",
         "Timestamps unique"],
        [row("Whole release, as released", whole),
         total("Days before the policy (sum)", befores),
         total("Days after the policy (sum)", afters)],
    )
    lines += ["", "## Disclosure risk: k distribution (users)", ""]
    before_sum, after_sum = _sum_buckets(befores), _sum_buckets(afters)
    lines += _table(["k", "Days before the policy (sum)", "Days after the policy (sum)", "Whole release"],
                    [[name, before_sum[name], after_sum[name], whole.k_distribution.get(name, 0)]
                     for name in (bucket_name(lo, hi) for lo, hi in K_BUCKETS)])
    lines += ["", "## Disclosure risk per day", ""]
    lines += _table(
        ["Day", "Policy", "Users", f"k < {RISK_K} before", f"k < {RISK_K} after", "Unique before",
         "Unique after", "Users suppressed (state / country / accept-language / user-agent)",
         "Singles out most before"],
        [[d["day"], d["policy"], d["after"].users if d["after"] else "-",
          d["before"].users_below if d["before"] else "-", d["after"].users_below if d["after"] else "-",
          d["before"].users_unique if d["before"] else "-", d["after"].users_unique if d["after"] else "-",
          " / ".join(str(d["suppressed_users"].get(n, 0))
                     for n in ("state", "country", "accept_language", "user_agent")),
          (d["before"].singles_out_most or "-") if d["before"] else "-"] for d in days]
        or [["-", "-", 0, "-", "-", "-", "-", "-", "-"]],
    )
    return lines


_EXTRA_DOCS = {
    "conversation_id": "unique id of the conversation (conversation_hash is not unique)",
    "language_code": "ISO 639 code of `language`",
    "branch_of": "conversation_id this one branched from when the user regenerated or edited a turn",
    "orphan": "the first logged call's history could not be linked to an earlier call",
    "hashed_ips": "distinct hashed IPs of the user messages",
    "toxicity_backends": "backends that scored the conversation",
    "flagged_by": "backends that flagged any of its messages",
    "embedded_toxicity": "offline classifier's probability per message ([] if it did not run)",
    "system_prompts": "per message, the scrubbed system prompt in force at each user message ([] if none)",
    "tool_calls": "per message, an assistant message's scrubbed tool calls ([] if none)",
    "tool_results": "per message, the scrubbed results of those tool calls ([] if none)",
}


def _type_name(typ: pa.DataType) -> str:
    if pa.types.is_list(typ) and pa.types.is_struct(typ.value_type):
        return f"list<struct of {typ.value_type.num_fields} fields>"
    if pa.types.is_struct(typ):
        return "struct<" + ", ".join(f.name for f in typ) + ">"
    return str(typ)


def write_card(storage: Storage, generated_at: dt.datetime | None = None,
               clusters: pa.Table | None = None) -> tuple[str, dict]:
    """Regenerate ``<base>/release/README.md`` over every released day; returns (uri, numbers).
    ``clusters``: the prompt_clusters table; None reads the stored one, if any."""
    if clusters is None:
        clusters = storage.read_table(PROMPT_CLUSTERS_DIR)
    text, summary = build_card(read_released_days(storage), generated_at, clusters)
    storage.write_bytes(CARD_PATH, text.encode("utf-8"))
    return storage.uri(CARD_PATH), summary
