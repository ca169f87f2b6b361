"""The Great Expectations suites, kept as code: one suite per batch an asset partition gives
(``core.quality.*_frames``), each expectation tagged with the Dagster check it reports to.

Plain data (no GX import), so the code location loads fast and the suites can be listed,
diffed and documented without GX; ``gx_runner`` turns them into ``gx.ExpectationSuite``
objects. Values that depend on the run (the partition day, the GeoIP DB's country names,
lid.176's labels, thresholds) are GX suite parameters: ``{"$PARAMETER": name}``.

Severity and blocking are properties of the Dagster check (``CHECKS``): a blocking check
that fails with ERROR severity stops the assets downstream of its asset in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.quality import HEX32, HEX64, safe_name
from ..core.residue import PII_KINDS
from ..core.schema import DETOXIFY_LABELS, MODERATION_CATEGORIES


@dataclass(frozen=True)
class CheckDef:
    name: str
    asset: str
    description: str
    blocking: bool = False
    severity: str = "ERROR"  # ERROR | WARN


@dataclass(frozen=True)
class Expect:
    check: str  # the CheckDef.name it reports to
    type: str  # GX expectation class name in great_expectations.expectations
    kwargs: dict


@dataclass(frozen=True)
class SuiteDef:
    name: str  # GX suite name; also the batch name in core.quality.Frames
    asset: str
    description: str
    id_columns: tuple[str, ...]  # reported for unexpected rows (never values)
    expectations: tuple[Expect, ...]


def P(name: str) -> dict:
    return {"$PARAMETER": name}


def _unique(check: str, cols: list[str]) -> Expect:
    return Expect(check, "ExpectCompoundColumnsToBeUnique", {"column_list": cols})


def _in_set(check: str, col: str, values) -> Expect:
    return Expect(check, "ExpectColumnValuesToBeInSet", {"column": col, "value_set": values})


def _null(check: str, col: str) -> Expect:
    return Expect(check, "ExpectColumnValuesToBeNull", {"column": col})


def _not_null(check: str, col: str) -> Expect:
    return Expect(check, "ExpectColumnValuesToNotBeNull", {"column": col})


def _equal(check: str, a: str, b: str) -> Expect:
    return Expect(check, "ExpectColumnPairValuesToBeEqual", {"column_A": a, "column_B": b})


def _between(check: str, col: str, lo=None, hi=None) -> Expect:
    kwargs = {"column": col}
    if lo is not None:
        kwargs["min_value"] = lo
    if hi is not None:
        kwargs["max_value"] = hi
    return Expect(check, "ExpectColumnValuesToBeBetween", kwargs)


def _regex(check: str, col: str, regex: str) -> Expect:
    return Expect(check, "ExpectColumnValuesToMatchRegex", {"column": col, "regex": regex})


MSG_IDS = ("conversation_id", "message_index")

CHECKS: tuple[CheckDef, ...] = (
    CheckDef(
        "raw_logs_contract",
        "raw_logs",
        "Accepted calls: ids unique, timestamps inside the partition day, roles alternate "
        "user/assistant and end with user, linking hashes well formed, schema as RAW_LOGS.",
    ),
    CheckDef(
        "raw_logs_reconciliation",
        "raw_logs",
        "Drop lines = accepted + quarantined + no-consent, exactly, and every unread drop file listed in "
        "the quarantine: the materialization's counts "
        "against the stored tables and an independent recount of the drop files.",
    ),
    CheckDef(
        "raw_logs_no_consent_share",
        "raw_logs",
        "The day's no-consent share (consent: false / drop lines) at most no_consent_jump_max above the "
        "median of the previous days' (a warning: a producer that stopped sending consent looks like "
        "a day of refusals).",
        severity="WARN",
    ),
    CheckDef(
        "raw_logs_quarantine_rate",
        "raw_logs",
        "Quarantined lines / drop lines at most quarantine_rate_max (a warning: bad lines are kept, "
        "but a jump means a producer broke).",
        severity="WARN",
    ),
    CheckDef(
        "conversations_contract",
        "conversations",
        "conversation_id + message_index unique, at least one turn, roles alternate (user at even "
        "message_index), indexes contiguous, first turn on the partition day, schema as CONVERSATIONS.",
    ),
    CheckDef(
        "conversations_raw_accounted",
        "conversations",
        "Every accepted raw call of the day is the turn_identifier of exactly one owned (non-copied) "
        "user message in conversations[D-1] ∪ conversations[D], and every owned user message of "
        "conversations[D] points to a raw call of D or D+1.",
    ),
    CheckDef(
        "scrubbed_no_pii_residue",
        "scrubbed",
        "No e-mail, phone (with a cue), Luhn-valid card or secret pattern left in any message, its "
        "system prompt, tool-call arguments or tool results: an independent regex scan "
        "(core/residue.py), not Presidio. Values the scrubber kept by rule (frequency, placeholders) "
        "or reviewers released are not residue. A warning: the conversations holding residue are "
        "withheld from the release and listed in pii_review for a decision.",
        severity="WARN",
    ),
    CheckDef(
        "scrubbed_contract",
        "scrubbed",
        "Message ids unique, `redacted` set on every message, schema as SCRUBBED, no message lost.",
    ),
    CheckDef(
        "geo_tagged_no_raw_ip",
        "geo_tagged",
        "No `ip` column and no public IPv4/IPv6 address in any string column; hashed_ip is 64 lowercase "
        "hex or null.",
        blocking=True,
    ),
    CheckDef(
        "geo_tagged_geo_values",
        "geo_tagged",
        "country values are English country names of the configured GeoIP DB(s), or null.",
        blocking=True,
    ),
    CheckDef(
        "geo_tagged_contract", "geo_tagged", "Message ids unique, schema as GEO_TAGGED, no message lost."
    ),
    CheckDef(
        "classified_scores_in_range",
        "classified",
        "Every toxicity score (Detoxify, moderation, embedded) and the language confidence in [0, 1].",
    ),
    CheckDef(
        "classified_language_codes",
        "classified",
        "language_code and conversation_language_code are lid.176 labels or null.",
    ),
    CheckDef(
        "classified_toxic_consistent",
        "classified",
        "toxic / sexual_minors / conversation_toxic follow from the stored scores and the configured "
        "backends and thresholds.",
    ),
    CheckDef(
        "classified_contract", "classified", "Message ids unique, schema as CLASSIFIED, no message lost."
    ),
    CheckDef(
        "release_schema",
        "release",
        "Both splits have exactly the release schema (WildChat-1M's columns, then ours); ids unique, "
        "hashes well formed.",
        blocking=True,
    ),
    CheckDef(
        "release_nontoxic_clean",
        "release",
        "The nontoxic split holds no toxic or unclassified conversation and no toxic turn, and only "
        "conversations the full split marks non-toxic.",
        blocking=True,
    ),
    CheckDef(
        "release_counts",
        "release",
        "full = classified conversations - takedowns - reviewers' drops - sexual/minors removals - "
        "conversations withheld for PII review, exactly; nothing in the release that is not in "
        "classified; no sexual/minors conversation and no conversation pii_review lists released.",
        blocking=True,
    ),
    CheckDef(
        "release_no_pii_residue",
        "release",
        "No released conversation holds PII residue that neither a scrubber keep nor a review "
        "decision allows (the residue scan over the full split).",
        blocking=True,
    ),
)
CHECKS_BY_NAME = {c.name: c for c in CHECKS}

_SCORE_COLUMNS = (
    "language_confidence",
    "embedded_toxicity",
    *(f"detoxify_{label}" for label in DETOXIFY_LABELS),
    *(f"moderation_{safe_name(cat)}" for cat in MODERATION_CATEGORIES),
)

SUITES: tuple[SuiteDef, ...] = (
    SuiteDef(
        "raw_logs",
        "raw_logs",
        "Accepted chatbot API calls, one row per call.",
        ("id", "source_line"),
        (
            _not_null("raw_logs_contract", "id"),
            Expect("raw_logs_contract", "ExpectColumnValuesToBeUnique", {"column": "id"}),
            _in_set("raw_logs_contract", "timestamp_day", P("partition_days")),
            _in_set("raw_logs_contract", "roles_valid", [True]),
            _between("raw_logs_contract", "source_line", lo=1),
            _regex("raw_logs_contract", "turn_hash", HEX64),
            _regex("raw_logs_contract", "parent_hash", HEX64),
        ),
    ),
    SuiteDef(
        "raw_logs_partition",
        "raw_logs",
        "The day's ingestion counts (one row).",
        (),
        (
            _null("raw_logs_contract", "schema_mismatch"),
            _null("raw_logs_contract", "quarantine_schema_mismatch"),
            _in_set("raw_logs_reconciliation", "materialization_found", [True]),
            _equal("raw_logs_reconciliation", "raw_logs_rows", "accepted"),
            _equal("raw_logs_reconciliation", "quarantine_rows", "quarantined"),
            _equal("raw_logs_reconciliation", "quarantine_file_rows", "quarantined_files"),
            _equal("raw_logs_reconciliation", "lines", "accounted"),
            _equal("raw_logs_reconciliation", "drop_lines_recounted", "lines"),
            _between("raw_logs_quarantine_rate", "quarantine_rate", 0, P("max_quarantine_rate")),
            _between("raw_logs_no_consent_share", "no_consent_jump", 0, P("max_no_consent_jump")),
        ),
    ),
    SuiteDef(
        "conversations",
        "conversations",
        "Message-level conversations of the day.",
        MSG_IDS,
        (
            _unique("conversations_contract", list(MSG_IDS)),
            _not_null("conversations_contract", "conversation_id"),
            _between("conversations_contract", "turn_count", lo=1),
            _between("conversations_contract", "turn", lo=1),
            _in_set("conversations_contract", "role", ["user", "assistant"]),
            _in_set("conversations_contract", "role_alternates", [True]),
            _in_set("conversations_contract", "message_order_ok", [True]),
            _in_set("conversations_contract", "start_day", P("partition_days")),
            _in_set("conversations_raw_accounted", "turn_identifier_known", [True]),
        ),
    ),
    SuiteDef(
        "conversations_raw_accounting",
        "conversations",
        "Each accepted raw call of the day with the number of messages that own it.",
        ("id", "source_line"),
        (_in_set("conversations_raw_accounted", "owning_messages", [1]),),
    ),
    SuiteDef(
        "conversations_partition",
        "conversations",
        "Partition-level facts (one row).",
        (),
        (_null("conversations_contract", "schema_mismatch"),),
    ),
    SuiteDef(
        "scrubbed",
        "scrubbed",
        "Scrubbed messages: PII and secret residue flags per message.",
        MSG_IDS,
        (
            *(_in_set("scrubbed_no_pii_residue", f"residue_{kind}", [False]) for kind in PII_KINDS),
            _unique("scrubbed_contract", list(MSG_IDS)),
            _not_null("scrubbed_contract", "redacted"),
        ),
    ),
    SuiteDef(
        "scrubbed_partition",
        "scrubbed",
        "Partition-level facts (one row).",
        (),
        (
            _null("scrubbed_contract", "schema_mismatch"),
            _equal("scrubbed_contract", "rows", "upstream_rows"),
        ),
    ),
    SuiteDef(
        "geo_tagged",
        "geo_tagged",
        "Geo-tagged messages: IP residue, hashes, countries.",
        MSG_IDS,
        (
            _null("geo_tagged_no_raw_ip", "raw_ip_columns"),
            _regex("geo_tagged_no_raw_ip", "hashed_ip", HEX64),
            _regex("geo_tagged_no_raw_ip", "conversation_hashed_ip", HEX64),
            _in_set("geo_tagged_geo_values", "country", P("geoip_country_names")),
            _in_set("geo_tagged_geo_values", "conversation_country", P("geoip_country_names")),
            _unique("geo_tagged_contract", list(MSG_IDS)),
        ),
    ),
    SuiteDef(
        "geo_tagged_partition",
        "geo_tagged",
        "Partition-level facts (one row).",
        (),
        (
            _in_set("geo_tagged_no_raw_ip", "has_ip_column", [False]),
            _null("geo_tagged_contract", "schema_mismatch"),
            _equal("geo_tagged_contract", "rows", "upstream_rows"),
        ),
    ),
    SuiteDef(
        "classified",
        "classified",
        "Classified messages: scores, language codes, toxicity decisions.",
        MSG_IDS,
        (
            *(_between("classified_scores_in_range", col, 0, 1) for col in _SCORE_COLUMNS),
            _in_set("classified_language_codes", "language_code", P("lid176_labels")),
            _in_set("classified_language_codes", "conversation_language_code", P("lid176_labels")),
            _in_set("classified_toxic_consistent", "toxic_consistent", [True]),
            _in_set("classified_toxic_consistent", "sexual_minors_consistent", [True]),
            _in_set("classified_toxic_consistent", "conversation_toxic_consistent", [True]),
            _unique("classified_contract", list(MSG_IDS)),
        ),
    ),
    SuiteDef(
        "classified_partition",
        "classified",
        "Partition-level facts (one row).",
        (),
        (
            _null("classified_contract", "schema_mismatch"),
            _equal("classified_contract", "rows", "upstream_rows"),
        ),
    ),
    SuiteDef(
        "release_full",
        "release",
        "The full split, one row per conversation.",
        ("conversation_id",),
        (
            _not_null("release_schema", "conversation_id"),
            Expect("release_schema", "ExpectColumnValuesToBeUnique", {"column": "conversation_id"}),
            _regex("release_schema", "conversation_hash", HEX32),
            _regex("release_schema", "hashed_ip", HEX64),
            _between("release_schema", "turn", lo=1),
        ),
    ),
    SuiteDef(
        "release_nontoxic",
        "release",
        "The nontoxic split, one row per conversation.",
        ("conversation_id",),
        (
            _not_null("release_nontoxic_clean", "toxic"),
            _in_set("release_nontoxic_clean", "toxic", [False]),
            _in_set("release_nontoxic_clean", "any_turn_toxic", [False]),
            _in_set("release_nontoxic_clean", "in_full_as_nontoxic", [True]),
        ),
    ),
    SuiteDef(
        "release_partition",
        "release",
        "The day's release counts (one row).",
        (),
        (
            _null("release_schema", "full_schema_mismatch"),
            _null("release_schema", "nontoxic_schema_mismatch"),
            _in_set("release_counts", "removals_reported", [True]),
            _in_set("release_counts", "classified_partition_found", [True]),
            _equal("release_counts", "full_rows", "expected_full_rows"),
            _equal("release_counts", "removed_conversations", "reported_removals"),
            _in_set("release_counts", "full_not_in_classified", [0]),
            _in_set("release_counts", "sexual_minors_in_full", [0]),
            _in_set("release_counts", "withheld_in_full", [0]),
            _in_set("release_no_pii_residue", "residue_conversations_in_full", [0]),
            _equal("release_nontoxic_clean", "nontoxic_rows", "full_nontoxic_rows"),
        ),
    ),
)
SUITES_BY_NAME = {s.name: s for s in SUITES}


def checks_for(asset: str) -> list[CheckDef]:
    return [c for c in CHECKS if c.asset == asset]


def _validate_registry() -> None:
    for suite in SUITES:
        for e in suite.expectations:
            check = CHECKS_BY_NAME.get(e.check)
            if check is None or check.asset != suite.asset:
                raise ValueError(f"suite {suite.name}: expectation reports to unknown check {e.check}")
    for check in CHECKS:
        if not any(e.check == check.name for s in SUITES for e in s.expectations):
            raise ValueError(f"check {check.name} has no expectation")


_validate_registry()
