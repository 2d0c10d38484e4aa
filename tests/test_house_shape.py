"""The house shape, enforced (issue #17): no library function over 80 lines, no import
cycle between modules, CLI command bodies of at most 20 lines.

Lengths are `ast` counts (`end_lineno - lineno + 1`, decorators and docstring included)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "listbuilder"
MAX_FUNCTION_LINES = 80
MAX_COMMAND_BODY_LINES = 20


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _length(node: ast.AST) -> int:
    return int(getattr(node, "end_lineno", 0)) - int(getattr(node, "lineno", 0)) + 1


def test_no_function_is_over_80_lines() -> None:
    long = [
        f"{name}:{f.name} ({_length(f)} lines)"
        for name, tree in _modules()
        for f in _functions(tree)
        if _length(f) > MAX_FUNCTION_LINES
    ]
    assert not long, "split these at their natural seams: " + ", ".join(long)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The package modules `name` imports when it is imported (top-level statements only:
    an import inside a function or under TYPE_CHECKING runs later, or never)."""
    found: set[str] = set()
    package = name if name in known and _is_package(name) else name.rpartition(".")[0]
    statements = list(tree.body)
    while statements:
        node = statements.pop(0)
        if isinstance(node, ast.If) and not _is_type_checking(node):
            statements.extend([*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            statements.extend([*node.body, *node.orelse, *node.finalbody])
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base in known:
                found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known)
    found.discard(name)
    return found


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / Path(*name.split(".")) / "__init__.py").exists()


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _import_graph() -> dict[str, set[str]]:
    modules = dict(_modules())
    known = set(modules)
    graph = {name: _module_imports(name, tree, known) for name, tree in modules.items()}
    # a package's __init__ importing its own submodules is how packages re-export, and a
    # submodule importing a sibling through the package is the same edge: both are fine
    # unless two modules need each other to finish importing; keep module-to-module edges
    # between different modules of which neither is the other's package
    return {
        name: {t for t in targets if not t.startswith(name + ".") and not name.startswith(t + ".")}
        for name, targets in graph.items()
    }


def test_no_import_cycle_between_modules() -> None:
    cycles = _cycles(_import_graph())
    assert not cycles, "modules that import each other: " + "; ".join(" ↔ ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    # the check above must be able to fail
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _command_bodies() -> Iterator[tuple[str, int]]:
    for name, tree in _modules():
        if not name.startswith("listbuilder.cli"):
            continue
        for f in _functions(tree):
            decorators = [ast.unparse(d) for d in f.decorator_list]
            if any(".command(" in d or d.endswith(".command") for d in decorators):
                body = f.body
                if (
                    body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                ):
                    body = body[1:]  # the docstring is the help text, not the body
                lines = _length(body[-1]) + body[-1].lineno - body[0].lineno if body else 0
                yield f"{name}:{f.name}", lines


def test_cli_command_bodies_are_short() -> None:
    commands = list(_command_bodies())
    assert len(commands) >= 10  # the check sees the commands
    long = [f"{n} ({lines} lines)" for n, lines in commands if lines > MAX_COMMAND_BODY_LINES]
    assert not long, "move the work into one library call: " + ", ".join(long)


@pytest.mark.parametrize("limit", [MAX_FUNCTION_LINES])
def test_the_length_count_sees_long_functions(limit: int) -> None:
    source = "def f():\n" + "    x = 1\n" * limit
    (node,) = _functions(ast.parse(source))
    assert _length(node) == limit + 1
