"""The README's examples work as written.

Every fenced shell block the README marks with `<!-- run: local -->` (in its source, just before the fence) runs, in
the README's order, against `make serve`: `python -m infra.local serve` started here on free ports, as a process of
its own. Each block runs with `bash -euo pipefail` in a scratch copy of the repository's top level (links to it, so
that files an example writes stay out of the working tree), with `PONTE_API`, `AWS_ENDPOINT_URL` and fake
credentials set, and must exit 0. The blocks marked `<!-- run: local, prelude -->` (the README's shell helpers) run
before each example; then `out` (a stack output) and `res` (a resource by logical id) are redefined to answer from
the names the server printed and the template's `Outputs`, since `make serve` has no CloudFormation stack, and `aws`
is pointed at the emulator (the AWS CLI v1's `sqs` commands ignore `AWS_ENDPOINT_URL`). A block that needs a tool
this machine lacks (the AWS CLI, jq, openssl, curl) is skipped, saying which.

Every other shell block of the README must at least parse (`bash -n`), and every link to one of its headings must
lead to one.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
REGION = "us-east-1"
PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "ponte-local",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
STARTUP_SECONDS = 90
EXAMPLE_SECONDS = 90
TOOLS = ("aws", "jq", "openssl", "curl", "python3")

_MARK = re.compile(r"<!--\s*run:\s*local(?P<prelude>\s*,\s*prelude)?\s*-->")
_FENCE = re.compile(r"^(?P<fence>`{3,})(?P<lang>[\w-]*)\s*$")
_SHELL = {"sh", "bash", "shell"}
_RESOURCE_LINE = re.compile(r"^  (?P<logical_id>[A-Za-z0-9]+)\s+(?P<ref>\S+)$")
_HEADING = re.compile(r"^(#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_ANCHOR_LINK = re.compile(r"\]\(#(?P<anchor>[^)\s]+)\)")


@dataclass(frozen=True)
class Block:
    line: int  # where the block's code starts in README.md
    code: str
    lang: str
    marked: bool = False
    prelude: bool = False

    @property
    def id(self) -> str:
        return f"README.md:{self.line}"


def readme_blocks(text: str) -> list[Block]:
    """Every fenced block, with the `<!-- run: local -->` mark of the line before it (blank lines aside)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        mark = _mark_before(lines, index)
        end = index + 1
        while end < len(lines) and lines[end].rstrip() != opening["fence"]:
            end += 1
        lang = opening["lang"].lower()
        if mark is not None and lang not in _SHELL:
            raise AssertionError(f"README.md:{index + 1}: a `run: local` mark before a {lang or 'plain'} block")
        blocks.append(
            Block(
                line=index + 2,
                code="\n".join(lines[index + 1 : end]) + "\n",
                lang=lang,
                marked=mark is not None,
                prelude=bool(mark and mark["prelude"]),
            )
        )
        index = end + 1
    return blocks


def _mark_before(lines: list[str], fence: int) -> re.Match[str] | None:
    previous = fence - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    return _MARK.fullmatch(lines[previous].strip()) if previous >= 0 else None


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))
EXAMPLES = [block for block in BLOCKS if block.marked and not block.prelude]
PRELUDES = [block for block in BLOCKS if block.prelude]
SHELL_BLOCKS = [block for block in BLOCKS if block.lang in _SHELL]


def test_the_readme_marks_examples_to_run() -> None:
    assert PRELUDES, "the README's shell helpers (out, res) carry no `<!-- run: local, prelude -->` mark"
    assert len(EXAMPLES) >= 10, f"only {len(EXAMPLES)} README examples are marked to run against the local stack"


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=lambda block: block.id)
def test_every_shell_block_parses(block: Block) -> None:
    checked = subprocess.run(["bash", "-n"], input=block.code, text=True, capture_output=True, check=False)
    assert checked.returncode == 0, f"{block.id} is not valid shell:\n{checked.stderr}"


def test_every_link_to_a_heading_leads_to_one() -> None:
    text = README.read_text(encoding="utf-8")
    anchors = _anchors(text)
    prose = re.sub(r"^(`{3,}).*?^\1\s*$", "", text, flags=re.MULTILINE | re.DOTALL)
    broken = sorted({link["anchor"] for link in _ANCHOR_LINK.finditer(prose)} - anchors)
    assert not broken, f"links to no heading: {broken}"


def _anchors(text: str) -> set[str]:
    """The ids GitHub gives the README's headings: lower case, punctuation dropped, spaces as hyphens, repeats
    numbered."""
    seen: dict[str, int] = {}
    anchors: set[str] = set()
    fence: str | None = None
    for line in text.split("\n"):
        opening = _FENCE.match(line)
        if opening and fence is None:
            fence = opening["fence"]
            continue
        if fence is not None:
            if line.rstrip() == fence:
                fence = None
            continue
        heading = _HEADING.match(line)
        if not heading:
            continue
        slug = "".join(
            char for char in heading["text"].lower() if char in " -_" or unicodedata.category(char)[0] in {"L", "N"}
        ).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


# --- the examples, against `make serve` -----------------------------------------------------------------------


@dataclass
class Served:
    api: str
    endpoint: str
    resources: dict[str, str]
    outputs: dict[str, str]
    workdir: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    port, aws_port = _free_port(), _free_port()
    env = _clean_environment() | {
        "PYTHONPATH": f"{ROOT / 'layers' / 'ponte'}{os.pathsep}{ROOT}",
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "infra.local", "serve", "--port", str(port), "--aws-port", str(aws_port)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_stop_with_parent,  # noqa: PLW1509 - only sets the parent-death signal, before exec
    )
    printed: list[str] = []
    reader = threading.Thread(target=_collect, args=(server, printed), daemon=True)
    reader.start()
    try:
        api = f"http://127.0.0.1:{port}"
        _wait_until_answering(server, api, printed)
        resources = _printed_resources(printed)
        yield Served(
            api=api,
            endpoint=f"http://127.0.0.1:{aws_port}",
            resources=resources,
            outputs=_local_outputs(resources, api),
            workdir=_scratch_copy(tmp_path_factory.mktemp("readme")),
        )
    finally:
        _stop(server)
        reader.join(timeout=5)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda block: block.id)
