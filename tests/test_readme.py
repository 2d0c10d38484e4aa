"""The README's Python section runs as written: a doctest over its python blocks."""

from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SAMPLE = ROOT / "fixtures" / "sample"


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown text that hold doctest examples."""
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    return [b for b in blocks if ">>> " in b]


def test_the_readme_has_a_python_section() -> None:
    text = README.read_text(encoding="utf-8")
    assert "## Python" in text
    assert python_blocks(text)


def test_the_readme_python_section_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs: dict[str, object] = {}  # shared: later blocks use what earlier ones imported
    for index, block in enumerate(python_blocks(README.read_text(encoding="utf-8"))):
        test = parser.get_doctest(block, globs, f"README.md python block {index + 1}", None, 0)
        runner.run(test, clear_globs=False)
        globs.update(test.globs)  # DocTest copies its globals
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} README examples failed"
