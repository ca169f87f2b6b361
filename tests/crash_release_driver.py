"""The release's output published as the IO manager does (``ParquetIOManager`` hands a dict output
to ``core.publish.publish_output``), in its own process, killed (SIGKILL) right after its N-th
file write, as ``kill -9`` or the OOM killer would (no ``finally`` runs). No Dagster import, so
that a run starts in a second.

    python crash_release_driver.py <storage base> <day> <old|new> <kill after N writes; 0: never>

With ``CRASH_MODE=during`` (local storage) it dies inside the N-th write instead, after the temp
file is written and before it is renamed into place.

State ``old``: three conversations, no takedown. ``new``: the same day after a takedown of two of
them, so a reader that mixed the two would see a manifest saying two were taken down beside a
nontoxic split that still holds them. Prints the number of file writes of a complete run.
"""

import os
import signal
import sys

import orjson
import pyarrow as pa

from wildchat_dagster.core.publish import publish_output
from wildchat_dagster.core.storage import Storage

HASHES = ["a" * 32, "b" * 32, "c" * 32]
TAKEN_DOWN = HASHES[:2]


def day_output(state: str) -> dict:
    """What the ``release`` asset returns: splits and manifest, one dict (assets/release.py)."""
    kept = HASHES if state == "old" else [h for h in HASHES if h not in TAKEN_DOWN]
    split = pa.table({"conversation_hash": kept, "turn": [1] * len(kept)})
    manifest = {"state": state, "stats": {"full_conversations": len(kept),
                                          "takedown_conversations": len(HASHES) - len(kept)}}
    return {"split=full": split, "split=nontoxic": split, "manifest.json": orjson.dumps(manifest)}


def main() -> None:
    base, day, state, kill_after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    writes = [0]
    write_bytes = Storage.write_bytes

    def write_then_maybe_die(self, rel, data):
        write_bytes(self, rel, data)
        writes[0] += 1
        if writes[0] == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    replace = os.replace

    def die_before_rename(src, dst):  # the temp file is written, not yet renamed into place
        writes[0] += 1
        if writes[0] == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        replace(src, dst)

    if os.environ.get("CRASH_MODE") == "during":  # local storage: killed inside a write
        os.replace = die_before_rename
    else:
        Storage.write_bytes = write_then_maybe_die
    publish_output(Storage(base), f"release/dt={day}", day_output(state))
    print(writes[0])


if __name__ == "__main__":
    main()
