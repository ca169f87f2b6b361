"""release, release_sft and dataset_card through Dagster: classified partitions on disk →
materialize → the files a user downloads. Then the 186 real WildChat-1M conversations as raw
logs through the whole chain (raw_logs → ... → release) as far as the stages exist."""

import datetime as dt
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import AssetSpec, DagsterInstance, materialize
from test_release import (
    assert_wildchat_schema,
    by_first_content,
    call,
    classified_from_calls,
    hip,
    independent_numbers,
    parse_card,
    sample_calls,
)

from wildchat_dagster.assets.release import dataset_card, release, release_sft
from wildchat_dagster.core.card import CARD_PATH
from wildchat_dagster.core.logs import history_hash
from wildchat_dagster.core.publish import current
from wildchat_dagster.core.schema import CLASSIFIED, RELEASE
from wildchat_dagster.core.storage import Storage
from wildchat_dagster.io import ParquetIOManager
from wildchat_dagster.partitions import daily_partitions
from wildchat_dagster.resources import (
    ReleasePolicyResource,
    ReviewResource,
    StorageResource,
    ToxicityResource,
)

DAY, DAY2 = "2023-04-10", "2023-04-11"
RAW_IPS = ("81.2.69.142", "216.160.83.56", "89.160.20.112", "81.2.69.160", "81.2.69.161")
ENV = ("WILDCHAT_TAKEDOWNS", "WILDCHAT_TOXICITY_BACKENDS", "WILDCHAT_GEOIP_DB", "WILDCHAT_ENV",
       "WILDCHAT_DETOXIFY_THRESHOLD", "WILDCHAT_EMBEDDED_THRESHOLD", "WILDCHAT_STORAGE")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)



def released(base, day: str, name: str) -> Path:
    """The current release file ``name`` of ``day`` (through the day's pointer, core/publish.py)."""
    published = current(Storage(str(base)), f"release/dt={day}")
    assert published is not None and name in published.files, (day, name)
    return Path(base) / published.files[name]

class Release:
    """Materialize the release assets for days whose classified partitions are on disk."""

    def __init__(self, base: Path, policy: ReleasePolicyResource | None = None):
        self.base = base
        self.policy = policy or ReleasePolicyResource()
        self.storage = Storage(str(base))
        self.instance = DagsterInstance.ephemeral()

    def classified(self, day: str, table: pa.Table) -> None:
        self.storage.write_table(f"classified/dt={day}", table.cast(CLASSIFIED))

    def run(self, day: str, run_config: dict | None = None, ok: bool = True):
        result = materialize(
            [AssetSpec("classified", partitions_def=daily_partitions), release, release_sft, dataset_card],
            partition_key=day,
            instance=self.instance,
            resources={
                "io_manager": ParquetIOManager(base=str(self.base)),
                "storage": StorageResource(base=str(self.base)),
                "toxicity": ToxicityResource(detoxify_threshold=0.1),
                "review": ReviewResource(),
                "release_policy": self.policy,
            },
            run_config=run_config,
            raise_on_error=False,
        )
        assert result.success is ok
        self.metadata = {}
        if ok:
            for event in result.get_asset_materialization_events():
                key = event.materialization.asset_key.to_user_string()
                self.metadata[key] = {k: v.value for k, v in event.materialization.metadata.items()}
        return result

    def split(self, day: str, name: str) -> pa.Table:
        return pq.read_table(released(self.base, day, f"split={name}/part-00000.parquet"))

    def sft(self, day: str) -> list[dict]:
        text = (self.base / f"release_sft/dt={day}/sft.jsonl").read_text()
        return [json.loads(line) for line in text.splitlines()]

    def card(self) -> tuple[dict, dict]:
        return parse_card((self.base / CARD_PATH).read_text())

    def everything_written_as_text(self) -> str:
        """All release outputs, Parquet decoded (it is compressed, so bytes would hide values)."""
        parts = []
        for path in sorted(self.base.rglob("*")):
            if not path.is_file() or not path.relative_to(self.base).parts[0].startswith("release"):
                continue
            if path.suffix == ".parquet":
                parts.append(json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False))
            else:
                parts.append(path.read_text())
        return "\n".join(parts)


