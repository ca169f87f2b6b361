"""Issue 15: the PII review queue. Residue withholds only its conversations, the rest of the day
is released; the scrubber's deliberate keeps are not residue; reviewers' decisions (redact,
release, drop) are applied on re-run; takedowns by turn_identifier survive a late turn."""

import csv
import datetime as dt
import pickle

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, materialize
from rawlog_helpers import call, parse_rows, write_drop
from test_alerts import Webhook, tick

from wildchat_dagster.checks import ASSET_CHECKS, build_check_alert_sensor
from wildchat_dagster.core.keeps import KeptValues, ValueHasher, keeps_table
from wildchat_dagster.core.linking import link_conversations
from wildchat_dagster.core.pii import DEFAULT_ENTITIES
from wildchat_dagster.core.publish import read_published_table
from wildchat_dagster.core.release import Takedowns, build_release
from wildchat_dagster.core.review import (
    ReviewDecisions,
    ReviewDecisionsError,
    apply_forced_redactions,
    load_decisions,
    mask_value,
    scan_residue,
)
from wildchat_dagster.core.storage import Storage
from wildchat_dagster.definitions import PIPELINE_ASSETS, build_definitions
from wildchat_dagster.resources import PiiScrubberResource, ReviewResource

KEY = "review-test-key"
DAY = "2023-05-02"
ROSTER = ("Class roster for the group project: Maria Lopez maria.lopez@campusmail.org, "
          "Tom Becker t.becker@campusmail.org. Make a table with names and e-mails.")
PHONE_A = "07123 456631"
PHONE_B = "0712 345 631"
HASH = ValueHasher(KEY)


# --------------------------------------------------------------------------- keyed hashes
def test_value_hashes_agree_across_formats_and_keep_the_key_secret():
    assert HASH("PHONE_NUMBER", "+44 20 7946 0958") == HASH("phone", "(44) 2079460958")
    assert HASH("EMAIL_ADDRESS", "Jane.Roe@Gmail.com") == HASH("email", "jane.roe@gmail.com")
    assert HASH("email", "jane.roe@gmail.com") != HASH("phone", "jane.roe@gmail.com")
    assert HASH("email", "jane.roe@gmail.com") != ValueHasher("another key")("email", "jane.roe@gmail.com")
    assert len(HASH("card", "4111 1111 1111 1111")) == 32 and KEY not in repr(HASH)
    with pytest.raises(TypeError):
        pickle.dumps(HASH)


# --------------------------------------------------------------------------- decisions
def _decisions_csv(rows: list[dict]) -> bytes:
    out = ["turn_identifier,conversation_hash,value_hash,decision,reviewer,date,note"]
    out += [",".join(str(r.get(k, "")) for k in ("turn_identifier", "conversation_hash", "value_hash",
                                                    "decision", "reviewer", "date", "note")) for r in rows]
    return ("\n".join(out) + "\n").encode()


def test_decisions_parse_with_last_line_winning():
    h1, h2 = HASH("phone", "1"), HASH("phone", "2")
    data = _decisions_csv([
        {"turn_identifier": 11, "value_hash": h1, "decision": "release", "reviewer": "ann",
         "date": "2026-12-01"},
        {"turn_identifier": 11, "value_hash": h1, "decision": "redact", "reviewer": "bob",
         "date": "2026-12-02"},
        {"conversation_hash": "ab" * 16, "value_hash": h2, "decision": "release", "reviewer": "ann",
         "date": "2026-12-02"},
        {"turn_identifier": 42, "decision": "drop", "reviewer": "ann", "date": "2026-12-03", "note": "asked"},
        {"conversation_hash": "cd" * 16, "decision": "DROP", "reviewer": "ann", "date": "2026-12-03"},
    ])
    d = ReviewDecisions.parse(data, "decisions.csv")
    assert d.redact == {h1} and d.release == {h2}
    assert d.drops.turn_identifiers == {42} and d.drops.conversations == {"cd" * 16}
    assert d.entries == 5 and len(d.version) == 16
    assert d.summary() == {"location": "decisions.csv", "version": d.version, "entries": 5, "redact": 1,
                           "release": 1, "drop": 2}


