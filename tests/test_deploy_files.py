"""deploy/ as files (issue 9): no Docker engine or Kubernetes here, so each file is parsed and held
to what the code, the pins and the other deploy files say. The running stack is tested in
test_deploy_postgres.py and test_ui_browser.py.
"""

import re
import shlex
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
DESIGN_ENV = ("WILDCHAT_STORAGE", "AWS_ENDPOINT_URL", "WILDCHAT_IP_HASH_KEY", "WILDCHAT_GEOIP_DB")
SECRETS = ("WILDCHAT_IP_HASH_KEY", "OPENAI_API_KEY", "WILDCHAT_ALERT_WEBHOOK")
CODE_SERVER = ["dagster", "code-server", "start", "-m", "wildchat_dagster.definitions"]
IMAGE_NAME = "wildchat-dagster"


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins_of(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#]+)", line)
        if m:
            out[norm(m.group(1))] = m.group(2)
    return out


@pytest.fixture(scope="module")
def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        deps += extra
    unpinned = [d for d in deps if "==" not in d]
    assert not unpinned, f"unpinned dependencies: {unpinned}"
    return pins_of(deps)


@pytest.fixture(scope="module")
def constraint_pins() -> dict[str, str]:
    return pins_of((REPO / "constraints.txt").read_text().splitlines())


def instance_env_refs(node) -> set[str]:
    """Every {env: NAME} in a parsed dagster.yaml."""
    if isinstance(node, dict):
        if set(node) == {"env"}:
            return {node["env"]}
        return set().union(*(instance_env_refs(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(instance_env_refs(v) for v in node)) if node else set()
    return set()


@pytest.fixture(scope="module")
def instance_yaml() -> dict:
    return yaml.safe_load((DEPLOY / "dagster.yaml").read_text())


# ------------------------------------------------------------------------------------------
# Dockerfile
# ------------------------------------------------------------------------------------------
def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def pip_installs() -> list[list[str]]:
    """Each `pip install ...` of the Dockerfile's RUN lines, as argument lists (after 'install')."""
    out = []
    for word, rest in dockerfile_instructions():
        if word != "RUN":
            continue
        lexer = shlex.shlex(rest.replace('"${TORCH_INDEX_URL}"', "URL"), posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        for token in [*lexer, ";"]:
            if token in ("&&", "||", ";", "|", "then", "do", "else"):
                if command[:2] == ["pip", "install"]:
                    out.append(command[2:])
                command = []
            else:
                command.append(token)
    return out


def test_dockerfile_pip_lines_match_the_pins(pyproject_pins, constraint_pins):
    installs = pip_installs()
    assert installs, "no pip install in the Dockerfile"
    specs = [a for args in installs for a in args if "==" in a]
    assert specs, "the Dockerfile pins nothing"
    for spec in specs:
        name, version = spec.split("==")
        expected = pyproject_pins.get(norm(name)) or constraint_pins.get(norm(name))
        assert expected is not None, f"{spec}: not a pinned dependency of the project"
        assert version == expected, f"Dockerfile {spec} but the project pins {name}=={expected}"
    # torch first, alone (its CPU build), then the project with the constraints, as `make setup`.
    torch_at = next(i for i, args in enumerate(installs) if any(a.startswith("torch==") for a in args))
    project_at = next(i for i, args in enumerate(installs) if args[-2:] == ["-e", "."])
    assert torch_at < project_at
    assert installs[torch_at][:2] == ["--index-url", "URL"]
    assert "-c" in installs[project_at] and installs[project_at][installs[project_at].index("-c") + 1] == \
        "constraints.txt"
    makefile = (REPO / "Makefile").read_text()
    assert f"torch=={pyproject_pins['torch']}" in makefile  # the same torch as `make setup`
    # the optional model wheels are installed under the same constraints
    for args in installs:
        if "${SPACY_MODEL_WHEELS}" in args:
            assert args[:2] == ["-c", "constraints.txt"]


def test_project_pins_agree_with_the_constraints(pyproject_pins, constraint_pins):
    """`pip install -c constraints.txt -e .` only resolves if every pyproject pin equals its constraint."""
    for name, version in pyproject_pins.items():
        if name == "torch":  # installed first, on its own (see constraints.txt's header)
            continue
        assert constraint_pins.get(name) == version, (name, version, constraint_pins.get(name))


def test_dockerfile_image_shape():
    ins = dockerfile_instructions()
    words = [w for w, _ in ins]
    base = next(rest for w, rest in ins if w == "FROM")
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base), base
    user = [rest for w, rest in ins if w == "USER"]
    assert user and user[-1].split(":")[0] not in ("root", "0"), "the image must not run as root"
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN"), \
        "RUN steps after USER would run unprivileged; keep USER last"
    cmd = next(rest for w, rest in reversed(ins) if w == "CMD")
    import json

    cmd = json.loads(cmd)
    assert cmd[:5] == CODE_SERVER
    port = cmd[cmd.index("-p") + 1]
    assert cmd[cmd.index("-h") + 1] == "0.0.0.0"
    assert f"EXPOSE {port}" in [f"{w} {r}" for w, r in ins]
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())
    assert workspace["load_from"][0]["grpc_server"]["port"] == int(port)
    # everything COPY'd exists, so the build context has it
    for w, rest in ins:
        if w == "COPY":
            for src in rest.split()[:-1]:
                assert (REPO / src).exists(), f"COPY {src}: not in the repository"
    # the small English spaCy pipeline the PII stage loads by default comes from the pip install
    from wildchat_dagster.core import pii

    dists = packages_distributions().get(pii.DEFAULT_MODEL, [])
    pins = pins_of(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])
    assert any(norm(d) in pins for d in dists), (pii.DEFAULT_MODEL, dists)
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert ".venv" in ignore and "deploy/secrets.env" in ignore


# ------------------------------------------------------------------------------------------
# dagster.yaml
# ------------------------------------------------------------------------------------------
def test_instance_yaml_validates_against_dagster_schema(tmp_path, instance_yaml):
    from dagster._config import validate_config
    from dagster._core.instance.config import dagster_instance_config
    from dagster._serdes.config_class import class_from_code_pointer
    from dagster._utils import convert_dagster_submodule_name

    (tmp_path / "dagster.yaml").write_text((DEPLOY / "dagster.yaml").read_text())
    config, custom_class = dagster_instance_config(str(tmp_path))  # raises on any schema error
    assert custom_class is None
    assert set(config["storage"]) == {"postgres"}
    assert config["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"
    # the configurable classes' own schemas (the instance checks them only when it loads)
    for section in ("run_coordinator", "run_launcher", "compute_logs"):
        spec = instance_yaml[section]
        # the documented public module names (dagster.core...) map to dagster._core, as the instance does
        module = convert_dagster_submodule_name(spec["module"], "private")
        cls = class_from_code_pointer(module, spec["class"])
        result = validate_config(cls.config_type(), spec.get("config", {}))
        assert result.success, (section, [e.message for e in result.errors])
    assert instance_yaml["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert instance_yaml["compute_logs"]["class"] == "S3ComputeLogManager"
    assert instance_yaml["telemetry"] == {"enabled": False}
    assert instance_yaml["run_retries"]["enabled"] is True
    coordinator = instance_yaml["run_coordinator"]["config"]
    backfill = [lim for lim in coordinator["tag_concurrency_limits"] if lim["key"] == "dagster/backfill"]
    assert backfill and backfill[0]["limit"] < coordinator["max_concurrent_runs"]


# ------------------------------------------------------------------------------------------
# docker-compose.yaml
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yaml").read_text())


def env_example(name: str) -> dict[str, str]:
    out = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def test_compose_variables_resolve_from_the_example_env():
    """Every ${VAR}, ${VAR:-default}, ${VAR:?error} resolves with env.example; $$ is a literal $."""
    text = (DEPLOY / "docker-compose.yaml").read_text().replace("$$", "")
    example = env_example("env.example")
    refs = re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?([^}]*)\}", text)
    assert refs
    for name, op, _ in refs:
        if op in (":?", "?"):
            assert example.get(name), f"${{{name}}} is required but env.example has no value for it"
        else:
            assert name in example, f"${{{name}}} is not documented in env.example"
    assert not re.search(r"\$[A-Za-z_]", text), "a bare $VAR would be interpolated by compose"
    # the infrastructure passwords are placeholders, never real values in the repository
    for key in ("DAGSTER_PG_PASSWORD", "MINIO_ROOT_PASSWORD", "WILDCHAT_S3_SECRET_KEY"):
        assert example[key].startswith("change-me")


def test_compose_services_and_commands(compose):
    services = compose["services"]
    assert {"postgres", "minio", "createbuckets", "user_code", "webserver", "daemon"} <= set(services)
    dagster = {name: services[name] for name in ("user_code", "webserver", "daemon")}
    images = {s["image"] for s in dagster.values()}
    assert len(images) == 1 and IMAGE_NAME in next(iter(images))
    assert dagster["user_code"]["build"] == {
        "context": "..", "dockerfile": "deploy/Dockerfile", "args": dagster["user_code"]["build"]["args"]}
    assert dagster["user_code"]["command"][:5] == CODE_SERVER
    assert dagster["user_code"]["command"][-2:] == ["-p", "4000"]
    home = dagster["user_code"]["environment"]["DAGSTER_HOME"]
    assert f"DAGSTER_HOME={home}" in (DEPLOY / "Dockerfile").read_text()
    workspace = f"{home}/workspace.yaml"
    assert dagster["webserver"]["command"][0] == "dagster-webserver"
    assert dagster["webserver"]["command"][-2:] == ["-w", workspace]
    assert dagster["daemon"]["command"] == ["dagster-daemon", "run", "-w", workspace]
    for name, service in dagster.items():
        mounts = {m.split(":")[1]: m.split(":")[0] for m in service["volumes"]}
        assert mounts.get(f"{home}/dagster.yaml") == "./dagster.yaml", name
        if name != "user_code":
            assert mounts.get(workspace) == "./workspace.yaml", name
            assert service["depends_on"]["user_code"]["condition"] == "service_healthy"
    grpc = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())["load_from"][0]["grpc_server"]
    assert grpc["host"] == "user_code" and grpc["port"] == 4000
    assert services["webserver"]["ports"] == ["127.0.0.1:3000:3000"]  # the UI has no login