def test_release_assets_write_the_splits_sft_and_card_with_counts(tmp_path):
    rel = Release(tmp_path)
    rel.classified(DAY, classified_from_calls(sample_calls()))
    rel.run(DAY)
    for path in (released(tmp_path, DAY, "split=full/part-00000.parquet"),
                 released(tmp_path, DAY, "split=nontoxic/part-00000.parquet"),
                 released(tmp_path, DAY, "manifest.json"), tmp_path / "release/README.md",
                 tmp_path / f"release_sft/dt={DAY}/sft.jsonl"):
        assert path.is_file(), path
    full, nontoxic = rel.split(DAY, "full"), rel.split(DAY, "nontoxic")
    assert_wildchat_schema(full.schema)
    assert full.num_rows == 4 and nontoxic.num_rows == 3
    assert set(nontoxic["toxic"].to_pylist()) == {False}

    md = rel.metadata["release"]
    assert md["full_conversations"] == 4 and md["nontoxic_conversations"] == 3
    assert md["sexual_minors_removed"] == 1 and md["takedown_conversations"] == 0
    assert md["full_users"] == 4 and md["full_turns"] == 6 and md["takedown_list"] == "none"
    assert md["written_rows"] == 7  # the IO manager: both splits
    assert rel.metadata["release_sft"]["written"] == 3 and len(rel.sft(DAY)) == 3
    card_md = rel.metadata["dataset_card"]
    assert card_md["full_conversations"] == 4 and card_md["days_released"] == 1
    assert card_md["card_uri"] == str(tmp_path / CARD_PATH)

    _, sections = rel.card()
    stats = {row[0]: row[1:] for row in sections["Statistics"][1:]}
    want = independent_numbers([released(tmp_path, DAY, "split=full/part-00000.parquet")])
    assert int(stats["Conversations"][0]) == want["Conversations"] == 4
    assert int(stats["Users (distinct hashed IPs)"][0]) == want["Users (distinct hashed IPs)"] == 4
    manifest = json.loads((released(tmp_path, DAY, "manifest.json")).read_text())
    assert manifest["stats"]["full_conversations"] == 4 and manifest["thresholds"]["detoxify"] == 0.1

    # privacy: no raw IP anywhere in what is released (data, card, manifest, SFT) nor in metadata
    written = rel.everything_written_as_text() + json.dumps(rel.metadata, default=str)
    for ip in RAW_IPS:
        assert ip not in written
    assert hip("81.2.69.142") in written  # the check can see hashed values, so it could see raw ones


