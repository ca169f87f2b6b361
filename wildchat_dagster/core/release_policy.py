"""The release policy: how much of each user's quasi-identifiers the release shows.

Applied to a day's release rows (``full``, before the ``nontoxic`` split is taken from it),
in place of WildChat-1M's raw fields, and never changing the schema (suppressed values are
nulls, generalised ones are shorter strings):

- ``header_detail``: ``full`` keeps the user-agent and accept-language headers as sent;
  ``generalized`` keeps the browser family and major version and the OS family
  (``"Chrome 112 (Windows)"``, parsed with the maintained ``ua-parser`` and its regexes) and
  the accept-language's primary language tags in the header's order (``"en,fr"``).
- ``min_k`` and ``suppress``: where the (country, state, user-agent, accept-language) tuple,
  after the headers' generalisation, is shown by fewer than ``min_k`` users, its state is
  nulled; where the tuple is still rarer, its accept-language, then its user-agent, then its
  country (the default order; <= 1: nothing is suppressed). Each step works on whole tuples,
  so everyone who shows a rare tuple is treated alike.
- ``timestamp_precision``: message and conversation timestamps floored to the ``second``,
  ``minute`` or ``hour``.

``ReleasePolicy.wildchat()`` keeps the fields as WildChat-1M publishes them (full headers,
exact geography, seconds). The k-anonymity before and after the policy is measured with
``core.disclosure`` and returned with the new rows (docs/release.md, "Disclosure risk").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .disclosure import (
    QUASI_IDENTIFIERS,
    RISK_K,
    DisclosureReport,
    codes,
    combine,
    k_per_row,
    measure,
    observations,
)

HEADER_DETAILS = ("full", "generalized")
TIMESTAMP_PRECISIONS = ("second", "minute", "hour")
MODES = ("policy", "wildchat")
# Defaults chosen from the measured trade-off (docs/release.md, "Choosing the defaults").
DEFAULT_HEADER_DETAIL = "generalized"
DEFAULT_MIN_K = 5
DEFAULT_TIMESTAMP_PRECISION = "hour"
# What min_k may null, in order: the headers go before the country, which analyses use most
# (the measured trade-off keeps the country on 99% of conversations instead of 85%).
DEFAULT_SUPPRESS = ("state", "accept_language", "user_agent", "country")
OTHER = "Other"  # a user-agent the parser does not recognise


class ReleasePolicyError(ValueError):
    """A release policy setting out of its allowed values."""


@dataclass(frozen=True)
class ReleasePolicy:
    header_detail: str = DEFAULT_HEADER_DETAIL
    min_k: int = DEFAULT_MIN_K
    timestamp_precision: str = DEFAULT_TIMESTAMP_PRECISION
    suppress: tuple[str, ...] = DEFAULT_SUPPRESS  # what min_k nulls in rare tuples, in this order
    mode: str = "policy"  # "wildchat": WildChat-1M's fields as published (see wildchat())

    def __post_init__(self) -> None:
        object.__setattr__(self, "suppress", tuple(self.suppress))  # a list from JSON or config
        unknown = [a for a in self.suppress if a not in QUASI_IDENTIFIERS]
        if unknown or len(set(self.suppress)) != len(self.suppress):
            raise ReleasePolicyError(f"release policy suppress={list(self.suppress)}: distinct names "
                                     f"from {QUASI_IDENTIFIERS}")
        for name, value, allowed in (("header_detail", self.header_detail, HEADER_DETAILS),
                                     ("timestamp_precision", self.timestamp_precision, TIMESTAMP_PRECISIONS),
                                     ("mode", self.mode, MODES)):
            if value not in allowed:
                raise ReleasePolicyError(f"release policy {name}={value!r}: choose one of {allowed}")
        if isinstance(self.min_k, bool) or not isinstance(self.min_k, int) or self.min_k < 0:
            raise ReleasePolicyError(f"release policy min_k={self.min_k!r}: a whole number >= 0 (<= 1: off)")
        if self.mode == "wildchat" and not self.changes_nothing:
            raise ReleasePolicyError("release policy mode 'wildchat' keeps full headers, exact geography "
                                     "and seconds; use ReleasePolicy.wildchat()")

    @classmethod
    def wildchat(cls) -> ReleasePolicy:
        """WildChat-1M compatibility: the fields exactly as WildChat-1M publishes them."""
        return cls(header_detail="full", min_k=0, timestamp_precision="second", suppress=(), mode="wildchat")

    @property
    def changes_nothing(self) -> bool:
        return self.header_detail == "full" and self.min_k <= 1 and self.timestamp_precision == "second"

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        if self.mode == "wildchat":
            return "wildchat (full headers, exact country and state, timestamps to the second)"
        order = ", then ".join(a.replace("_", "-") for a in self.suppress)
        rare = (f"rare tuples (k < {self.min_k}) lose {order}" if self.min_k > 1 and order
                else "nothing suppressed")
        return f"headers {self.header_detail}, {rare}, timestamps to the {self.timestamp_precision}"


# ----------------------------------------------------------------------------------------
# Header generalisation
# ----------------------------------------------------------------------------------------
def generalize_user_agent(user_agent: str | None) -> str | None:
    """``"Chrome 112 (Windows)"``: browser family, major version, OS family (ua-parser)."""
    import ua_parser

    if user_agent is None or not user_agent.strip():
        return user_agent
    agent, system = ua_parser.parse_user_agent(user_agent), ua_parser.parse_os(user_agent)
    browser = " ".join(p for p in (agent.family, agent.major) if p) if agent else OTHER
    if system and system.family and system.family != OTHER:
        return f"{browser} ({system.family})"
    return browser


def primary_language_tags(accept_language: str | None) -> str | None:
    """``"en-GB,en;q=0.9,fr;q=0.8"`` → ``"en,fr"``: the primary subtags, lower case, each once,
    in the header's order; the wildcard and malformed entries dropped."""
    if accept_language is None:
        return None
    tags: list[str] = []
    for item in accept_language.split(","):
        primary = item.split(";", 1)[0].strip().split("-", 1)[0].lower()
        if 1 <= len(primary) <= 8 and primary.isascii() and primary.isalpha() and primary not in tags:
            tags.append(primary)
    return ",".join(tags)