def test_invalid_decisions_fail_with_every_bad_line_named(tmp_path):
    data = _decisions_csv([
        {"turn_identifier": 11, "value_hash": HASH("phone", "1"), "decision": "redact", "reviewer": "a",
         "date": "2026-12-01"},
        {"turn_identifier": 12, "value_hash": "xyz", "decision": "redact", "reviewer": "a",
         "date": "2026-12-01"},
        {"turn_identifier": "abc", "decision": "drop", "reviewer": "", "date": "yesterday"},
        {"value_hash": HASH("phone", "1"), "decision": "keep", "reviewer": "a", "date": "2026-12-01"},
    ])
    with pytest.raises(ReviewDecisionsError) as err:
        ReviewDecisions.parse(data, "d.csv")
    message = str(err.value)
    assert "3 invalid line(s)" in message and "nothing was applied" in message
    assert "line 3: redact/release need the finding's value_hash" in message
    assert "line 4: turn_identifier 'abc' is not an integer; reviewer is empty; date 'yesterday'" in message
    assert "line 5: decision 'keep' is not one of redact, release, drop; turn_identifier or " in message
    with pytest.raises(ReviewDecisionsError, match="missing: reviewer, date"):
        ReviewDecisions.parse(b"turn_identifier,value_hash,decision\n1,,drop\n")
    # location: a configured file must exist; the default one is optional
    store = Storage(str(tmp_path))
    assert load_decisions(store).entries == 0 and load_decisions(store).location == "none"
    with pytest.raises(ReviewDecisionsError, match="do not exist"):
        load_decisions(store, str(tmp_path / "nope.csv"))
    store.write_bytes("review/decisions.csv", _decisions_csv([
        {"turn_identifier": 7, "decision": "drop", "reviewer": "a", "date": "2026-12-01"}]))
    assert load_decisions(store).drops.turn_identifiers == {7}


# --------------------------------------------------------------------------- scan, masking, redaction
def _messages(texts: list[str]) -> pa.Table:
    n = len(texts)
    return pa.table({
        "conversation_id": [f"c{i}" for i in range(n)],
        "conversation_hash": [f"{i:032x}" for i in range(n)],
        "turn_identifier": pa.array(range(100, 100 + n), pa.int64()),
        "message_index": pa.array([0] * n, pa.int32()),
        "role": ["user"] * n,
        "content": texts,
        "redacted": [False] * n,
        "pii_types": pa.array([[]] * n, pa.list_(pa.string())),
    })


def test_scan_withholds_pending_findings_and_honours_keeps_and_decisions():
    table = _messages([
        f"Please call me at {PHONE_A} tomorrow, or mail jane.roe.1987@gmail.com",  # 2 findings
        "Our office: info line, call 020 7946 0321 any time",  # kept by the frequency rule
        "write to max.muster@posteo.de",  # released by a reviewer
        "Write a haiku about rain.",
    ])
    hotline = HASH("PHONE_NUMBER", "020-7946-0321")  # the scrubber's span, formatted differently
    keeps = KeptValues.from_table(keeps_table({("PHONE_NUMBER", "frequent", hotline): 11}))
    decisions = ReviewDecisions(release=frozenset({HASH("email", "Max.Muster@posteo.de")}))
    scan = scan_residue(table, HASH, keeps, decisions)
    assert scan.withheld == {"c0"}
    assert scan.kept_by_rule == {"frequent": 1} and scan.released_by_review == 1
    assert scan.pending == {"phone": 1, "email": 1} and scan.findings == {"phone": 2, "email": 2}
    assert scan.masks["phone"].tolist() == [True, False, False, False]
    rows = scan.review.to_pylist()
    assert [(r["turn_identifier"], r["kind"]) for r in rows] == [(100, "phone"), (100, "email")]
    assert rows[0]["masked_context"] == "Please call me at 07••••••••31 tomorrow, or mail •••••…"
    assert rows[1]["masked_context"] == "…••••• tomorrow, or mail ja•••••••••••••••••••om"
    assert rows[0]["value_hash"] == HASH("phone", PHONE_A)
    assert all(PHONE_A not in str(r) and "jane.roe.1987" not in str(r) for r in rows)
    assert scan.summary()["withheld_messages"] == 1
    # a reviewer's drop takes the conversation out of the queue (the release drops it)
    drop = ReviewDecisions(release=decisions.release, drops=Takedowns(turn_identifiers=frozenset({100})))
    dropped = scan_residue(table, HASH, keeps, drop)
    assert dropped.withheld == frozenset() and dropped.dropped_by_review == 2 and dropped.review.num_rows == 0


