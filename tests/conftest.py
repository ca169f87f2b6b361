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


# --- end moto S3 server (issue 6) ---