def _map_distinct(values: pa.Array, fn) -> pa.Array:
    """``fn`` over a string column's distinct values only (parsing is the costly part)."""
    if len(values) == 0:
        return values
    encoded = pc.dictionary_encode(values)
    mapped = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return mapped.take(encoded.indices)


# ----------------------------------------------------------------------------------------
# Applying the policy
# ----------------------------------------------------------------------------------------
@dataclass
class PolicyReport:
    policy: dict
    before: DisclosureReport
    after: DisclosureReport
    # per suppressed attribute: users with at least one value nulled, and the message- and
    # conversation-level values nulled
    suppressed_users: dict[str, int] = field(default_factory=dict)
    suppressed_values: dict[str, int] = field(default_factory=dict)
    residual_below_min_k: int = 0  # users still under min_k (their headers alone are rare)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["before"], out["after"] = self.before.as_dict(), self.after.as_dict()
        return out


def suppress(obs: pa.Table, min_k: int, order: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Per attribute in ``order``, which observations lose it: each step nulls the attribute
    where the observation's tuple (with the earlier steps applied) is shown by fewer than
    ``min_k`` users (the policy's order: state, accept-language, user-agent, country)."""
    n = obs.num_rows
    out = {name: np.zeros(n, bool) for name in order}
    if n == 0 or min_k <= 1:
        return out
    users = codes(obs["user"])
    cols = {name: codes(obs[name]) for name in QUASI_IDENTIFIERS}
    for name in order:
        low = k_per_row(users, combine(list(cols.values()), n)) < min_k
        if not low.any():
            break
        out[name] = low & (cols[name] != 0)
        cols[name] = np.where(low, 0, cols[name])
    return out


def _null_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    if not mask.any():
        return values
    return pc.if_else(pa.array(mask), pa.nulls(len(values), values.type), values)


def _floor(ts: pa.Array, precision: str) -> pa.Array:
    return ts if precision == "second" else pc.floor_temporal(ts, unit=precision)


def apply_policy(
    full: pa.Table, policy: ReleasePolicy, threshold: int = RISK_K
) -> tuple[pa.Table, PolicyReport]:
    """The release rows with the policy applied (same schema, same rows, same order) and the
    k-anonymity before and after it. Text and every other column are passed through untouched
    (zero-copy); only the message structs' geo/header/timestamp children are rebuilt."""
    before = measure(observations(full), threshold)
    if policy.changes_nothing or full.num_rows == 0:
        return full, PolicyReport(policy.as_dict(), before, before)

    # One frame of the message-level values (every message, chunk after chunk) followed by the
    # conversation-level ones, so one suppression decision covers both levels.
    conv = full["conversation"]
    flats = [pc.list_flatten(chunk) for chunk in conv.chunks]
    msgs = pa.concat_arrays(flats) if len(flats) != 1 else flats[0]
    m = len(msgs)
    msg_header = pc.struct_field(msgs, "header")
    top_header = full["header"].combine_chunks()
    top_user = full["hashed_ip"].combine_chunks()

    def both(message_values: pa.Array, top_values) -> pa.Array:
        top = top_values.combine_chunks() if isinstance(top_values, pa.ChunkedArray) else top_values
        return pa.concat_arrays([message_values.cast(pa.string()), top.cast(pa.string())])

    user_agent = both(pc.struct_field(msg_header, "user-agent"), pc.struct_field(top_header, "user-agent"))
    accept_language = both(pc.struct_field(msg_header, "accept-language"),
                           pc.struct_field(top_header, "accept-language"))
    if policy.header_detail == "generalized":
        user_agent = _map_distinct(user_agent, generalize_user_agent)
        accept_language = _map_distinct(accept_language, primary_language_tags)
    country = both(pc.struct_field(msgs, "country"), full["country"])
    state = both(pc.struct_field(msgs, "state"), full["state"])
    user = both(pc.struct_field(msgs, "hashed_ip"), top_user)
    is_user_msg = pc.and_(pc.equal(pc.struct_field(msgs, "role"), "user"),
                          pc.is_valid(pc.struct_field(msgs, "hashed_ip")))
    observed = np.concatenate([np.asarray(is_user_msg.fill_null(False)),
                               np.asarray(pc.is_valid(top_user).to_numpy(zero_copy_only=False))])
    rows = np.nonzero(observed)[0]
    obs = pa.table({"user": user, "country": country, "state": state, "user_agent": user_agent,
                    "accept_language": accept_language}).take(pa.array(rows))
    drops = suppress(obs, policy.min_k, policy.suppress)
    if "country" in drops:  # a state is never shown without its country
        drops["state"] = drops.get("state", np.zeros(obs.num_rows, bool)) | drops["country"]
    values = {"country": country, "state": state, "user_agent": user_agent,
              "accept_language": accept_language}
    masks = {}
    for name, dropped in drops.items():
        masks[name] = np.zeros(len(user), bool)
        masks[name][rows[dropped]] = True
        masks[name] &= np.asarray(pc.is_valid(values[name]).to_numpy(zero_copy_only=False))
    new = {name: _null_where(v, masks[name]) if name in masks else v for name, v in values.items()}

    # -- message structs rebuilt per chunk (the text and the other children are reused).
    header_type = full.schema.field("header").type
    chunks, pos = [], 0
    for chunk, flat in zip(conv.chunks, flats, strict=True):
        n = len(flat)
        children = dict(zip([f.name for f in flat.type], flat.flatten(), strict=True))
        old_header = children["header"]
        children["header"] = pa.StructArray.from_arrays(
            [new["accept_language"].slice(pos, n), new["user_agent"].slice(pos, n)],
            fields=list(header_type), mask=old_header.is_null())
        children["country"] = new["country"].slice(pos, n)
        children["state"] = new["state"].slice(pos, n)
        children["timestamp"] = _floor(children["timestamp"], policy.timestamp_precision)
        value_type = chunk.type.value_type
        structs = pa.StructArray.from_arrays([children[f.name].cast(f.type) for f in value_type],
                                             fields=list(value_type))
        offsets = pc.subtract(chunk.offsets, chunk.offsets[0])
        chunks.append(pa.ListArray.from_arrays(offsets, structs, type=chunk.type,
                                               mask=chunk.is_null() if chunk.null_count else None))
        pos += n
    top_values = {name: values.slice(m) for name, values in new.items()}
    columns = {
        "conversation": pa.chunked_array(chunks, type=conv.type),
        "country": top_values["country"],
        "state": top_values["state"],
        "header": pa.StructArray.from_arrays(
            [top_values["accept_language"], top_values["user_agent"]], fields=list(header_type),
            mask=top_header.is_null()),
        "timestamp": _floor(full["timestamp"].combine_chunks(), policy.timestamp_precision),
    }
    out = full
    for name, values in columns.items():
        out = out.set_column(out.schema.get_field_index(name), out.schema.field(name), values)

    after = measure(observations(out), threshold)
    report = PolicyReport(policy.as_dict(), before, after)
    users = codes(obs["user"])
    report.suppressed_users = {name: len(np.unique(users[d])) for name, d in drops.items()}
    report.suppressed_values = {name: int(mask.sum()) for name, mask in masks.items()}
    if policy.min_k > 1:
        residual = after if policy.min_k == threshold else measure(observations(out), policy.min_k)
        report.residual_below_min_k = residual.users_below
    return out, report


def disclosure_metadata(report: PolicyReport) -> dict:
    """Flat numbers for the release's metadata (the UI's plots) and the policy and the k
    distributions as dicts."""
    before, after = report.before, report.after
    return {
        "release_policy": report.policy,
        "disclosure_users": after.users,
        f"disclosure_before_users_k_lt_{before.threshold}": before.users_below,
        f"disclosure_before_share_k_lt_{before.threshold}": before.share_below,
        f"disclosure_after_users_k_lt_{after.threshold}": after.users_below,
        f"disclosure_after_share_k_lt_{after.threshold}": after.share_below,
        "disclosure_before_unique_users": before.users_unique,
        "disclosure_after_unique_users": after.users_unique,
        "disclosure_before_singles_out_most": before.singles_out_most or "-",
        "disclosure_after_singles_out_most": after.singles_out_most or "-",
        "disclosure_residual_below_min_k": report.residual_below_min_k,
        "disclosure_suppressed_users": report.suppressed_users,
        "disclosure_k_distribution": {"before": before.k_distribution, "after": after.k_distribution},
        "disclosure_after_timestamp_unique_share": after.time_unique_share,
    }