def test_rematerializing_an_old_day_honours_new_takedowns(tmp_path, monkeypatch):
    rel = Release(tmp_path)
    rel.classified(DAY, classified_from_calls(sample_calls()))
    day2 = [call(20, "2023-04-11T09:00:00Z", ["bonjour"], "salut", ip="81.2.69.142", lang="fr")]
    rel.classified(DAY2, classified_from_calls(day2))
    rel.run(DAY)
    rel.run(DAY2)
    _, sections = rel.card()
    assert {row[0]: row[1] for row in sections["Per day"][1:]} == {DAY: "4", DAY2: "1"}
    before = by_first_content(rel.split(DAY, "full"))
    hi_hash = before["hi"]["conversation_hash"]

    # a takedown arrives for an old day: one conversation hash and one user's hashed IP
    takedowns = f"{hi_hash}\n{hip('89.160.20.112')}  # user request\n"
    rel.storage.write_bytes("takedowns/takedowns.txt", takedowns.encode())
    day_dir = tmp_path / f"release/dt={DAY}"
    versions_before = {p.parent.parent.name for p in day_dir.glob("*/split=full/*.parquet")}
    rel.run(DAY)
    after = by_first_content(rel.split(DAY, "full"))
    assert set(after) == set(before) - {"hi", "hej"}
    # no older version of the day, which held the taken-down conversations, is kept
    versions = {p.parent.parent.name for p in day_dir.glob("*/split=full/*.parquet")}
    assert len(versions_before) == 1 and len(versions) == 1 and versions != versions_before
    assert hi_hash not in rel.split(DAY, "nontoxic")["conversation_hash"].to_pylist()
    assert not any(m["content"] in ("hi", "hej") for line in rel.sft(DAY) for m in line["messages"])
    md = rel.metadata["release"]
    assert md["takedown_conversations"] == 2 and md["takedown_by_hash"] == 1 and md["takedown_by_ip"] == 1
    assert md["takedown_list"] == str(tmp_path / "takedowns/takedowns.txt")
    _, sections = rel.card()
    days = {row[0]: row[1:] for row in sections["Per day"][1:]}
    assert days[DAY][0] == "2" and days[DAY][3] == "2" and days[DAY2][0] == "1"  # day 2 untouched
    stats = {row[0]: row[1:] for row in sections["Statistics"][1:]}
    assert stats["Conversations"][0] == "3" and stats["Removed by takedowns"][0] == "2"
    assert rel.metadata["dataset_card"]["takedown_conversations"] == 2
    card = (tmp_path / CARD_PATH).read_text()
    assert "(2 entries when a day was last released; 2 conversations removed)" in card
    assert "takedowns.txt" not in card  # the list's location is internal

    # the list can live elsewhere ($WILDCHAT_TAKEDOWNS, or run config); a CSV with kinds works too
    legal = tmp_path / "legal.csv"
    legal.write_text(f"kind,value\nhashed_ip,{hip('81.2.69.161')}\n")
    monkeypatch.setenv("WILDCHAT_TAKEDOWNS", str(legal))
    rel.run(DAY)
    assert set(by_first_content(rel.split(DAY, "full"))) == set(before) - {"plan a trip"}
    default_list = str(tmp_path / "takedowns/takedowns.txt")
    rel.run(DAY, run_config={"ops": {"release": {"config": {"takedowns": default_list}}}})
    assert set(by_first_content(rel.split(DAY, "full"))) == set(before) - {"hi", "hej"}


def test_a_configured_takedown_list_that_cannot_be_read_stops_the_release(tmp_path, monkeypatch):
    rel = Release(tmp_path)
    rel.classified(DAY, classified_from_calls(sample_calls()))
    rel.run(DAY)
    written = (released(tmp_path, DAY, "split=full/part-00000.parquet")).read_bytes()
    monkeypatch.setenv("WILDCHAT_TAKEDOWNS", str(tmp_path / "nowhere.txt"))
    rel.run(DAY, ok=False)
    assert (released(tmp_path, DAY, "split=full/part-00000.parquet")).read_bytes() == written


# ------------------------------------------------------------------------------------------
# The 186 real conversations through the chain
# ------------------------------------------------------------------------------------------
SAMPLE = Path(__file__).resolve().parents[1].parent / "shared/data/wildchat/wildchat1m_sample_186.jsonl"
E2E_DAY = "2023-11-20"
PLACEHOLDER = re.compile(r"<(?:PRESIDIO_ANONYMIZED|SECRET_REDACTED)_[A-Z_]+>")


def sample_ip(i: int) -> str:
    return f"81.2.{69 + i // 200}.{i % 200 + 1}"


