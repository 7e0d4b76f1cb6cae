"""The layout stays readable: no module of the app or the project passes 400 lines (ARCHITECTURE.md)."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
LIMIT = 400


def modules_over_the_limit(root: Path) -> list[str]:
    over = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LIMIT:
            over.append(f"{path.relative_to(PROJECT)} ({lines} lines)")
    return over


def test_no_module_in_feedback_or_civictrust_passes_400_lines():
    assert modules_over_the_limit(PROJECT / "feedback") + modules_over_the_limit(PROJECT / "civictrust") == []


def test_the_check_sees_a_long_module(tmp_path):
    long_module = tmp_path / "feedback" / "long.py"
    long_module.parent.mkdir()
    long_module.write_text("x = 1\n" * (LIMIT + 1))
    global PROJECT
    saved, PROJECT = PROJECT, tmp_path
    try:
        assert modules_over_the_limit(tmp_path / "feedback") == ["feedback/long.py (401 lines)"]
    finally:
        PROJECT = saved
