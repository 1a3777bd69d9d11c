"""Servers this PC knows: the embedded demo server and company servers, with the last user of each.

Kept in machine_settings() under ``servers/<key>/…``. A profile holds where a database is and how to
reach it (TLS mode), never a password.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings

from client.db.connection import ServerProfile, dsn_params
from client.embedded.server import EmbeddedServer, EmbeddedServerError, ServerInfo

EMBEDDED_KEY = "embedded"
EMBEDDED_DATABASE = "yiwei"  # the same name `yiwei demo` creates (client.cli.common.DEMO_DATABASE)



def ssl_modes() -> list[tuple[str, str]]:
    """The libpq sslmode values offered in the server dialog, with what a clerk reads."""
    tr = QCoreApplication.translate
    return [("disable", tr("profiles", "不加密（仅限公司内网）")),
            ("prefer", tr("profiles", "优先加密（服务器支持时加密）")),
            ("require", tr("profiles", "必须加密")),
            ("verify-full", tr("profiles", "加密并验证服务器证书（最安全）"))]


def embedded_profile_name() -> str:
    return QCoreApplication.translate("profiles", "本机演示服务器")


@dataclass
class SavedProfile:
    """One remembered server. ``kind`` is "embedded" (started by this PC on demand) or "server"."""

    key: str
    name: str
    kind: str = "server"
    host: str = "127.0.0.1"
    port: int = 5432
    dbname: str = "yiwei"
    sslmode: str = "prefer"
    data_dir: str | None = None       # embedded only: the server's data folder (None = default)
    last_user: str = ""
    extra: dict = field(default_factory=dict)  # further libpq parameters, e.g. sslrootcert

    @property
    def is_embedded(self) -> bool:
        return self.kind == "embedded"

    def describe(self) -> str:
        if self.is_embedded:
            return QCoreApplication.translate("profiles", "本机内置数据库，登录时自动启动")
        return f"{self.host}:{self.port}/{self.dbname}"

    def data_folder(self) -> Path:
        return Path(self.data_dir) if self.data_dir else EmbeddedServer().base

    def server_profile(self, info: ServerInfo | None = None) -> ServerProfile:
        """The connection target; an embedded profile needs the running server's ``info``."""
        if self.is_embedded:
            if info is None:
                raise ValueError("embedded profile needs the running server's info")
            return ServerProfile(host=info.host, port=info.port, dbname=EMBEDDED_DATABASE, sslmode="disable")
        return ServerProfile(host=self.host, port=self.port, dbname=self.dbname, sslmode=self.sslmode,
                             extra=dict(self.extra))

    def resolve(self) -> ServerProfile:
        """Where to connect now. For the embedded server this starts it (seconds) — call it from a
        background task, never on the GUI thread."""
        if self.is_embedded:
            return self.server_profile(embedded_servers.ensure_running(self.data_dir))
        return self.server_profile()


