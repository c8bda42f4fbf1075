"""The seam between the handlers and the layer (STYLE.md, "The shape of a handler"): each handler is a short module
that wires one typed set of dependencies, built from its settings, into the use case it calls; no dict of ports
travels between a handler, its wiring and a use case."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

HANDLERS = sorted((ROOT / "functions").glob("*/handler.py"))
LAYER = ROOT / "layers" / "ponte" / "ponte"
WIRING = sorted([LAYER / "wiring.py", LAYER / "staff_wiring.py", *(LAYER / "functions").glob("*.py")])
MAX_HANDLER_LINES = 40
UNTYPED = {"dict[str, Any]", "Mapping[str, Any]"}


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_every_function_has_a_handler_and_a_wiring_module() -> None:
    assert len(HANDLERS) >= 8
    for handler in HANDLERS:
        assert (LAYER / "functions" / f"{handler.parent.name}.py").is_file(), (
            f"no ponte.functions.{handler.parent.name}"
        )


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda path: path.parent.name)
def test_a_handler_is_a_short_module(handler: Path) -> None:
    lines = len(handler.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_HANDLER_LINES, f"{_name(handler)}: {lines} lines; what is not wiring belongs in the layer"


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda path: path.parent.name)
def test_a_handler_builds_one_typed_set_of_dependencies_from_its_settings(handler: Path) -> None:
    functions = {node.name: node for node in ast.walk(_tree(handler)) if isinstance(node, ast.FunctionDef)}
    wiring = functions.get("_wiring")
    assert wiring is not None, f"{_name(handler)}: no `_wiring()` building the function's dependencies"
    decorators = [ast.unparse(decorator) for decorator in wiring.decorator_list]
    assert decorators == ["cache"], f"{_name(handler)}: `_wiring()` is built once per container (@cache)"
    # One class, not a tuple or a dict of adapters.
    returns = wiring.returns
    assert isinstance(returns, ast.Name), f"{_name(handler)}: `_wiring()` returns {returns and ast.unparse(returns)}"
    assert "load_settings(Settings)" in ast.unparse(wiring), f"{_name(handler)}: not built from its settings"


@pytest.mark.parametrize("module", HANDLERS + WIRING, ids=_name)
def test_no_arguments_are_passed_as_an_unpacked_dict(module: Path) -> None:
    unpacked = [
        f"line {node.lineno}: {ast.unparse(node)[:80]}"
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.Call) and any(keyword.arg is None for keyword in node.keywords)
    ]
    assert not unpacked, f"{_name(module)} passes arguments as a dict: {unpacked}"


@pytest.mark.parametrize("module", WIRING, ids=_name)
def test_wiring_returns_typed_ports_not_dicts(module: Path) -> None:
    untyped = [
        f"{node.name}() -> {ast.unparse(node.returns)}"
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.FunctionDef) and node.returns is not None and ast.unparse(node.returns) in UNTYPED
    ]
    assert not untyped, f"{_name(module)}: {untyped}"