def test_masking_keeps_only_the_ends():
    assert mask_value("0712345631") == "07••••••31"
    assert mask_value("abcde") == "a•••e" and mask_value("abc") == "•••"


def test_forced_redaction_replaces_every_occurrence_in_the_scrubbers_format():
    table = _messages([f"call me at {PHONE_A} please", f"my phone: {PHONE_A.replace(' ', '-')}",
                       "nothing here"])
    out, counts = apply_forced_redactions(table, HASH, frozenset({HASH("phone", PHONE_A)}))
    assert out["content"].to_pylist() == [
        "call me at <PRESIDIO_ANONYMIZED_PHONE_NUMBER> please",
        "my phone: <PRESIDIO_ANONYMIZED_PHONE_NUMBER>",
        "nothing here",
    ]
    assert out["redacted"].to_pylist() == [True, True, False]
    assert out["pii_types"].to_pylist() == [["PHONE_NUMBER"], ["PHONE_NUMBER"], []]
    assert counts == {"PHONE_NUMBER": 2} and out.schema == table.schema


# --------------------------------------------------------------------------- takedowns across a late turn
def _release_of(rows: list[dict], takedowns: Takedowns | None = None):
    conv, _ = link_conversations(parse_rows(rows), dt.date.fromisoformat(DAY))
    return build_release(conv, takedowns)


def test_takedown_by_turn_identifier_or_published_hash_holds_after_a_late_turn():
    t = f"{DAY}T"
    h = ["Help me plan a trip to Lisbon."]
    r1 = "Day 1: Alfama. Day 2: Belem."
    c1 = call(501, f"{t}08:00:00Z", h, r1)
    c2 = call(502, f"{t}08:05:00Z", [*h, r1, "Add a day trip."], "Day 3: Sintra.")
    late = call(503, f"{t}23:50:00Z", [*h, r1, "Add a day trip.", "Day 3: Sintra.", "And food?"], "Pasteis.")
    other = call(600, f"{t}09:00:00Z", ["Write a haiku about rain."], "Rain on tin.", ip="2.125.160.216")
    published = _release_of([c1, c2, other]).full
    mine = published.filter(pc.equal(published["turn"], 2)).to_pylist()[0]
    assert [m["turn_identifier"] for m in mine["conversation"]] == [501, 501, 502, 502]

    # the late call arrives: re-linking extends the conversation; its id and hash change
    relinked = _release_of([c1, c2, late, other]).full
    grown = relinked.filter(pc.equal(relinked["turn"], 3)).to_pylist()[0]
    assert grown["conversation_id"] != mine["conversation_id"]
    assert grown["conversation_hash"] != mine["conversation_hash"]

    for takedowns, counter in [
        (Takedowns.parse(b"501  # ticket 9: by turn_identifier\n"), "takedown_by_turn"),
        (Takedowns.parse(b"kind,value,reason\nturn_identifier,502,ticket 10\n"), "takedown_by_turn"),
        (Takedowns.parse(mine["conversation_hash"].encode()), "takedown_by_hash"),  # as published before
        (Takedowns.parse(mine["conversation_id"].encode()), "takedown_by_hash"),
    ]:
        result = _release_of([c1, c2, late, other], takedowns)
        assert result.full["conversation_id"].to_pylist() == [
            c for c in relinked["conversation_id"].to_pylist() if c != grown["conversation_id"]
        ], takedowns
        assert result.stats.takedown_conversations == 1 and getattr(result.stats, counter) == 1
    assert Takedowns.parse(b"501\nnot-a-value\n").invalid_entries == 1


# --------------------------------------------------------------------------- the day, end to end
PIPELINE = ["raw_logs", "raw_logs_quarantine", "conversations", "scrubbed", "pii_review", "geo_tagged",
            "classified", "release", "release_sft", "dataset_card"]
ROSTER_IPS = ("81.2.69.142", "216.160.83.56", "89.160.20.112", "175.16.199.0")