def test_compose_environment_covers_the_instance_and_design_contract(compose, instance_yaml):
    services = compose["services"]
    needed = instance_env_refs(instance_yaml)
    assert {"DAGSTER_PG_PASSWORD", "DAGSTER_COMPUTE_LOG_BUCKET"} <= needed
    for name in ("user_code", "webserver", "daemon"):
        env = services[name]["environment"]
        missing = needed - set(env)
        assert not missing, f"{name} lacks {missing}: the instance would not load"
        assert env["DAGSTER_PG_HOST"] == "postgres"
        assert env["AWS_ENDPOINT_URL"] == "http://minio:9000"
    pg = services["postgres"]["environment"]
    env = services["user_code"]["environment"]
    assert pg["POSTGRES_USER"] == env["DAGSTER_PG_USERNAME"] and pg["POSTGRES_DB"] == env["DAGSTER_PG_DB"]
    assert pg["POSTGRES_PASSWORD"] == env["DAGSTER_PG_PASSWORD"]
    # DESIGN §15 on the code location (where runs execute)
    assert env["WILDCHAT_STORAGE"].startswith("s3://")
    assert env["WILDCHAT_ENV"] == "production"
    mounted = [v.split(":")[1] for v in services["user_code"]["volumes"]]
    assert env["WILDCHAT_GEOIP_DB"] in mounted, "WILDCHAT_GEOIP_DB is not a mounted volume"
    for key in DESIGN_ENV:
        assert key in env or key in SECRETS, key
    # buckets the pipeline writes to are created by the init job
    bucket = env["WILDCHAT_STORAGE"].removeprefix("s3://").split("/")[0]
    init = " ".join(services["createbuckets"]["entrypoint"])
    for wanted in (bucket, env["DAGSTER_COMPUTE_LOG_BUCKET"]):
        assert f"local/{wanted}" in init, wanted


