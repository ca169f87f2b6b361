"""The Parquet IO manager: ``<base>/<asset>/dt=YYYY-MM-DD/part-00000.parquet``.

A table output replaces the partition atomically; a dict output (the release:
``{"split=full": table, "split=nontoxic": table, "manifest.json": bytes}``) is published as one
new version of the partition, a table as ``<key>/part-00000.parquet`` and bytes as the file
``<key>``, switched to all at once by the partition's pointer (core/publish.py). Inputs spanning several
partitions (the conversation window) are concatenated; a missing partition reads as an
empty table of the asset's schema, never as an error.

An input may read only some columns: ``AssetIn(metadata={"columns": [...]})``, or per
window position relative to the partition being materialized,
``{"columns": {"before": [...], "same": [...], "after": [...]}}`` (the conversations window,
core/linking.WINDOW_COLUMNS). A column a window day does not read comes back as nulls.
"""

from __future__ import annotations

import pyarrow as pa
from dagster import ConfigurableIOManager, InputContext, OutputContext

from .core.memory import return_freed_memory
from .core.publish import POINTER_NAME, publish_output
from .core.schema import ASSET_SCHEMAS
from .core.storage import Storage
from .policies import storage_failures


class ParquetIOManager(ConfigurableIOManager):
    base: str

    def _storage(self) -> Storage:
        return Storage(self.base)

    @staticmethod
    def _asset_name(context) -> str:
        return context.asset_key.path[-1]

    def handle_output(self, context: OutputContext, obj) -> None:
        if obj is None:
            return
        with storage_failures():  # a missing bucket or denied access fails at once, unretried
            self._write(context, obj)
        return_freed_memory()  # the step is done: its garbage should not raise the run's peak

    def _write(self, context: OutputContext, obj) -> None:
        storage = self._storage()
        name = self._asset_name(context)
        part_dir = storage.partition_dir(name, context.partition_key) if context.has_partition_key else name
        if not isinstance(obj, dict):
            uri = storage.write_table(part_dir, obj)
            context.add_output_metadata({"uri": storage.uri(part_dir), "written_rows": obj.num_rows,
                                         "last_file": uri})
            return
        # Several files for one partition: a new version, visible all at once (core/publish.py).
        keep = (context.output_metadata or {}).get("keep_versions")  # 1 after a takedown (release)
        published, rows = publish_output(storage, part_dir, obj, keep=getattr(keep, "value", keep))
        context.add_output_metadata({"uri": storage.uri(part_dir), "written_rows": rows,
                                     "version": published.version,
                                     "pointer": storage.uri(f"{part_dir}/{POINTER_NAME}")})

    def load_input(self, context: InputContext) -> pa.Table:
        with storage_failures():
            return self._read(context)

    def _read(self, context: InputContext) -> pa.Table:
        storage = self._storage()
        name = self._asset_name(context)
        schema = ASSET_SCHEMAS.get(name)
        keys = context.asset_partition_keys if context.has_asset_partitions else [None]
        wanted = (context.definition_metadata or {}).get("columns")
        own_key = context.partition_key if context.has_partition_key else None
        table = storage.read_partitions(name, keys, schema, [_columns_for(wanted, k, own_key) for k in keys])
        if table is None and schema is not None:
            return schema.empty_table()
        if table is None:
            raise ValueError(f"no data for {name} at {storage.uri(name)} and no known schema")
        return table


def _columns_for(wanted, key: str | None, own_key: str | None) -> list[str] | None:
    """The columns to read of upstream partition ``key`` (None: all)."""
    if wanted is None or isinstance(wanted, list | tuple):
        return None if wanted is None else list(wanted)
    if key is None or own_key is None:
        raise ValueError("per-position input columns need a partitioned input and asset")
    position = "before" if key < own_key else "after" if key > own_key else "same"
    return list(wanted[position]) if wanted.get(position) is not None else None