def test_readme_example_runs_against_make_serve(example: Block, served: Served) -> None:
    missing = [tool for tool in TOOLS if _uses(example.code, tool) and shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{example.id} needs {', '.join(missing)}, which this machine lacks")
    script = "\n".join([*(block.code for block in PRELUDES), _local_helpers(served), example.code])
    env = _clean_environment() | {
        "PONTE_API": served.api,
        "AWS_ENDPOINT_URL": served.endpoint,
        "AWS_PAGER": "",
        "PYTHONPATH": "",
    }
    try:
        ran = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=served.workdir,
            env=env,
            text=True,
            capture_output=True,
            timeout=EXAMPLE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as late:
        said = "\n".join(part if isinstance(part, str) else "" for part in (late.stdout, late.stderr))
        pytest.fail(f"{example.id} did not finish in {EXAMPLE_SECONDS} s:\n{example.code}\n{said}")
    assert ran.returncode == 0, (
        f"{example.id} exited {ran.returncode}:\n{example.code}\n--- stdout\n{ran.stdout}\n--- stderr\n{ran.stderr}"
    )


def _uses(code: str, tool: str) -> bool:
    return re.search(rf"(?:^|[\s;|&(`$]){re.escape(tool)}(?=\s)", code, flags=re.MULTILINE) is not None


def _local_helpers(served: Served) -> str:
    """`out` and `res` as shell functions answering from the local names (a `case`: bash 3 has no maps), and `aws`
    pointed at the emulator."""

    def lookup(function: str, what: str, values: dict[str, str]) -> str:
        cases = "".join(
            f"    {shlex.quote(key)}) printf '%s\\n' {shlex.quote(value)} ;;\n" for key, value in sorted(values.items())
        )
        unknown = f'    *) echo "make serve has no {what} $1" >&2; return 1 ;;\n'
        return f'{function}() {{\n  case "$1" in\n{cases}{unknown}  esac\n}}'

    return "\n".join(
        [
            lookup("out", "output", served.outputs),
            lookup("res", "resource", served.resources),
            'aws() { command aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }',
        ]
    )


def _clean_environment() -> dict[str, str]:
    """This process's environment without AWS settings of its own, and with the fake credentials every test uses."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    return kept | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


def _stop_with_parent() -> None:
    """On Linux, the server is told to stop when this process dies, even killed before the fixture's teardown."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _collect(server: subprocess.Popen[str], printed: list[str]) -> None:
    assert server.stdout is not None
    for line in server.stdout:
        printed.append(line.rstrip("\n"))


def _wait_until_answering(server: subprocess.Popen[str], api: str, printed: list[str]) -> None:
    """The server prints its endpoints and resources, then serves: an HTTP answer means the list is complete."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail("make serve stopped:\n" + "\n".join(printed))
        if any(line.startswith("AWS emulator:") for line in printed) and _answers(api):
            settled = len(printed)
            time.sleep(0.3)
            if len(printed) == settled:
                return
            continue
        time.sleep(0.2)
    pytest.fail(f"make serve did not answer within {STARTUP_SECONDS} s:\n" + "\n".join(printed))


def _answers(api: str) -> bool:
    try:
        urllib.request.urlopen(f"{api}/webhooks/readme-probe", data=b"", timeout=2)
    except urllib.error.HTTPError:
        return True  # any HTTP answer (404 here) means it serves
    except OSError:
        return False
    return True


def _printed_resources(printed: list[str]) -> dict[str, str]:
    start = next(index for index, line in enumerate(printed) if line.startswith("AWS emulator:"))
    found = {m["logical_id"]: m["ref"] for line in printed[start + 1 :] if (m := _RESOURCE_LINE.match(line))}
    assert "Table" in found, "make serve printed no resources:\n" + "\n".join(printed)
    return found


def _local_outputs(resources: dict[str, str], api: str) -> dict[str, str]:
    """The template's outputs, resolved against what the local stack made (`Ref`, and `Sub` of refs and pseudo
    parameters); an output the local stack cannot say (a condition's, a resource attribute) is left out."""
    outputs: dict[str, str] = {}
    for name, spec in load_template(ROOT / "template.yaml").get("Outputs", {}).items():
        if "Condition" in spec:
            continue
        try:
            outputs[name] = _resolve(spec["Value"], resources)
        except KeyError:
            continue
    outputs["WebhookBaseUrl"] = api  # the HTTP API is served here, not at execute-api
    return outputs


def _resolve(value: Any, resources: dict[str, str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return PSEUDO.get(value["Ref"]) or resources[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return re.sub(r"\$\{([^}!]+)\}", lambda m: PSEUDO.get(m[1]) or resources[m[1]], value["Fn::Sub"])
    raise KeyError(str(value))


def _scratch_copy(directory: Path) -> Path:
    """A working directory that looks like the repository's top level (links to it), where examples may write."""
    for entry in ROOT.iterdir():
        if entry.name != ".git":
            (directory / entry.name).symlink_to(entry)
    return directory


def _stop(server: subprocess.Popen[str]) -> None:
    if server.poll() is not None:
        return
    # Its own session: the server and nothing else. SIGTERM, not SIGINT, which a shell's background jobs ignore; the
    # emulator keeps nothing outside the process.
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)