def test_compose_health_checks_and_resource_limits(compose):
    """Every long-running service reports its health and has CPU and memory limits (issue 17)."""
    services = compose["services"]
    assert services["daemon"]["healthcheck"]["test"] == ["CMD", "dagster-daemon", "liveness-check"]
    probe = " ".join(services["webserver"]["healthcheck"]["test"])
    assert "http://127.0.0.1:3000/server_info" in probe
    for name in ("postgres", "minio", "user_code", "webserver", "daemon"):
        service = services[name]
        assert service["healthcheck"]["test"], name
        limits = service["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0 and limits["memory"][-1] in "mg", name
    # runs are subprocesses of user_code: its limits hold a run, as the Helm run pods' do
    assert services["user_code"]["deploy"]["resources"]["limits"] == {"cpus": "4", "memory": "12g"}


def test_compose_secrets_come_from_the_env_file_only(compose):
    services = compose["services"]
    env_file = services["user_code"]["env_file"]
    assert [e["path"] for e in env_file] == ["./secrets.env"] and env_file[0]["required"] is True
    example = env_example("secrets.env.example")
    for secret in SECRETS:
        assert secret in example and example[secret] == "", secret  # documented, never filled in
        for name, service in services.items():
            assert secret not in (service.get("environment") or {}), f"{secret} inline in {name}"
    # only the code location (and its runs) get the pipeline's secrets
    for name, service in services.items():
        if name != "user_code":
            assert "secrets.env" not in str(service.get("env_file", "")), name
    ignored = (DEPLOY / ".gitignore").read_text().split()
    assert "secrets.env" in ignored and ".env" in ignored


# ------------------------------------------------------------------------------------------
# Helm values
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def helm() -> dict:
    return yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())