def raw_calls(conv: dict, i: int) -> list[dict]:
    """One API call per user turn with its whole history (real roles kept: 8 conversations do
    not alternate and must be quarantined), all on E2E_DAY, conversation i from its own IP."""
    turns = conv["conversation"]
    start = dt.datetime.fromisoformat(f"{E2E_DAY}T00:05:00+00:00") + dt.timedelta(minutes=4 * i)
    calls = []
    for k in range(0, len(turns), 2):
        ts = (start + dt.timedelta(seconds=5 * k)).strftime("%Y-%m-%dT%H:%M:%SZ")
        row = call(i * 1000 + k, ts, [t["content"] for t in turns[: k + 1]],
                   turns[k + 1]["content"] if k + 1 < len(turns) else "", ip=sample_ip(i), ua=f"UA-{i}",
                   model=conv["model"])
        row["messages"] = [{"role": t["role"], "content": t["content"]} for t in turns[: k + 1]]
        calls.append(row)
    return calls


def same_text(source: str, released: str) -> bool:
    """Equal, or equal once the scrubber's placeholders are allowed to stand for any text."""
    if source == released:
        return True
    pattern = "".join(".+?" if PLACEHOLDER.fullmatch(p) else re.escape(p)
                      for p in re.split(f"({PLACEHOLDER.pattern})", released))
    return re.fullmatch(pattern, source, re.S) is not None


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    if not SAMPLE.exists():
        pytest.skip(f"third-party data not found at {SAMPLE}")
    from wildchat_dagster.definitions import PIPELINE_ASSETS, build_definitions

    convs = [json.loads(line) for line in SAMPLE.open()]
    base = tmp_path_factory.mktemp("wildchat186")
    lines, line_conv = [], []
    for i, conv in enumerate(convs):
        for row in raw_calls(conv, i):
            lines.append(json.dumps(row, ensure_ascii=False))
            line_conv.append(i)
    drop = base / f"raw_logs_drop/dt={E2E_DAY}/part-00000.jsonl"
    drop.parent.mkdir(parents=True)
    drop.write_text("\n".join(lines) + "\n")
    with pytest.MonkeyPatch.context() as mp:
        for name in ENV:
            mp.delenv(name, raising=False)
        mp.setenv("WILDCHAT_IP_HASH_KEY", "release-e2e-key")
        defs = build_definitions(str(base))
        instance = DagsterInstance.ephemeral()
        result = materialize(PIPELINE_ASSETS, partition_key=E2E_DAY, resources=defs.resources,
                             instance=instance)
    assert result.success
    storage = Storage(str(base))
    return {
        "convs": convs, "line_conv": line_conv, "base": base,
        "quarantine": storage.read_table(f"raw_logs_quarantine/dt={E2E_DAY}").to_pylist(),
        "full": pq.read_table(released(base, E2E_DAY, "split=full/part-00000.parquet")),
        "nontoxic": pq.read_table(released(base, E2E_DAY, "split=nontoxic/part-00000.parquet")),
        "metadata": {e.materialization.asset_key.to_user_string(): {
            k: v.value for k, v in e.materialization.metadata.items()}
            for e in result.get_asset_materialization_events()},
    }