def day_calls() -> list[dict]:
    t = f"{DAY}T"
    reply = ("| Name | E-mail |\n| Maria Lopez | maria.lopez@campusmail.org |\n"
             "| Tom Becker | t.becker@campusmail.org |")
    rows = [call(700 + i, f"{t}0{i}:00:00Z", [ROSTER], reply, ip=ip) for i, ip in enumerate(ROSTER_IPS)]
    note = f"Write a short note to my landlord. My number is {PHONE_A}, call me tonight."
    return [
        *rows,
        call(801, f"{t}10:00:00Z", [note], "Dear landlord, please call me tonight.", ip="2.125.160.216"),
        call(802, f"{t}11:00:00Z", [f"Draft a text to my boss: you can call me at {PHONE_B} after six."],
             "Hi, you can reach me after six.", ip="2.125.160.217"),
        call(803, f"{t}12:00:00Z", ["Write a haiku about rain."], "Rain on the tin roof", ip="2.125.160.218"),
    ]


def materialize_day(base, instance, selection):
    resources = dict(build_definitions(str(base)).resources)
    # one recognizer off (phones), so the scrubber misses what the residue scan finds; a small class
    # makes the roster "public" for the frequency rule
    resources["pii"] = PiiScrubberResource(
        workers=1, entities=[e for e in DEFAULT_ENTITIES if e != "PHONE_NUMBER"],
        frequency_thresholds={"EMAIL_ADDRESS": 3, "PERSON": 5},
    )
    resources["review"] = ReviewResource(hash_key=KEY)
    result = materialize([*PIPELINE_ASSETS, *ASSET_CHECKS], selection=selection, partition_key=DAY,
                         resources=resources, instance=instance, raise_on_error=False)
    assert result.success
    metadata = {
        e.materialization.asset_key.to_user_string(): {
            k: v.value for k, v in e.materialization.metadata.items()
        }
        for e in result.get_asset_materialization_events()
    }
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    return result, metadata, checks


def released(base) -> dict[int, dict]:
    """Released conversations of the day by their first turn_identifier."""
    full = read_published_table(Storage(str(base)), f"release/dt={DAY}", "split=full").to_pylist()
    return {row["conversation"][0]["turn_identifier"]: row for row in full}


@pytest.fixture(scope="module")
def day(tmp_path_factory, monkeypatch_module):
    base = tmp_path_factory.mktemp("review_day")
    for name in ("WILDCHAT_REVIEW_DECISIONS", "WILDCHAT_TAKEDOWNS", "WILDCHAT_ALERT_WEBHOOK"):
        monkeypatch_module.delenv(name, raising=False)
    write_drop(base, DAY, day_calls())
    instance = DagsterInstance.ephemeral()
    first = materialize_day(base, instance, PIPELINE)
    return base, instance, first


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_boilerplate_shared_by_many_users_is_released_and_reported_as_kept(day):
    base, _, (_, metadata, checks) = day
    out = released(base)
    for call_id in (700, 701, 702, 703):  # four users, the same roster: public by the frequency rule
        assert "maria.lopez@campusmail.org" in out[call_id]["conversation"][0]["content"]
    assert metadata["scrubbed"]["kept_by_rule"]["EMAIL_ADDRESS:frequent"] == 4  # per distinct text
    assert metadata["scrubbed"]["kept_values_recorded"] >= 2
    assert metadata["pii_review"]["residue_kept_by_rule"] == 16  # the scan saw them and honoured the keep
    residue = checks["scrubbed_no_pii_residue"]
    assert residue.metadata["kept_by_rule"].value == {"frequent": 16}
    keeps = pq.read_table(base / "scrubbed_keeps" / f"dt={DAY}").to_pylist()
    assert {(k["kind"], k["rule"]) for k in keeps} >= {("email", "frequent")}
    assert all("campusmail" not in str(k) for k in keeps)  # hashes, never values