def test_helm_user_deployment_image_env_and_secrets(helm):
    (deployment,) = helm["dagster-user-deployments"]["deployments"]
    assert helm["dagster-user-deployments"]["enabled"] is True
    assert deployment["image"]["repository"].endswith("/" + IMAGE_NAME)
    assert deployment["codeServerArgs"] == CODE_SERVER[3:]
    assert deployment["port"] == 4000
    # Runs take their config from the run launcher, not the code server's (its resources are
    # the server's); the environment is one ConfigMap both read (tests/test_helm_chart.py).
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is False
    (env_map,) = [m for m in helm["extraManifests"] if m["kind"] == "ConfigMap"]
    env = env_map["data"]
    assert env["WILDCHAT_STORAGE"].startswith("s3://")
    assert env["WILDCHAT_ENV"] == "production"
    mounts = {m["mountPath"]: m["name"] for m in deployment["volumeMounts"]}
    assert env["WILDCHAT_GEOIP_DB"] in mounts
    for secret in SECRETS:
        assert secret not in env, f"{secret} must come from a Kubernetes Secret, not a value"
    secret_names = [s["name"] for s in deployment["envSecrets"]]
    launcher = helm["runLauncher"]
    assert launcher["type"] == "K8sRunLauncher"
    run_config = launcher["config"]["k8sRunLauncher"]
    assert [s["name"] for s in run_config["envSecrets"]] == secret_names
    name = env_map["metadata"]["name"]
    assert [m["name"] for m in deployment["envConfigMaps"]] == [name]
    assert [m["name"] for m in run_config["envConfigMaps"]] == [name]
    run_mounts = {m["mountPath"]: m["name"] for m in run_config["volumeMounts"]}
    assert run_mounts[env["WILDCHAT_GEOIP_DB"]] == mounts[env["WILDCHAT_GEOIP_DB"]]
    # the secret's keys are the variables the code reads (the creation command in the header)
    lines = (DEPLOY / "helm" / "values.yaml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if f"create secret generic {secret_names[0]} " in line)
    command = lines[start]
    while command.endswith("\\"):
        start += 1
        command = command[:-1] + lines[start].lstrip("# ")
    for secret in SECRETS:
        assert f"--from-literal={secret}=" in command, secret
    assert deployment["podSecurityContext"]["runAsNonRoot"] is True
    assert f"--uid {deployment['podSecurityContext']['runAsUser']}" in (DEPLOY / "Dockerfile").read_text()


def quantity(value) -> float:
    text = str(value)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "m": 1e-3}
    for unit, factor in units.items():
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def test_helm_run_resources(helm):
    run_config = helm["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]
    resources = run_config["containerConfig"]["resources"]
    for kind in ("cpu", "memory"):
        assert quantity(resources["requests"][kind]) <= quantity(resources["limits"][kind]), kind
    assert quantity(resources["requests"]["memory"]) >= 2**30


def test_helm_instance_settings_mirror_dagster_yaml(helm, instance_yaml):
    daemon = helm["dagsterDaemon"]
    queued = daemon["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert daemon["runCoordinator"]["enabled"] and daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
    coordinator = instance_yaml["run_coordinator"]["config"]
    assert queued["maxConcurrentRuns"] == coordinator["max_concurrent_runs"]
    assert queued["tagConcurrencyLimits"] == coordinator["tag_concurrency_limits"]
    retries = instance_yaml["run_retries"]
    assert daemon["runRetries"]["enabled"] == retries["enabled"]
    assert daemon["runRetries"]["maxRetries"] == retries["max_retries"]
    assert daemon["runRetries"]["retryOnAssetOrOpFailure"] == retries["retry_on_asset_or_op_failure"]
    assert helm["computeLogManager"]["type"] == instance_yaml["compute_logs"]["class"]
    assert helm["telemetry"]["enabled"] is False
    assert helm["additionalInstanceConfig"]["nux"] == instance_yaml["nux"]
    pg = helm["postgresql"]
    assert pg["postgresqlScheme"] == instance_yaml["storage"]["postgres"]["postgres_db"]["scheme"]
    assert helm["global"]["postgresqlSecretName"]
    # the queued run coordinator config the chart renders from these values validates
    from dagster._config import validate_config
    from dagster._core.run_coordinator import QueuedRunCoordinator

    rendered = {"max_concurrent_runs": queued["maxConcurrentRuns"],
                "tag_concurrency_limits": queued["tagConcurrencyLimits"],
                "dequeue_interval_seconds": queued["dequeueIntervalSeconds"]}
    assert validate_config(QueuedRunCoordinator.config_type(), rendered).success


# ------------------------------------------------------------------------------------------
# The runbook names real things
# ------------------------------------------------------------------------------------------
def test_runbook_names_real_sensors_schedules_jobs_and_files():
    from wildchat_dagster.definitions import defs

    text = (REPO / "docs" / "runbook.md").read_text()
    sensors = set(re.findall(r"dagster sensor \w+ (\w+)", text))
    schedules = set(re.findall(r"dagster schedule \w+ (\w+)", text))
    jobs = set(re.findall(r"(?:-j|--job) (\w+)", text))
    assert sensors and schedules and jobs
    repo = defs.get_repository_def()
    for name in sensors:
        assert repo.has_sensor_def(name), name
    for name in schedules:
        assert repo.has_schedule_def(name), name
    for name in jobs:
        assert repo.has_job(name), name
    operator_copies = (DEPLOY / ".gitignore").read_text().split()  # made from the *.example files
    for path in set(re.findall(r"\b(deploy/[\w./-]+\w)", text)):
        name = path.removeprefix("deploy/")
        if name in operator_copies:
            assert (DEPLOY / f"{name.lstrip('.')}.example").exists(), path
        else:
            assert (REPO / path).exists(), path
    for word in ("make ui", "WILDCHAT_TAKEDOWNS", "geoipupdate", "backfill", "asset check"):
        assert word in text, word