def profile_key(host: str, port: int, dbname: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{host}_{port}_{dbname}")


class ProfileStore:
    """Reads and writes the remembered servers. The embedded profile always exists and comes first."""

    GROUP = "servers"

    def __init__(self, settings: QSettings | None = None):
        if settings is None:
            from .settings import machine_settings

            settings = machine_settings()
        self.settings = settings

    # -- reading ----------------------------------------------------------------------------------
    def _read(self, key: str) -> SavedProfile | None:
        s = self.settings
        base = f"{self.GROUP}/{key}"
        kind = s.value(f"{base}/kind")
        if kind is None and key != EMBEDDED_KEY:
            return None
        try:
            extra = json.loads(s.value(f"{base}/extra", "{}") or "{}")
        except ValueError:
            extra = {}
        try:
            port = int(s.value(f"{base}/port", 5432))
        except (TypeError, ValueError):
            port = 5432
        if key == EMBEDDED_KEY:
            return SavedProfile(key, embedded_profile_name(), "embedded", dbname=EMBEDDED_DATABASE, sslmode="disable",
                                data_dir=s.value(f"{base}/data_dir") or None,
                                last_user=str(s.value(f"{base}/last_user", "") or ""))
        return SavedProfile(key, str(s.value(f"{base}/name", key)), "server", host=str(s.value(f"{base}/host", "")),
                            port=port, dbname=str(s.value(f"{base}/dbname", "yiwei")),
                            sslmode=str(s.value(f"{base}/sslmode", "prefer")),
                            last_user=str(s.value(f"{base}/last_user", "") or ""), extra=extra)

    def profiles(self) -> list[SavedProfile]:
        self.settings.beginGroup(self.GROUP)
        keys = self.settings.childGroups()
        self.settings.endGroup()
        servers = [p for p in (self._read(k) for k in keys if k != EMBEDDED_KEY) if p is not None]
        servers.sort(key=lambda p: p.name)
        return [self.embedded(), *servers]

    def get(self, key: str) -> SavedProfile | None:
        return self.embedded() if key == EMBEDDED_KEY else self._read(key)

    def embedded(self) -> SavedProfile:
        return self._read(EMBEDDED_KEY)

    def last_key(self) -> str:
        key = self.settings.value("login/last_profile", EMBEDDED_KEY)
        return key if key and self.get(key) is not None else EMBEDDED_KEY

    # -- writing ----------------------------------------------------------------------------------
    def save(self, profile: SavedProfile) -> SavedProfile:
        s = self.settings
        base = f"{self.GROUP}/{profile.key}"
        s.setValue(f"{base}/kind", profile.kind)
        if profile.is_embedded:
            if profile.data_dir:
                s.setValue(f"{base}/data_dir", profile.data_dir)
            else:
                s.remove(f"{base}/data_dir")
        else:
            s.setValue(f"{base}/name", profile.name)
            s.setValue(f"{base}/host", profile.host)
            s.setValue(f"{base}/port", int(profile.port))
            s.setValue(f"{base}/dbname", profile.dbname)
            s.setValue(f"{base}/sslmode", profile.sslmode)
            s.setValue(f"{base}/extra", json.dumps(profile.extra, ensure_ascii=False))
        s.setValue(f"{base}/last_user", profile.last_user)
        s.sync()
        return profile

    def remove(self, key: str) -> None:
        if key == EMBEDDED_KEY:
            raise ValueError("the embedded profile cannot be removed")
        self.settings.remove(f"{self.GROUP}/{key}")
        if self.settings.value("login/last_profile") == key:
            self.settings.remove("login/last_profile")
        self.settings.sync()

    def remember_login(self, key: str, user: str) -> None:
        """After a successful login: this server and this user come preselected next time."""
        profile = self.get(key)
        if profile is None:
            return
        profile.last_user = user.strip()
        self.save(profile)
        self.settings.setValue("login/last_profile", key)
        self.settings.sync()

    def new_key(self, host: str, port: int, dbname: str) -> str:
        base = profile_key(host, port, dbname)
        key, n = base, 2
        while self.get(key) is not None:
            key, n = f"{base}_{n}", n + 1
        return key

    def ensure_embedded(self, data_dir: str | Path | None = None) -> SavedProfile:
        profile = self.embedded()
        profile.data_dir = str(Path(data_dir).resolve()) if data_dir else None
        return self.save(profile)

    def find(self, host: str, port: int, dbname: str) -> SavedProfile | None:
        for p in self.profiles():
            if not p.is_embedded and (p.host, p.port, p.dbname) == (host, port, dbname):
                return p
        return None

    def profile_for_dsn(self, dsn: str) -> SavedProfile:
        """The remembered profile for a DSN's server, created (or its TLS mode updated) as needed.
        A user in the DSN becomes the preselected login; a password in it is ignored."""
        params = dsn_params(dsn)
        target = ServerProfile.from_dsn(dsn)
        extra = {k: v for k, v in target.extra.items() if k not in ("connect_timeout", "application_name")}
        profile = self.find(target.host, target.port, target.dbname)
        if profile is None:
            profile = SavedProfile(self.new_key(target.host, target.port, target.dbname),
                                   f"{target.dbname} @ {target.host}", "server", target.host, target.port,
                                   target.dbname, target.sslmode, extra=extra)
        else:
            if "sslmode" in params:
                profile.sslmode = target.sslmode
            profile.extra.update(extra)
        if params.get("user"):
            profile.last_user = params["user"]
        return self.save(profile)


class EmbeddedServers:
    """Embedded servers this process started, so the client can stop them again when it exits
    (a server that was already running — `yiwei server start` — is left running)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: dict[str, EmbeddedServer] = {}

    def ensure_running(self, data_dir: str | Path | None = None) -> ServerInfo:
        server = EmbeddedServer(Path(data_dir) if data_dir else None)
        with self._lock:
            was_running = server.is_running()
            try:
                info = server.start()
            except EmbeddedServerError as exc:
                from client.db.errors import UserFacingError

                raise UserFacingError(str(exc), kind="connection") from exc
            if not was_running:
                self._started[str(server.base)] = server
        return info

    @property
    def started(self) -> list[Path]:
        return [s.base for s in self._started.values()]

    def stop_started(self) -> None:
        with self._lock:
            servers, self._started = list(self._started.values()), {}
        for server in servers:
            try:
                server.stop()
            except EmbeddedServerError:
                import logging

                logging.getLogger("yiwei.embedded").exception("could not stop the embedded server")


embedded_servers = EmbeddedServers()