def test_a_missed_value_withholds_only_its_conversation_and_alerts(day):
    base, instance, (_, metadata, checks) = day
    out = released(base)
    assert set(out) == {700, 701, 702, 703, 803}  # 801 and 802 withheld, the rest released
    stats = metadata["release"]
    assert stats["withheld_conversations"] == 2 and stats["full_conversations"] == 5
    assert stats["conversations_in"] == 7 == (stats["full_conversations"] + stats["withheld_conversations"]
                                               + stats["takedown_conversations"] + stats["review_dropped"]
                                               + stats["sexual_minors_removed"])
    review = pq.read_table(base / "pii_review" / f"dt={DAY}").to_pylist()
    assert sorted((r["turn_identifier"], r["kind"], r["message_index"]) for r in review) == [
        (801, "phone", 0), (802, "phone", 0)]
    assert {r["masked_context"].split("07")[1][:8] for r in review} == {"••••••••"}
    residue = checks["scrubbed_no_pii_residue"]
    assert not residue.passed and residue.severity.value == "WARN" and not residue.blocking
    assert residue.metadata["withheld_conversations"].value == 2
    for name in ("release_counts", "release_no_pii_residue", "release_schema", "scrubbed_contract"):
        assert checks[name].passed, name
    everything = " ".join(str(v) for v in [metadata, review, *[c.metadata for c in checks.values()]])
    assert PHONE_A not in everything and PHONE_B not in everything
    assert "Withheld for PII review" in (base / "release" / "README.md").read_text()
    # the alert sensor notifies, with the counts and the way to the review queue
    hook = Webhook()
    try:
        tick(build_check_alert_sensor(webhook_url=hook.url), instance, None)
    finally:
        hook.close()
    assert len(hook.posts) == 1
    text = hook.posts[0]["text"] + hook.posts[0]["blocks"][0]["text"]["text"]
    assert "scrubbed_no_pii_residue" in text and "2 conversation(s) withheld for PII review" in text
    assert f"pii_review?view=partitions&partition={DAY}" in text and PHONE_A not in text


def test_decisions_redact_and_drop_apply_on_the_next_run(day):
    base, instance, _ = day
    review = {r["turn_identifier"]: r for r in pq.read_table(base / "pii_review" / f"dt={DAY}").to_pylist()}
    decisions = base / "review" / "decisions.csv"
    decisions.parent.mkdir(exist_ok=True)
    with decisions.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["turn_identifier", "conversation_hash", "value_hash", "decision", "reviewer", "date",
                    "note"])
        w.writerow([801, "", review[801]["value_hash"], "redact", "ann", "2026-12-06", "private number"])
        w.writerow(["", review[802]["conversation_hash"], "", "drop", "ann", "2026-12-06", "asked us to"])
    _, metadata, checks = materialize_day(base, instance, PIPELINE[3:])  # scrubbed → release again
    out = released(base)
    assert set(out) == {700, 701, 702, 703, 801, 803}
    note = out[801]["conversation"][0]
    assert "<PRESIDIO_ANONYMIZED_PHONE_NUMBER>" in note["content"] and PHONE_A not in note["content"]
    assert note["redacted"] is True and out[801]["redacted"] is True
    stats = metadata["release"]
    counts = (stats["review_dropped"], stats["withheld_conversations"], stats["full_conversations"])
    assert counts == (1, 0, 6)
    assert metadata["scrubbed"]["redacted_by_review"] == {"PHONE_NUMBER": 1}
    assert metadata["pii_review"]["withheld_conversations"] == 0
    assert metadata["pii_review"]["residue_in_dropped_conversations"] == 1
    assert pq.read_table(base / "pii_review" / f"dt={DAY}").num_rows == 0
    assert all(checks[c].passed for c in checks), {c: e.passed for c, e in checks.items()}
    card = (base / "release" / "README.md").read_text()
    assert "| Removed after PII review | 1 | - |" in card


def test_residue_in_a_system_prompt_withholds_its_conversation():
    """Issue 16's extra texts (system prompt, tool arguments/results) are scanned like content:
    a value left there withholds the conversation, and the review row says where it is."""
    table = _messages(["What are your opening hours?", "Write a haiku about rain."])
    table = table.append_column("system_prompt", pa.array(
        ["You are the support bot of ACME. Escalate to jane.roe.1987@gmail.com", None], pa.string()))
    scan = scan_residue(table, HASH)
    assert scan.withheld == {"c0"} and scan.pending == {"email": 1}
    (row,) = scan.review.to_pylist()
    assert row["field"] == "extras" and row["message_index"] == 0
    assert "jane.roe" not in row["masked_context"] and "@gmail.com" not in row["masked_context"]
