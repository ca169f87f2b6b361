"""Shared pytest fixtures. Each section is owned by one issue; keep sections self-contained."""

# --- moto S3 server (issue 6) ---
import logging as _logging
import os as _os
import uuid as _uuid

import pytest


class MotoS3:
    """A real S3 HTTP endpoint on 127.0.0.1 (moto's ThreadedMotoServer) for real clients.

    ``env()`` gives the standard variables boto3 and pyarrow read; ``stop()`` / ``start()``
    simulate an outage on the same port (moto keeps its state in-process, so objects
    survive a restart, as they would on a real store).
    """

    def __init__(self, port: int = 0):
        from moto.server import ThreadedMotoServer

        self._cls = ThreadedMotoServer
        self.port = port
        self.server = None
        self.start()

    def start(self) -> None:
        _logging.getLogger("werkzeug").setLevel(_logging.ERROR)
        self.server = self._cls(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        self.port = self.server.get_host_and_port()[1]

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def client(self):
        import boto3

        env = self.env()
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_REGION"],
        )

    def new_bucket(self, prefix: str = "wildchat") -> str:
        """A fresh bucket (moto's state is shared by every server in the process)."""
        name = f"{prefix}-{_uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="session")
def moto_server():
    """One moto S3 server for the session; tests use their own buckets (``new_bucket``)."""
    server = MotoS3()
    yield server
    server.stop()


@pytest.fixture
def s3_env(moto_server, monkeypatch):
    """The AWS variables pointing boto3 and pyarrow at ``moto_server``, for one test."""
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in moto_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", _os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", _os.devnull)
    return moto_server


@pytest.fixture
def own_moto_server(monkeypatch):
    """A moto server of one's own (to stop and restart), with the AWS variables set for it."""
    server = MotoS3()
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", _os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", _os.devnull)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # an outage fails in about a second
    yield server
    server.stop()


class Pipeline:
    """Run the real ``daily_chain`` job on a storage base (a directory or s3://...) and read
    back what it wrote, through the project's own Storage."""

    RAW = ("raw_logs", "raw_logs_quarantine")

    @staticmethod
    def sample_drops(out_dir, start, days: int, per_day: int = 12, seed: int = 0):
        """The demo's generator: ``<out>/raw_logs_drop/dt=D/part-00000.jsonl`` (+ ground truth)."""
        from wildchat_dagster.core.generate import generate_drops

        return generate_drops(str(out_dir), start, days, per_day, seed=seed)

    @staticmethod
    def upload_drops(client, local_dir, bucket: str, prefix: str) -> list[str]:
        """Upload ``<local_dir>/raw_logs_drop/**`` with boto3, as a log producer would."""
        from pathlib import Path

        keys = []
        root = Path(local_dir)
        for path in sorted((root / "raw_logs_drop").rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                key = f"{prefix}/{path.relative_to(root).as_posix()}"
                client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
                keys.append(key)
        return keys

    @staticmethod
    def job(base, checks: bool = False):
        """``daily_chain`` on ``base``; without its asset checks unless asked (the GX suites
        cost seconds per step and have their own tests; they do not change the data)."""
        from dagster import AssetSelection, Definitions, define_asset_job

        from wildchat_dagster.definitions import build_definitions
        from wildchat_dagster.partitions import daily_partitions

        defs = build_definitions(str(base))
        if checks:
            return defs.resolve_job_def("daily_chain")
        data_only = define_asset_job(
            "daily_chain_data_only", selection=AssetSelection.groups("pipeline").without_checks(),
            partitions_def=daily_partitions,
        )
        return Definitions(
            assets=defs.assets, asset_checks=defs.asset_checks, jobs=[data_only], resources=defs.resources,
        ).resolve_job_def("daily_chain_data_only")

    @classmethod
    def downstream_keys(cls, job) -> list:
        keys = job.asset_layer.asset_graph.get_all_asset_keys()
        return sorted((k for k in keys if k.path[-1] not in cls.RAW), key=lambda k: k.to_user_string())

    @classmethod
    def run(cls, base, day: str, selection=None, instance=None, raise_on_error: bool = True, job=None):
        """One run of daily_chain for ``day``; selection: list of AssetKeys, "raw", "downstream"
        or None (the whole chain). Step retries off: a failure shows at once."""
        from dagster import AssetKey, DagsterInstance

        from wildchat_dagster.policies import NO_RETRIES_RUN_CONFIG

        job = job or cls.job(base)
        if selection == "raw":
            selection = [AssetKey(k) for k in cls.RAW]
        elif selection == "downstream":
            selection = cls.downstream_keys(job)
        if selection is not None:  # a subset keeps the job's checks (none, unless checks=True)
            checks = {k for k in job.asset_layer.asset_graph.asset_check_keys if k.asset_key in selection}
            job = job.get_subset(asset_selection=set(selection), asset_check_selection=checks)
        return job.execute_in_process(
            partition_key=day, run_config=NO_RETRIES_RUN_CONFIG,
            instance=instance or DagsterInstance.ephemeral(), raise_on_error=raise_on_error,
        )

    @classmethod
    def run_days(cls, base, days: list[str], instance=None) -> None:
        """Day by day as the demo does: raw_logs of every day, then the rest per day
        (conversations[D] reads raw_logs[D-1..D+1])."""
        job = cls.job(base)
        for day in days:
            assert cls.run(base, day, "raw", instance, job=job).success
        for day in days:
            assert cls.run(base, day, "downstream", instance, job=job).success

    @staticmethod
    def tables(base, under: str = "") -> dict:
        """Every Parquet file under ``base`` (except the drops) as {relative path: table}. A
        versioned partition (the release, core/publish.py) shows its current version only, under
        its logical path (``release/dt=D/split=full/part-00000.parquet``), as readers see it."""
        import io

        import pyarrow.parquet as pq

        from wildchat_dagster.core.publish import current
        from wildchat_dagster.core.storage import Storage

        store = Storage(str(base))
        logical, pointers = {}, {}
        for f in store.list_files(under, (".parquet",)):
            parts = f.path.split("/")
            at = next((i for i, p in enumerate(parts) if p.startswith("dt=")), None)
            part_dir = "/".join(parts[: at + 1]) if at is not None else None
            if part_dir is not None and part_dir not in pointers:
                pointers[part_dir] = current(store, part_dir)
            published = pointers.get(part_dir)
            if published is not None and published.version:
                names = {path: name for name, path in published.files.items()}
                if f.path not in names:
                    continue  # an older version
                logical[f"{part_dir}/{names[f.path]}"] = f.path
            else:
                logical[f.path] = f.path
        return {key: pq.read_table(io.BytesIO(store.read_bytes(path))) for key, path in logical.items()}

    @staticmethod
    def release_file(base, day: str, name: str) -> str:
        """The path (relative to ``base``) of the current release file ``name`` of ``day``, e.g.
        ``"split=full/part-00000.parquet"`` or ``"manifest.json"`` (core/publish.py)."""
        from wildchat_dagster.core.publish import current
        from wildchat_dagster.core.storage import Storage

        published = current(Storage(str(base)), f"release/dt={day}")
        assert published is not None and name in published.files, (day, name, published)
        return published.files[name]


@pytest.fixture(scope="session")
def pipeline():
    return Pipeline


# --- end moto S3 server (issue 6) ---
