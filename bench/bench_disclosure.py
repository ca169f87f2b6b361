"""The release policy's privacy/utility trade-off on a generated day (docs/release.md).

Generates one day of drops with the project's generator, parses, links and geo-tags it (the
real core functions; text is not scrubbed or classified: the quasi-identifiers do not depend on
it), nests it into release rows and measures k-anonymity before and after each policy:
header_detail full/generalized x min_k {off, 2, 5, 10} x what min_k suppresses (geography only;
geography then headers; the default: state, headers, then country) x timestamp precision, plus
WildChat mode.

    .venv/bin/python bench/bench_disclosure.py --conversations 300        # a demo day
    .venv/bin/python bench/bench_disclosure.py --turns 100000             # a WildChat-sized day
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time

import pyarrow as pa

DAY = dt.date(2023, 4, 10)
TURNS_PER_CONVERSATION = 2.53  # the generator's mean (bench/run.py's sizing)


def person_pseudonyms(geo: pa.Table) -> pa.Table:
    """hashed_ip per generated person instead of per address: the generator draws every user's
    IP from a pool of about 400 addresses, so at 40,000 conversations a day hundreds of its
    users share each address, unlike real traffic. A person is its (IP, user-agent,
    accept-language), which the generator keeps for a returning user."""
    import hashlib

    import pyarrow.compute as pc

    def pseudonym(ips, agents, languages) -> pa.Array:
        return pa.array([None if ip is None else hashlib.sha256(f"{ip}|{ua}|{al}".encode()).hexdigest()
                         for ip, ua, al in zip(ips.to_pylist(), agents.to_pylist(), languages.to_pylist(),
                                               strict=True)], pa.string())

    ua, al = geo["user_agent"], geo["accept_language"]
    hashed = pseudonym(geo["hashed_ip"], ua, al)
    # the conversation's pseudonym: its first message's headers with the conversation's address
    first = pc.equal(geo["message_index"], 0)
    by_conv = dict(zip(pc.filter(geo["conversation_id"], first).to_pylist(),
                       zip(pc.filter(ua, first).to_pylist(), pc.filter(al, first).to_pylist(), strict=True),
                       strict=True))
    conv_ua = pa.array([by_conv.get(c, (None, None))[0] for c in geo["conversation_id"].to_pylist()])
    conv_al = pa.array([by_conv.get(c, (None, None))[1] for c in geo["conversation_id"].to_pylist()])
    conv = pseudonym(geo["conversation_hashed_ip"], conv_ua, conv_al)
    geo = geo.set_column(geo.schema.get_field_index("hashed_ip"), "hashed_ip", hashed)
    index = geo.schema.get_field_index("conversation_hashed_ip")
    return geo.set_column(index, "conversation_hashed_ip", conv)


def release_rows(conversations_per_day: int, seed: int, per_person: bool) -> pa.Table:
    from wildchat_dagster.core.generate import generate_drops
    from wildchat_dagster.core.geo import GeoTagger, resolve_ip_hasher
    from wildchat_dagster.core.linking import link_conversations
    from wildchat_dagster.core.logs import parse_drops
    from wildchat_dagster.core.release import build_release
    from wildchat_dagster.core.schema import SCRUBBED
    from wildchat_dagster.core.storage import Storage

    with tempfile.TemporaryDirectory() as tmp:
        generate_drops(tmp, DAY, 1, conversations_per_day, seed=seed)
        raw = parse_drops(Storage(tmp), DAY).accepted_table()
    conversations, _ = link_conversations(raw, DAY)
    for f in SCRUBBED:
        if f.name not in conversations.column_names:
            conversations = conversations.append_column(f, pa.nulls(conversations.num_rows, f.type))
    tagger = GeoTagger.from_location(None, resolve_ip_hasher(None, "demo"))
    geo, _ = tagger.tag(conversations.select(SCRUBBED.names))
    return build_release(person_pseudonyms(geo) if per_person else geo).full


def main(argv: list[str] | None = None) -> int:
    from wildchat_dagster.core.release_policy import ReleasePolicy, apply_policy

    geography, headers = ("state", "country"), ("accept_language", "user_agent")

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=0, help="conversations in the day")
    parser.add_argument("--turns", type=int, default=0, help="about this many turns (overrides)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-address", action="store_true",
                        help="users = the generator's IP addresses (default: one pseudonym per person)")
    parser.add_argument("--json", action="store_true", help="one JSON object per policy")
    args = parser.parse_args(argv)
    per_day = round(args.turns / TURNS_PER_CONVERSATION) if args.turns else (args.conversations or 300)

    t0 = time.perf_counter()
    full = release_rows(per_day, args.seed, not args.per_address)
    print(f"day: {full.num_rows} conversations, built in {time.perf_counter() - t0:.1f}s")
    policies = [("wildchat", ReleasePolicy.wildchat())]
    for header in ("full", "generalized"):
        for min_k in (0, 2, 5, 10):
            name = f"{header} min_k={min_k}"
            policies.append((f"{name} geo", ReleasePolicy(header, min_k, "second", geography)))
            if min_k:
                policies.append((f"{name} geo,headers",
                                 ReleasePolicy(header, min_k, "second", (*geography, *headers))))
                policies.append((f"{name} default order", ReleasePolicy(header, min_k, "second")))
    for precision in ("minute", "hour"):
        policies.append((f"generalized min_k=5 {precision}",
                         ReleasePolicy("generalized", 5, precision)))
    header = (f"{'policy':<42}{'users':>7}{'k<5':>7}{'share':>8}{'k=1':>6}{'med k':>7}{'resid':>7}"
              f"{'t-uniq':>8}{'s':>6}  users suppressed: state/country/accept-lang/user-agent; "
              "singles out most")
    print(header)
    for name, policy in policies:
        t = time.perf_counter()
        _, report = apply_policy(full, policy)
        seconds = time.perf_counter() - t
        a = report.after
        if args.json:
            print(json.dumps({"policy": name, "seconds": round(seconds, 2), **report.as_dict()}))
            continue
        suppressed = "/".join(str(report.suppressed_users.get(n, 0))
                              for n in ("state", "country", "accept_language", "user_agent"))
        print(f"{name:<42}{a.users:>7}{a.users_below:>7}{a.share_below:>8.1%}{a.users_unique:>6}"
              f"{a.k_median:>7g}{report.residual_below_min_k:>7}{a.time_unique_share:>8.1%}{seconds:>6.1f}  "
              f"{suppressed}; {a.singles_out_most} {a.singles_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
