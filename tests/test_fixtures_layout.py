"""The fixture generator's layout: a package, fixtures/generate/, run by fixtures/generate.py.

Every way the repository reaches it must keep working: the README command, loading
fixtures/generate.py by path (tests, bench_lookalike), ``from generate import generate``
with fixtures/ on sys.path (bench_build). And its functions stay short.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "fixtures" / "generate.py"
PACKAGE = REPO / "fixtures" / "generate"
MAX_FUNCTION_LINES = 60


def _load_by_path(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_loaded_by_path_it_is_the_package() -> None:
    gen = _load_by_path("fixtures_generate_layout")
    package = sys.modules["generate"]
    assert Path(package.__file__).resolve() == PACKAGE / "__init__.py"
    assert sorted(gen.__all__) == sorted(package.__all__)
    for name in package.__all__:
        assert getattr(gen, name) is getattr(package, name), name


def test_the_script_writes_what_the_library_writes(tmp_path: Path) -> None:
    done = _run(str(SCRIPT), "--rows", "20", "--seed", "4", "--out", str(tmp_path / "cli"))
    assert (done.returncode, done.stderr) == (0, f"wrote 9 files to {tmp_path / 'cli'}\n")
    files = _load_by_path("fixtures_generate_layout").generate(20, 4, tmp_path / "lib")
    for name in files:
        assert (tmp_path / "cli" / name).read_bytes() == files[name].read_bytes(), name


def test_the_script_runs_from_another_directory(tmp_path: Path) -> None:
    done = _run(str(SCRIPT), "--rows", "5", "--out", "x", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "generate.py: error: rows must be at least 20, got 5"


def test_fixtures_on_sys_path_imports_the_package() -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(REPO / 'fixtures')!r}); "
        "from generate import generate; import generate as g; print(g.__file__)"
    )
    done = _run("-c", code, cwd=REPO.parent)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == PACKAGE / "__init__.py"


def test_no_function_of_the_generator_is_long() -> None:
    long = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.name}:{node.name} ({lines} lines)")
    assert long == [], f"split these at their natural seams: {long}"