def alternating(conv: dict) -> bool:
    roles = [t["role"] for t in conv["conversation"]]
    return roles == ["user", "assistant"] * (len(roles) // 2) and len(roles) % 2 == 0


def test_186_real_conversations_come_back_with_the_same_content_turns_and_hashes(chain):
    convs, full = chain["convs"], chain["full"]
    assert len(convs) == 186
    assert_wildchat_schema(full.schema)
    good = {i for i, c in enumerate(convs) if alternating(c)}
    assert len(good) == 178

    # the 8 non-alternating conversations: their bad calls are quarantined, with the reason
    quarantined = {chain["line_conv"][q["source_line"] - 1] for q in chain["quarantine"]}
    assert {q["reason"] for q in chain["quarantine"]} == {"non_alternating_roles"}
    assert quarantined == set(range(186)) - good and len(quarantined) == 8

    released: dict[int, list[dict]] = {}
    for row in full.to_pylist():
        released.setdefault(row["conversation"][0]["turn_identifier"] // 1000, []).append(row)
    for i in good:
        (row,) = released.pop(i)  # exactly one conversation per source conversation
        source = convs[i]["conversation"]
        got = row["conversation"]
        assert [m["role"] for m in got] == [t["role"] for t in source]
        assert all(same_text(t["content"], m["content"]) for t, m in zip(source, got, strict=True)), i
        assert row["turn"] == convs[i]["turn_count"] == len(source) // 2
        assert row["model"] == convs[i]["model"]
        pairs = [(m["role"], m["content"]) for m in got]
        assert row["conversation_hash"] == history_hash(pairs)[:32]
        if not row["redacted"]:  # nothing scrubbed: the hash is that of the source content
            assert row["conversation_hash"] == history_hash([(t["role"], t["content"]) for t in source])[:32]
        assert row["hashed_ips"] == [row["hashed_ip"]] and row["hashed_ip"] is not None
    # what is left: the accepted first calls of 3 quarantined conversations, as shorter conversations
    assert set(released) <= set(range(186)) - good and len(released) == 3
    for i, (row,) in released.items():
        source = convs[i]["conversation"]
        n = len(row["conversation"])
        assert n < len(source)
        assert all(same_text(t["content"], m["content"])
                   for t, m in zip(source[:n], row["conversation"], strict=True))
    assert full.num_rows == 181
    english = sum(1 for r in full.to_pylist() if r["language"] == "English")
    assert english >= 0.95 * full.num_rows  # the sample is English


def test_186_nontoxic_split_sft_and_card_agree_with_the_data(chain):
    full, nontoxic, base = chain["full"], chain["nontoxic"], chain["base"]
    assert nontoxic.num_rows > 0
    nontoxic_rows = nontoxic.to_pylist()
    assert all(r["toxic"] is False and r["flagged_by"] == [] for r in nontoxic_rows)
    assert not any(m["toxic"] for r in nontoxic_rows for m in r["conversation"])
    assert set(nontoxic["conversation_id"].to_pylist()) <= set(full["conversation_id"].to_pylist())
    toxic_ids = {r["conversation_id"] for r in full.to_pylist() if r["toxic"] is not False}
    assert toxic_ids.isdisjoint(nontoxic["conversation_id"].to_pylist())
    assert nontoxic.num_rows + len(toxic_ids) == full.num_rows

    sft = (base / f"release_sft/dt={E2E_DAY}/sft.jsonl").read_text().splitlines()
    assert len(sft) == len(set(nontoxic["conversation_hash"].to_pylist()))

    md = chain["metadata"]["release"]
    assert md["full_conversations"] == 181 and md["sexual_minors_removed"] == 0
    _, sections = parse_card((base / CARD_PATH).read_text())
    stats = {row[0]: row[1:] for row in sections["Statistics"][1:]}
    for split, col in (("full", 0), ("nontoxic", 1)):
        want = independent_numbers([released(base, E2E_DAY, f"split={split}/part-00000.parquet")])
        for label in ("Conversations", "Turns", "Users (distinct hashed IPs)", "Languages", "Models",
                      "Toxic conversations"):
            assert int(stats[label][col]) == want[label], (split, label)
    assert stats["Users (distinct hashed IPs)"][0] == "181"  # one IP per source conversation
    assert stats["Turns"][0] == str(sum(r["turn"] for r in full.to_pylist()))
    versions = {row[0]: row[1] for row in sections["Models and databases used"][1:]}
    assert versions["Language identification model"] != "unknown"  # reported by classified
    written = "\n".join(json.dumps(pq.read_table(p).to_pylist(), default=str)
                        for p in (base / "release").rglob("*.parquet"))
    written += (base / CARD_PATH).read_text() + "\n".join(sft)
    for i in range(186):
        assert f'"{sample_ip(i)}"' not in written and f"{sample_ip(i)} " not in written
    assert RELEASE.names == full.schema.names
