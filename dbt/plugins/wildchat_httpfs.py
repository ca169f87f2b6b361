"""dbt-duckdb plugin: read the release from S3 without downloading anything at run time.

DuckDB reads ``s3://`` through its httpfs extension, which it normally downloads on first use.
The pinned ``duckdb-extension-httpfs`` wheel ships the extension binary for our DuckDB version at
``duckdb_extension_httpfs/extensions/v<duckdb version>/httpfs.duckdb_extension`` (its
``__init__.py`` is empty: the wheel is just the file), so this plugin ``LOAD``s that file by path
and switches extension auto-install off. S3 settings come from the standard AWS environment, as
boto3 and pyarrow read them (DESIGN §15): ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL``,
``AWS_REGION`` / ``AWS_DEFAULT_REGION`` and credentials resolved by boto3's chain (environment
keys, shared profile, web identity, instance role), turned into a temporary DuckDB S3 secret.
Nothing here is ever logged.

Also: creates the warehouse file's directory (DuckDB does not), for local paths.
"""

import importlib.util
import os
from pathlib import Path
from urllib.parse import urlparse

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin


def httpfs_extension_path() -> Path:
    """The httpfs binary inside the duckdb-extension-httpfs wheel for the running DuckDB."""
    spec = importlib.util.find_spec("duckdb_extension_httpfs")
    if spec is None or not spec.origin:
        raise RuntimeError(
            "S3 storage needs the duckdb-extension-httpfs package (pinned to the duckdb version)"
        )
    path = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(f"duckdb-extension-httpfs has no binary for DuckDB v{duckdb.__version__}: {path}")
    return path


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _credentials(env) -> tuple[str | None, str | None, str | None]:
    key, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        return key, secret, env.get("AWS_SESSION_TOKEN")
    try:  # profiles, web identity (IRSA), instance roles
        import boto3

        creds = boto3.Session().get_credentials()
    except Exception:
        creds = None
    if creds is None:
        return None, None, None
    frozen = creds.get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token


def s3_secret_sql(env=os.environ) -> str:
    """CREATE SECRET for DuckDB's S3 reader from the AWS environment."""
    params = ["TYPE s3"]
    key, secret, token = _credentials(env)
    if key and secret:
        params += [f"KEY_ID {_quote(key)}", f"SECRET {_quote(secret)}"]
        if token:
            params.append(f"SESSION_TOKEN {_quote(token)}")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if region:
        params.append(f"REGION {_quote(region)}")
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        parsed = urlparse(endpoint if "://" in endpoint else f"https://{endpoint}")
        params += [
            f"ENDPOINT {_quote(parsed.netloc)}",
            f"USE_SSL {'true' if parsed.scheme == 'https' else 'false'}",
            # S3-compatible servers (MinIO, moto, Ceph) address buckets by path.
            f"URL_STYLE {_quote(env.get('WILDCHAT_S3_URL_STYLE', 'path'))}",
        ]
    return f"CREATE OR REPLACE SECRET wildchat_s3 ({', '.join(params)})"


def configure_s3(conn, env=os.environ) -> None:
    """Load httpfs from the wheel and configure S3 on a DuckDB connection (also usable outside dbt)."""
    conn.execute("SET autoinstall_known_extensions = false")
    conn.execute(f"LOAD {_quote(str(httpfs_extension_path()))}")
    conn.execute(s3_secret_sql(env))


class Plugin(BasePlugin):
    def initialize(self, plugin_config):
        self.storage = str(plugin_config.get("storage") or "")

    def update_connection_config(self, creds, config):
        path = creds.path
        if path and path != ":memory:" and "://" not in path and not path.startswith("md:"):
            Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)

    def configure_connection(self, conn):
        if self.storage.startswith("s3://"):
            configure_s3(conn)
