"""README's two set-up commands are the ones CI and users run."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip().startswith("python3 -m venv .venv")]


def test_ci_runs_exactly_the_readme_test_command():
    run, test = _commands()
    assert run.endswith(".venv/bin/accord-desk")
    assert test.endswith(".venv/bin/pytest && .venv/bin/pytest tests/db --engine=postgresql")  # both halves
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()
    assert "postgresql" in ci.split("apt-get install", 1)[1].split("\n\n", 1)[0]  # the server the team-database tests start


def test_readme_screenshot_exists():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("!["):
            assert (ROOT / line.split("(", 1)[1].rstrip(")")).is_file(), line
