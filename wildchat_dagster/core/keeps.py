"""The scrubber's deliberate keeps, as keyed hashes (restricted zone, never values).

The scrubber leaves some detections in the text on purpose: a value seen for many users in
the day (the frequency rule: boilerplate, a homework roster pasted by a class), placeholder
e-mails, non-global IPs, a phone without a cue. The independent residue scan
(``core/residue.py``) does not know those rules; without this record it would flag what the
scrubber kept by design. ``scrubbed`` therefore writes, per day, one row per kept value:

    kind, entity, rule, value_hash, occurrences

``value_hash`` is ``HMAC-SHA256(key, "wildchat-pii-value" NUL kind NUL normalised value)``,
32 hex, with the deployment's secret key (the IP-hash key, domain-separated): a phone number
has too little entropy for a plain hash, anyone could confirm a guess. The residue scan hashes
each finding the same way; a finding whose hash was kept by an honoured rule is not residue,
it is reported apart as "kept by rule".

The same hash names a value in review decisions (``core/review.py``): a reviewer decides about
a value by its hash, never by writing the value down.
"""

from __future__ import annotations

import hmac
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from hashlib import sha256

import pyarrow as pa

KEEPS_ASSET_DIR = "scrubbed_keeps"  # <storage>/scrubbed_keeps/dt=D/part-00000.parquet
_DOMAIN = b"wildchat-pii-value\x00"

# Rules whose keeps the residue scan honours (a kept value is not residue). Others (a phone
# without a cue, a card failing Luhn) are recorded too, but a residue finding on such a value
# is still withheld for review: the two scanners disagree, a person decides.
HONOURED_RULES = frozenset({"frequent", "placeholder", "not_global"})

# Presidio entity → the residue scan's kind (one vocabulary for both sides of the hash).
KIND_OF_ENTITY = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "card",
    "IP_ADDRESS": "ip",
}
_DIGIT_KINDS = frozenset({"phone", "card", "iban_code", "us_ssn"})

KEEPS = pa.schema(
    [
        ("kind", pa.string()),  # residue kind (email, phone, card, ip, secret) or the entity, lower-case
        ("entity", pa.string()),  # the scrubber's entity type
        ("rule", pa.string()),  # frequent | placeholder | not_global | no_cue | ...
        ("value_hash", pa.string()),
        ("occurrences", pa.int64()),
    ]
)


def kind_of(entity_or_kind: str) -> str:
    """The residue kind for a Presidio entity (``SECRET_*`` → secret), or a residue kind as is."""
    if entity_or_kind in KIND_OF_ENTITY:
        return KIND_OF_ENTITY[entity_or_kind]
    if entity_or_kind.startswith("SECRET_"):
        return "secret"
    return entity_or_kind.lower()


def normalise(kind: str, value: str) -> str:
    """The form both scanners hash: digits (and letters) only for number-like kinds, so
    ``+44 20 7946 0958`` and ``(44) 2079460958`` agree; case- and space-folded otherwise."""
    if kind in _DIGIT_KINDS:
        return "".join(ch for ch in value if ch.isalnum()).lower()
    return " ".join(value.casefold().split())


class ValueHasher:
    """``(entity or kind, value) → 32 hex`` keyed hash. The key is never shown or pickled."""

    __slots__ = ("_key", "is_development")

    def __init__(self, key: str, *, is_development: bool = False):
        if not key or not key.strip():
            raise ValueError("the value hash key is empty")
        self._key = key.encode("utf-8")
        self.is_development = is_development

    def __call__(self, entity_or_kind: str, value: str) -> str:
        kind = kind_of(entity_or_kind)
        message = _DOMAIN + kind.encode() + b"\x00" + normalise(kind, value).encode("utf-8")
        return hmac.new(self._key, message, sha256).hexdigest()[:32]

    def __repr__(self) -> str:
        return f"ValueHasher(key=<hidden>, development={self.is_development})"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("ValueHasher holds a secret and is not picklable")


def keeps_table(kept_hashes: Mapping[tuple[str, str, str], int]) -> pa.Table:
    """``ScrubStats.kept_hashes`` ((entity, rule, hash) → occurrences) as the sidecar's rows."""
    rows = sorted(kept_hashes.items())
    return pa.table(
        {
            "kind": [kind_of(e) for (e, _, _), _ in rows],
            "entity": [e for (e, _, _), _ in rows],
            "rule": [r for (_, r, _), _ in rows],
            "value_hash": [h for (_, _, h), _ in rows],
            "occurrences": [int(n) for _, n in rows],
        },
        schema=KEEPS,
    )


@dataclass(frozen=True)
class KeptValues:
    """One day's keeps: value hash → the rules that kept it."""

    rules: Mapping[str, frozenset[str]] = field(default_factory=dict)
    found: bool = False  # a keeps record existed for the day

    def honoured_rule(self, value_hash: str) -> str | None:
        """The honoured rule that kept this value (``frequent`` first), or None."""
        rules = self.rules.get(value_hash, frozenset())
        for rule in ("frequent", *sorted(HONOURED_RULES - {"frequent"})):
            if rule in rules:
                return rule
        return None

    def any_rule(self, value_hash: str) -> str | None:
        rules = self.rules.get(value_hash)
        return ",".join(sorted(rules)) if rules else None

    def by_rule(self) -> Counter:
        return Counter(rule for rules in self.rules.values() for rule in rules)

    @classmethod
    def from_table(cls, table: pa.Table | None) -> KeptValues:
        if table is None:
            return cls()
        out: dict[str, set[str]] = {}
        for h, rule in zip(table["value_hash"].to_pylist(), table["rule"].to_pylist(), strict=True):
            if h and rule:
                out.setdefault(h, set()).add(rule)
        return cls({h: frozenset(r) for h, r in out.items()}, True)


def write_keeps(storage, day: str, table: pa.Table) -> str:
    """Write the day's keeps sidecar (atomic, the IO manager's layout); its URI."""
    return storage.write_table(storage.partition_dir(KEEPS_ASSET_DIR, day), table)


def read_keeps(storage, day: str) -> KeptValues:
    """The day's keeps, or an empty record (no keeps honoured) when none was written."""
    return KeptValues.from_table(storage.read_table(storage.partition_dir(KEEPS_ASSET_DIR, day)))
