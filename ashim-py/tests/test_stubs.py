"""mypy accepts/rejects typed usage of the generated stubs. (That the checked-in stubs match
the catalogue is checked in Rust: ``cargo test -p ashim-tests --test stubs``.)"""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"


def mypy(path: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True, text=True, cwd=TYPING,
    )


def test_mypy_accepts_typed_example():
    proc = mypy(TYPING / "good.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_rejects_wrong_settings():
    proc = mypy(TYPING / "bad.py")
    assert proc.returncode == 1
    lines = {int(line.split(":")[1]) for line in proc.stdout.splitlines() if ": error:" in line}
    expected = {i + 1 for i, text in enumerate((TYPING / "bad.py").read_text().splitlines()) if "# E:" in text}
    assert lines == expected, proc.stdout
