"""analytics: the dbt project in ``dbt/`` as Dagster assets (DESIGN §11).

Every dbt model is an asset in the group ``analytics``, downstream of ``release`` (the dbt source
carries ``meta.dagster.asset_key: [release]``); every dbt test is an asset check. The models are
unpartitioned: each run rebuilds them over all released days with one ``dbt build``.

Loading needs no database and no dbt run: the manifest is ``dbt parse``'s, made on first load or
whenever the project's files are newer than it.
"""

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, DagsterInstance, Failure, materialize
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ..core.analytics import (
    ANALYTICS_MODELS,
    DBT_PROJECT_DIR,
    dbt_executable,
    dbt_vars,
    ensure_manifest,
    format_overall_stats,
    read_model,
    warehouse_path,
)
from ..resources import StorageResource

ANALYTICS_GROUP = "analytics"
MARTS_DIR = "analytics"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Instead of dbt_project.prepare_if_dev(): that re-parses only under `dagster dev` and looks `dbt` up on
# PATH, which lacks the venv's bin when the venv is not activated (`make ui`). ensure_manifest parses
# with the venv's dbt whenever the manifest is missing or older than any file of the project, in dev
# and everywhere else (a fresh clone included).
ensure_manifest(Path(dbt_project.project_dir))


class AnalyticsTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return ANALYTICS_GROUP


def dbt_resource() -> DbtCliResource:
    # The venv's dbt, also when the venv is not activated (dagster-dbt looks on PATH).
    return DbtCliResource(
        project_dir=dbt_project, profiles_dir=os.fspath(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=AnalyticsTranslator(),
    name="analytics_dbt_assets",
)
def analytics_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, storage: StorageResource):
    dbt_args = dbt_vars(storage.base)  # the current files of each released day (its pointer)
    released = dbt_args["release_files"]
    if not released:
        raise Failure(f"no release yet: no day published under {dbt_args['storage']}/release/; "
                      "materialize `release` for at least one day first")
    if not storage.get().list_files("prompt_clusters", (".parquet",)):
        raise Failure(f"no prompt_clusters yet under {dbt_args['storage']}/prompt_clusters/: materialize "
                      "`prompt_signatures` for the released days and then `prompt_clusters` first "
                      "(the jailbreak_families and prompt_categories models read it)")
    context.log.info(f"{len(released)} released day file(s) in the full split")
    context.log.info(f"dbt build over {dbt_args['storage']}/release (full split) → {dbt_args['warehouse']}")
    # A private target directory per run: artifacts do not pile up under dbt/target.
    with tempfile.TemporaryDirectory(prefix="dbt-run-") as target:
        invocation = dbt.cli(
            ["build", "--vars", json.dumps(dbt_args)], context=context, target_path=Path(target)
        )
        yield from invocation.stream()
    # The marts as Parquet beside the release (<storage>/analytics/<model>/part-00000.parquet):
    # what readers use in production, where the DuckDB file is the run pod's scratch space.
    store = storage.get()
    for model in ANALYTICS_MODELS:
        store.write_table(f"{MARTS_DIR}/{model}", read_model(dbt_args["warehouse"], model))
    context.log.info(f"marts published as Parquet under {store.uri(MARTS_DIR)}")


def materialize_analytics(resources: Mapping[str, Any], instance: DagsterInstance | None = None):
    """Materialize every analytics asset (one dbt build, tests included) outside a job."""
    return materialize(
        [analytics_dbt_assets], resources=dict(resources), instance=instance, raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},  # events stay in the UI
    )


def run_demo_analytics(storage_base: str, resources: Mapping[str, Any], instance: DagsterInstance) -> bool:
    """`make demo`'s last step: build the analytics over the demo release and print overall_stats."""
    resources = dict(resources)
    resources.setdefault("dbt", dbt_resource())
    result = materialize_analytics(resources, instance)
    checks = result.get_asset_check_evaluations()
    failed = [e.check_name for e in checks if not e.passed]
    print(f"\nanalytics (dbt): {'built' if result.success else 'FAILED'}; "
          f"{len(checks) - len(failed)}/{len(checks)} dbt tests passed as asset checks"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    if not result.success:
        return False
    warehouse = warehouse_path(storage_base)
    row = read_model(warehouse, "overall_stats").to_pylist()[0]
    print(f"overall statistics (dbt model overall_stats, DuckDB {warehouse}):")
    print(format_overall_stats(row))
    return True

