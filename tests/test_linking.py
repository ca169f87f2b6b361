"""Linking calls into conversations (DESIGN §4), on the core function."""

import datetime as dt

from rawlog_helpers import UA_A, UA_B, call, parse_rows

from wildchat_dagster.core.linking import link_conversations
from wildchat_dagster.core.logs import history_hash


def conversations_of(rows, day=None):
    table, stats = link_conversations(parse_rows(rows), day)
    convs: dict[str, list[dict]] = {}
    for rec in table.to_pylist():
        convs.setdefault(rec["conversation_id"], []).append(rec)
    return convs, stats


def contents(msgs):
    return [m["content"] for m in msgs]


def test_single_conversation_links_in_order_with_wildchat_hash():
    rows = [
        call(1, "2023-04-10T08:00:00Z", ["hi"], "Hello!"),
        call(2, "2023-04-10T08:01:00Z", ["hi", "Hello!", "write a haiku"], "rain falls"),
        call(3, "2023-04-10T08:02:00Z", ["hi", "Hello!", "write a haiku", "rain falls", "another"], "snow"),
    ]
    convs, stats = conversations_of(rows)
    assert stats.conversations == 1 and stats.branches == 0 and stats.orphans == 0
    (msgs,) = convs.values()
    assert contents(msgs) == ["hi", "Hello!", "write a haiku", "rain falls", "another", "snow"]
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 3
    assert [m["turn_identifier"] for m in msgs] == [1, 1, 2, 2, 3, 3]
    assert {m["turn_count"] for m in msgs} == {3}
    pairs = [(m["role"], m["content"]) for m in msgs]
    assert {m["conversation_hash"] for m in msgs} == {history_hash(pairs)[:32]}
    assert len(msgs[0]["conversation_hash"]) == 32
    assert msgs[0]["conversation_end"] == dt.datetime(2023, 4, 10, 8, 2, tzinfo=dt.UTC)


def test_regenerate_keeps_both_responses_as_branches_and_follow_up_joins_the_new_one():
    h = ["hi", "Hello!", "write a haiku"]
    rows = [
        call(1, "2023-04-10T08:00:00Z", ["hi"], "Hello!"),
        call(2, "2023-04-10T08:01:00Z", h, "first haiku"),
        call(3, "2023-04-10T08:02:00Z", h, "regenerated haiku"),
        call(4, "2023-04-10T08:03:00Z", [*h, "regenerated haiku", "thanks"], "you're welcome"),
    ]
    convs, stats = conversations_of(rows)
    assert stats.conversations == 2 and stats.branches == 1
    by_last = {msgs[-1]["content"]: msgs for msgs in convs.values()}
    original, branch = by_last["first haiku"], by_last["you're welcome"]
    assert contents(branch) == [*h, "regenerated haiku", "thanks", "you're welcome"]
    assert [m["copied_prefix"] for m in branch] == [True, True, False, False, False, False]
    assert branch[0]["branch_of"] == original[0]["conversation_id"]
    assert original[0]["branch_of"] is None


def test_edited_turn_gives_two_branches_both_kept():
    rows = [
        call(1, "2023-04-10T08:00:00Z", ["hi"], "Hello!"),
        call(2, "2023-04-10T08:01:00Z", ["hi", "Hello!", "poem about cats"], "cats poem"),
        call(3, "2023-04-10T08:05:00Z", ["hi", "Hello!", "poem about dogs"], "dogs poem"),
    ]
    convs, stats = conversations_of(rows)
    assert stats.conversations == 2 and stats.branches == 1
    assert sorted(contents(m)[-2] for m in convs.values()) == ["poem about cats", "poem about dogs"]
    # every logged call is owned by exactly one conversation
    owned = [m["turn_identifier"] for ms in convs.values() for m in ms if not m["copied_prefix"]]
    assert sorted(set(owned)) == [1, 2, 3]


def test_two_users_same_first_exchange_each_continuation_attaches_to_its_own_user():
    rows = [
        call(1, "2023-04-10T08:00:00Z", ["hi"], "Hello!", ip="81.2.69.142", ua=UA_A),
        call(2, "2023-04-10T08:00:30Z", ["hi"], "Hello!", ip="216.160.83.56", ua=UA_B),
        call(3, "2023-04-10T08:01:00Z", ["hi", "Hello!", "q A"], "answer A", ip="81.2.69.142", ua=UA_A),
        call(4, "2023-04-10T08:02:00Z", ["hi", "Hello!", "q B"], "answer B", ip="216.160.83.56", ua=UA_B),
    ]
    convs, stats = conversations_of(rows)
    assert stats.conversations == 2 and stats.branches == 0
    for msgs in convs.values():
        assert len({m["ip"] for m in msgs}) == 1  # never mixes the two users
        assert len(msgs) == 4


def test_same_fingerprint_prefers_same_ip():
    rows = [
        call(1, "2023-04-10T08:00:00Z", ["hi"], "Hello!", ip="81.2.69.142"),
        call(2, "2023-04-10T08:00:30Z", ["hi"], "Hello!", ip="216.160.83.56"),
        call(3, "2023-04-10T08:01:00Z", ["hi", "Hello!", "from first ip"], "ok", ip="81.2.69.142"),
    ]
    convs, _ = conversations_of(rows)
    linked = next(ms for ms in convs.values() if len(ms) == 4)
    assert [m["turn_identifier"] for m in linked] == [1, 1, 3, 3]


def test_conversation_crossing_midnight_belongs_to_its_first_day_only():
    rows = [
        call(1, "2023-04-10T23:59:00Z", ["late question"], "late answer"),
        call(2, "2023-04-11T00:01:00Z", ["late question", "late answer", "after midnight"], "still here"),
        call(3, "2023-04-11T09:00:00Z", ["morning"], "good morning"),
    ]
    day10, _ = conversations_of(rows, dt.date(2023, 4, 10))
    day11, _ = conversations_of(rows, dt.date(2023, 4, 11))
    assert [contents(m) for m in day10.values()] == [
        ["late question", "late answer", "after midnight", "still here"]
    ]
    assert [contents(m) for m in day11.values()] == [["morning", "good morning"]]


def test_missing_parent_keeps_recovered_history_flagged_orphan():
    rows = [call(7, "2023-04-10T08:01:00Z", ["lost start", "lost reply", "follow up"], "answer")]
    convs, stats = conversations_of(rows)
    assert stats.orphans == 1
    (msgs,) = convs.values()
    assert contents(msgs) == ["lost start", "lost reply", "follow up", "answer"]
    assert [m["turn_identifier"] for m in msgs] == [None, None, 7, 7]
    assert all(m["orphan"] for m in msgs)


def test_different_model_is_never_a_parent():
    rows = [
        call(1, "2023-04-10T08:00:00Z", ["hi"], "Hello!", model="gpt-3.5-turbo-0301"),
        call(2, "2023-04-10T08:01:00Z", ["hi", "Hello!", "next"], "done", model="gpt-4-0314"),
    ]
    _, stats = conversations_of(rows)
    assert stats.conversations == 2 and stats.orphans == 1


def test_conversation_ids_are_unique_even_when_hashes_collide():
    rows = [
        call(1, "2023-04-10T08:00:00Z", ["hi"], "Hello!", ip="81.2.69.142", ua=UA_A),
        call(2, "2023-04-10T09:00:00Z", ["hi"], "Hello!", ip="216.160.83.56", ua=UA_B),
    ]
    convs, _ = conversations_of(rows)
    hashes = {ms[0]["conversation_hash"] for ms in convs.values()}
    assert len(convs) == 2 and len(hashes) == 1  # WildChat's hash is not unique; our id is
