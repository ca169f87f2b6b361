"""The production stack, for real, on 127.0.0.1 (issue 9; loaded as a plugin by the deploy tests).

* ``pg_cluster``: a throw-away PostgreSQL cluster from Debian's packages (initdb/pg_ctl into a
  temp dir; as root, the server runs as the ``postgres`` user, which PostgreSQL requires).
  Missing binaries skip the tests on a developer's machine and fail them in CI (``CI=true``):
  ``.ci/run`` installs the ``postgresql`` package.
* ``dagster_stack``: the three processes of deploy/docker-compose.yaml, with its commands:
  the user-code server (``dagster code-server start``), ``dagster-webserver`` and
  ``dagster-daemon``, over ``deploy/dagster.yaml`` (PostgreSQL storage, queued runs, run
  retries, ...) with only the compute-log manager swapped from S3 to a local directory, and
  ``deploy/workspace.yaml`` pointed at the local gRPC port.
* ``sensor_scenario``: a generated drop, the drop sensor turned on with the CLI, its two waves of
  runs (raw_logs, then the chain), with the daemon stopped and restarted between the waves.
  Tests assert on what it recorded and on PostgreSQL.

Everything is polled with deadlines; nothing sleeps to synchronise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
VENV_BIN = Path(sys.executable).parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

PG_USER = "dagster"
PG_PASSWORD = "test-only-password"
PG_DB = "dagster"
TEST_IP_HASH_KEY = "test-only-ip-hash-key-0123456789abcdef"
SENSOR_NAME = "raw_log_drops_sensor"
LOCATION_NAME = "wildchat_dagster"
DROP_DAY = dt.date(2023, 4, 10)
CONVERSATIONS = 12


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float, interval: float = 0.5, on_timeout=None):
    """Poll ``check()`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # a server still starting refuses connections
            last_exc = exc
        time.sleep(interval)
    detail = f" (last error: {last_exc!r})" if last_exc else ""
    extra = on_timeout() if on_timeout else ""
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}{detail}\n{extra}")


def tail(path: Path, chars: int = 4000) -> str:
    try:
        return f"--- {path.name} ---\n" + path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


# ------------------------------------------------------------------------------------------
# PostgreSQL
# ------------------------------------------------------------------------------------------
def find_pg_bindir() -> Path | None:
    """Debian installs the server under /usr/lib/postgresql/<major>/bin (not on PATH)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


@dataclass
class PgCluster:
    bindir: Path
    root: Path
    port: int
    host: str = "127.0.0.1"
    user: str = PG_USER
    password: str = PG_PASSWORD
    db: str = PG_DB
    run_as: str | None = None

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", self.run_as, "--"] if self.run_as else []) + list(args)

    def env(self) -> dict[str, str]:
        """What deploy/dagster.yaml reads to reach this cluster."""
        return {
            "DAGSTER_PG_USERNAME": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_DB": self.db,
            "DAGSTER_PG_PORT": str(self.port),
        }

    def connect(self, db: str | None = None):
        import psycopg2

        return psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                dbname=db or self.db, connect_timeout=5)

    def query(self, sql: str, params=()) -> list[tuple]:
        with contextlib.closing(self.connect()) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()


def start_pg_cluster() -> PgCluster:
    bindir = find_pg_bindir()
    if bindir is None:
        message = ("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's "
                   "`postgresql` package (.ci/run does)")
        if IN_CI:
            pytest.fail(message + " — required in CI", pytrace=False)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="wildchat-pg-"))
    run_as = None
    if os.geteuid() == 0:  # the server refuses to run as root
        run_as = "postgres"
        info = pwd.getpwnam(run_as)
        os.chown(root, info.pw_uid, info.pw_gid)
    cluster = PgCluster(bindir=bindir, root=root, port=free_port(), run_as=run_as)
    pwfile = root / "pwfile"
    pwfile.write_text(PG_PASSWORD + "\n")
    if run_as:
        os.chown(pwfile, pwd.getpwnam(run_as).pw_uid, -1)
    subprocess.run(
        cluster.cmd(str(bindir / "initdb"), "-D", str(cluster.datadir), "-U", PG_USER, f"--pwfile={pwfile}",
                    "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"),
        check=True, capture_output=True, text=True, timeout=120,
    )
    options = (f"-c listen_addresses=127.0.0.1 -p {cluster.port} -c unix_socket_directories={root} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    proc = subprocess.run(
        cluster.cmd(str(bindir / "pg_ctl"), "-D", str(cluster.datadir), "-l", str(root / "server.log"),
                    "-o", options, "-w", "-t", "60", "start"),
        capture_output=True, text=True, timeout=90,
    )
    if proc.returncode != 0:
        pytest.fail(f"pg_ctl start failed: {proc.stderr}\n{tail(root / 'server.log')}")
    with contextlib.closing(cluster.connect("postgres")) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {PG_DB}")
    return cluster


def stop_pg_cluster(cluster: PgCluster) -> None:
    subprocess.run(
        cluster.cmd(str(cluster.bindir / "pg_ctl"), "-D", str(cluster.datadir), "-m", "immediate", "-w",
                    "stop"),
        capture_output=True, text=True, timeout=60,
    )
    shutil.rmtree(cluster.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = start_pg_cluster()
    yield cluster
    stop_pg_cluster(cluster)


# ------------------------------------------------------------------------------------------
# The Dagster instance and processes
# ------------------------------------------------------------------------------------------
def instance_config_for_tests(compute_log_dir: Path) -> dict:
    """deploy/dagster.yaml as production has it, but compute logs to a local directory."""
    config = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert config["compute_logs"]["class"] == "S3ComputeLogManager"  # what is being swapped
    config["compute_logs"] = {
        "module": "dagster.core.storage.local_compute_log_manager",
        "class": "LocalComputeLogManager",
        "config": {"base_dir": str(compute_log_dir)},
    }
    return config



def grpc_workspace(port: int) -> dict:
    """deploy/workspace.yaml with the code server's address on this machine."""
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())
    (entry,) = workspace["load_from"]
    entry["grpc_server"].update(host="127.0.0.1", port=port)
    return workspace


@contextlib.contextmanager
def environ(values: dict[str, str]):
    """Set variables in this process (DagsterInstance resolves {env: ...} when it loads)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class Proc:
    """A process of the stack in its own session, so stopping it stops its children too."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logdir: Path):
        self.name, self.args, self.env = name, args, env
        self.log = logdir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            out.write(f"\n=== start {' '.join(self.args)}\n".encode())
            out.flush()
            self.popen = subprocess.Popen(self.args, cwd=REPO, env=self.env, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout: float = 30) -> int | None:
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)
        # children that outlived their parent (the code server's own server process)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        code = self.popen.returncode
        self.popen = None
        return code


@dataclass
class DagsterStack:
    root: Path
    home: Path
    storage: Path
    env: dict[str, str]
    pg: PgCluster
    grpc_port: int
    web_port: int
    workspace: Path
    procs: dict[str, Proc] = field(default_factory=dict)
    drop_ips: set[str] = field(default_factory=set)  # the sample drop's raw IPs and planted PII:
    drop_planted: list[str] = field(default_factory=list)  # canaries for the no-leak test

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def logs(self) -> str:
        return "\n".join(tail(p.log) for p in self.procs.values())

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([str(VENV_BIN / args[0]), *args[1:]], cwd=REPO, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def instance(self):
        """A DagsterInstance of this stack, from its dagster.yaml (PostgreSQL)."""
        from dagster import DagsterInstance

        with environ({k: v for k, v in self.env.items() if k.startswith("DAGSTER_PG_")}):
            return DagsterInstance.from_config(str(self.home))

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(f"{self.url}/graphql", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            payload = json.loads(resp.read())
        if payload.get("errors"):
            raise AssertionError(f"GraphQL errors: {payload['errors']}")
        return payload["data"]

    # -- processes ---------------------------------------------------------------------------
    def start_code_server(self) -> None:
        self.procs["code_server"] = Proc("code_server", [
            str(VENV_BIN / "dagster"), "code-server", "start", "-m", "wildchat_dagster.definitions",
            "-h", "127.0.0.1", "-p", str(self.grpc_port),
        ], self.env, self.root)
        self.procs["code_server"].start()

    def start_webserver(self) -> None:
        self.procs["webserver"] = Proc("webserver", [
            str(VENV_BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(self.web_port),
            "-w", str(self.workspace),
        ], self.env, self.root)
        self.procs["webserver"].start()

    def start_daemon(self) -> None:
        self.procs["daemon"] = Proc("daemon", [
            str(VENV_BIN / "dagster-daemon"), "run", "-w", str(self.workspace),
        ], self.env, self.root)
        self.procs["daemon"].start()

    def stop(self, name: str) -> int | None:
        return self.procs[name].stop()

    def stop_all(self) -> None:
        for name in ("daemon", "webserver", "code_server"):
            if name in self.procs:
                self.procs[name].stop()

    def check_alive(self, *names: str) -> None:
        for name in names:
            if not self.procs[name].running():
                pytest.fail(f"{name} exited early\n{self.logs()}")

    def code_server_serving(self) -> bool:
        """What compose's healthcheck asks (`dagster api grpc-health-check`), plus: definitions loaded."""
        from dagster._grpc.client import DagsterGrpcClient

        self.check_alive("code_server")
        client = DagsterGrpcClient(port=self.grpc_port, host="127.0.0.1")
        return client.health_check_query() == "SERVING" and bool(client.list_repositories())

    def location_loaded(self) -> bool:
        self.check_alive("code_server", "webserver")
        data = self.graphql("""{ workspaceOrError { ... on Workspace { locationEntries {
            name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }""")
        entries = {e["name"]: e for e in data["workspaceOrError"]["locationEntries"]}
        entry = entries.get(LOCATION_NAME)
        if entry is None or entry["loadStatus"] != "LOADED":
            return False
        error = entry["locationOrLoadError"]
        if error["__typename"] == "PythonError":
            pytest.fail(f"code location failed to load: {error['message']}\n{self.logs()}")
        return error["__typename"] == "RepositoryLocation"

    def daemon_healthy(self) -> bool:
        self.check_alive("daemon")
        data = self.graphql("""{ instance { daemonHealth { allDaemonStatuses {
            daemonType healthy required } } } }""")
        statuses = data["instance"]["daemonHealth"]["allDaemonStatuses"]
        wanted = {"SENSOR", "SCHEDULER", "QUEUED_RUN_COORDINATOR"}
        return wanted <= {s["daemonType"] for s in statuses if s["required"] and s["healthy"]}


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.status == 200


@pytest.fixture(scope="session")
def dagster_stack(pg_cluster, tmp_path_factory):
    root = tmp_path_factory.mktemp("deploy-stack")
    home, storage = root / "dagster_home", root / "storage"
    home.mkdir()
    storage.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance_config_for_tests(root / "compute_logs")))
    grpc_port, web_port = free_port(), free_port()
    workspace = home / "workspace.yaml"
    workspace.write_text(yaml.safe_dump(grpc_workspace(grpc_port)))

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WILDCHAT_", "DAGSTER_", "AWS_", "OPENAI_"))}
    env.update(pg_cluster.env())
    env.update({
        "DAGSTER_HOME": str(home),
        "WILDCHAT_STORAGE": str(storage),
        "WILDCHAT_ENV": "production",  # the key below is required, as in production
        "WILDCHAT_IP_HASH_KEY": TEST_IP_HASH_KEY,
        "PYTHONUNBUFFERED": "1",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    stack = DagsterStack(root=root, home=home, storage=storage, env=env, pg=pg_cluster,
                         grpc_port=grpc_port, web_port=web_port, workspace=workspace)
    try:
        # the order of docker-compose.yaml's depends_on: the code server healthy, then the rest
        stack.start_code_server()
        # The sample drop, while the code server loads: nothing reads it before the sensor is on.
        stack.drop_ips, stack.drop_planted = write_sample_drop(storage)
        wait_for("the user-code gRPC server", stack.code_server_serving, 180, interval=1,
                 on_timeout=stack.logs)
        stack.start_webserver()
        stack.start_daemon()
        wait_for("dagster-webserver to answer", lambda: _http_ok(f"{stack.url}/server_info"), 120,
                 on_timeout=stack.logs)
        wait_for("the code location to load over gRPC", stack.location_loaded, 180, interval=1,
                 on_timeout=stack.logs)
        wait_for("dagster-daemon heartbeats", stack.daemon_healthy, 120, interval=1, on_timeout=stack.logs)
        yield stack
    finally:
        stack.stop_all()


# ------------------------------------------------------------------------------------------
# The sensor scenario
# ------------------------------------------------------------------------------------------
@dataclass
class SensorScenario:
    day: str
    raw_ips: set[str]
    planted: list[str]
    first_run_id: str
    cursor_before_restart: str
    cursor_after: str
    daemon_exit_code: int | None
    ticks_before_restart: list  # InstigatorTick, newest first
    ticks_after_restart: list
    chain_run_id: str
    sensor_runs: list  # DagsterRun, all runs the sensor requested
    seconds: dict[str, float]  # since the drop was written
    step_seconds: dict[str, float]  # the chain run's steps, from its events


CANARY_EMAIL = "ines.canary.4471@gmail.com"
CANARY_PHONE = "+44 20 7946 0958"
CANARY_SECRET = "ghp_R7kQ2mX9pL4vT8wZ3nB6cF1hJ5dG0sY2aE4u"
CANARY_IP = "81.2.69.160"


def write_sample_drop(storage: Path) -> tuple[set[str], list[str]]:
    """One day of generated logs (core.generate, else hand-built calls) plus a canary call with
    an e-mail, a phone number and an API key; returns the drop's IPs and the planted values."""
    from rawlog_helpers import call, write_drop

    try:
        from wildchat_dagster.core.generate import generate_drops
    except ImportError:
        generate_drops = None
    if generate_drops is not None:
        generate_drops(storage, DROP_DAY, 1, CONVERSATIONS, seed=1)
    else:
        rows = [call(i, f"{DROP_DAY}T0{i % 10}:00:00Z", [f"question {i}"], f"answer {i}",
                     ip=f"81.2.69.{140 + i % 5}") for i in range(1, CONVERSATIONS + 1)]
        write_drop(storage, DROP_DAY.isoformat(), rows)
    canary = call(990_000_001, f"{DROP_DAY}T13:37:00Z",
                  [f"I am Ines, mail me at {CANARY_EMAIL} or call {CANARY_PHONE}; my key is {CANARY_SECRET}"],
                  "Thanks, I will not repeat personal details.", ip=CANARY_IP)
    write_drop(storage, DROP_DAY.isoformat(), [canary], name="part-canary.jsonl")
    ips: set[str] = set()
    for path in (storage / "raw_logs_drop").rglob("*.jsonl"):
        for line in path.read_bytes().splitlines():  # malformed lines (bad UTF-8 too) are part of a drop
            with contextlib.suppress(ValueError, AttributeError, TypeError):
                ip = json.loads(line).get("ip")
                if isinstance(ip, str) and ip.count(".") == 3:
                    ips.add(ip)
    planted = [CANARY_EMAIL, CANARY_PHONE, CANARY_SECRET]
    for path in (storage / "ground_truth").rglob("planted.jsonl"):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if not record["kind"].startswith("BENIGN") and len(record["value"]) >= 6:
                planted.append(record["value"])
    # the ground truth is the tests', not a drop: keep it out of the pipeline's storage
    shutil.rmtree(storage / "ground_truth", ignore_errors=True)
    return ips, planted


def sensor_state(instance):
    from dagster._core.definitions.run_request import InstigatorType

    states = [s for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
              if s.name == SENSOR_NAME]
    return states[0] if states else None


def sensor_ticks(instance) -> list:
    state = sensor_state(instance)
    if state is None:
        return []
    return list(instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=50))


def sensor_runs(instance) -> list:
    from dagster._core.storage.dagster_run import RunsFilter

    return list(instance.get_runs(filters=RunsFilter(tags={"wildchat/trigger": "drop_sensor"})))


def wait_run_done(stack: DagsterStack, instance, run_id: str, timeout: float):
    from dagster import DagsterRunStatus

    finished = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}

    def done():
        stack.check_alive("code_server")
        run = instance.get_run_by_id(run_id)
        return run if run.status in finished else None

    run = wait_for(f"run {run_id} to finish", done, timeout, interval=1, on_timeout=stack.logs)
    if run.status != DagsterRunStatus.SUCCESS:
        events = instance.all_logs(run_id)
        failures = [e.message for e in events
                    if e.is_dagster_event and "FAILURE" in e.dagster_event.event_type_value]
        pytest.fail(f"run {run_id} ({run.tags.get('wildchat/wave')}) ended {run.status}: "
                    f"{failures[-3:]}\n{stack.logs()}")
    return run


@pytest.fixture(scope="session")
def sensor_scenario(dagster_stack) -> SensorScenario:
    """Runs once per session; its record is read by tests in two files."""
    stack = dagster_stack
    t0 = time.monotonic()
    seconds: dict[str, float] = {}
    with stack.instance() as instance:
        return _run_sensor_scenario(stack, instance, t0, seconds)


def _run_sensor_scenario(stack: DagsterStack, instance, t0: float, seconds: dict) -> SensorScenario:
    # The operator's command from the runbook, against the running stack.
    started = stack.cli("dagster", "sensor", "start", SENSOR_NAME, "-w", str(stack.workspace))
    assert started.returncode == 0, started.stdout + started.stderr

    # Wave 1: the sensor sees the new day and asks for raw_logs of that day.
    first = wait_for("the drop sensor's first run", lambda: sensor_runs(instance), 120, interval=1,
                     on_timeout=stack.logs)
    seconds["sensor_to_first_run"] = time.monotonic() - t0
    assert len(first) == 1, [r.tags for r in first]
    wait_run_done(stack, instance, first[0].run_id, 300)
    seconds["first_run_done"] = time.monotonic() - t0
    ticks_before = sensor_ticks(instance)

    # Stop the daemon, as a redeploy would, and start it again.
    exit_code = stack.stop("daemon")
    cursor_before = sensor_state(instance).instigator_data.cursor
    stack.start_daemon()
    wait_for("dagster-daemon heartbeats after the restart", stack.daemon_healthy, 120, interval=1,
             on_timeout=stack.logs)
    seconds["daemon_restarted"] = time.monotonic() - t0

    # Wave 2 (the sensor's next tick, at least minimum_interval_seconds later): the chain.
    def chain_run():
        runs = [r for r in sensor_runs(instance) if r.run_id != first[0].run_id]
        return runs[0] if runs else None

    chain = wait_for("the sensor's chain run after the restart", chain_run, 150, interval=1,
                     on_timeout=stack.logs)
    seconds["chain_requested"] = time.monotonic() - t0
    wait_run_done(stack, instance, chain.run_id, 420)
    seconds["chain_done"] = time.monotonic() - t0

    step_seconds: dict[str, float] = {}
    begun: dict[str, float] = {}
    for event in instance.all_logs(chain.run_id):
        kind = event.dagster_event.event_type_value if event.is_dagster_event else None
        if kind in ("RUN_START", "PIPELINE_START", "STEP_START"):
            begun[event.step_key or "run"] = event.timestamp
        elif kind in ("RUN_SUCCESS", "PIPELINE_SUCCESS", "STEP_SUCCESS"):
            key = event.step_key or "run"
            if key in begun:
                step_seconds[key] = round(event.timestamp - begun[key], 2)
    ticks_after = [t for t in sensor_ticks(instance) if t.tick_id not in {b.tick_id for b in ticks_before}]
    # The daemon's work is done: stop it so that it does not tick on while other test files run
    # (the UI needs only the webserver and the code server).
    stack.stop("daemon")
    return SensorScenario(
        day=DROP_DAY.isoformat(), raw_ips=stack.drop_ips, planted=stack.drop_planted,
        first_run_id=first[0].run_id,
        cursor_before_restart=cursor_before, cursor_after=sensor_state(instance).instigator_data.cursor,
        daemon_exit_code=exit_code, ticks_before_restart=ticks_before, ticks_after_restart=ticks_after,
        chain_run_id=chain.run_id, sensor_runs=sensor_runs(instance), seconds=seconds,
        step_seconds=step_seconds,
    )
