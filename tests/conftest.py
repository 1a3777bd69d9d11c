"""Test fixtures: one real PostgreSQL per session (embedded, or YIWEI_TEST_DSN), a migrated and
seeded demo database with its own role namespace, and connections as real employee logins."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import psycopg2
import pytest

from client.db.connection import ServerProfile, connect_raw, dsn_params, engine_for, login
from client.demo.company import DEMO_PASSWORD
from client.demo.seed import seed_demo
from client.resources import resource_path
from server_schema.migrate import upgrade

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Layouts, column choices and server profiles written by UI tests stay out of the user's config.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="yiwei-test-config-")


class TestServer:
    """Superuser access plus the TCP address employees use."""

    def __init__(self, admin_params: dict, host: str, port: int):
        self.admin_params = admin_params
        self.host = host
        self.port = port

    def admin(self, dbname: str, autocommit: bool = False):
        conn = connect_raw({**self.admin_params, "dbname": dbname})
        conn.autocommit = autocommit
        return conn


@pytest.fixture(scope="session")
def pg_server():
    dsn = os.environ.get("YIWEI_TEST_DSN")
    if dsn:
        params = dsn_params(dsn)
        yield TestServer(params, params.get("host", "127.0.0.1"), int(params.get("port", 5432)))
        return
    from client.embedded.server import EmbeddedServer

    server = EmbeddedServer(Path(tempfile.mkdtemp(prefix="yiwei-test-")))
    info = server.start()
    try:
        yield TestServer(info.superuser_params(), info.host, info.port)
    finally:
        server.destroy()


class DemoDatabase:
    def __init__(self, server: TestServer, dbname: str):
        self.server = server
        self.dbname = dbname
        self.profile = ServerProfile(host=server.host, port=server.port, dbname=dbname, sslmode="disable")
        self._opened: list = []

    def admin(self):
        conn = self.server.admin(self.dbname)
        self._opened.append(conn)
        return conn

    def admin_engine(self):
        return engine_for({**self.server.admin_params, "dbname": self.dbname}, pool_size=1)

    def connect_as(self, login_name: str, password: str = DEMO_PASSWORD, autocommit: bool = True):
        """A raw psycopg2 connection as a real employee login — what an attacker with psql gets."""
        conn = psycopg2.connect(host=self.server.host, port=self.server.port, dbname=self.dbname, sslmode="disable",
                                user=self.profile.role_for(login_name), password=password)
        conn.autocommit = autocommit
        self._opened.append(conn)
        return conn

    def session(self, login_name: str, password: str = DEMO_PASSWORD):
        return login(self.profile, login_name, password)

    def close_all(self):
        for conn in self._opened:
            if not conn.closed:
                conn.close()
        self._opened.clear()


def _create_database(server: TestServer, dbname: str) -> None:
    conn = server.admin("postgres", autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{dbname}" TEMPLATE template0 ENCODING \'UTF8\'')
    conn.close()


def _drop_database(server: TestServer, dbname: str, namespace: str) -> None:
    conn = server.admin("postgres", autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        cur.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s OR rolname IN (%s, %s) ORDER BY rolname LIKE '%%@%%' DESC",
                    (f"%@{namespace}", f"{namespace}_app", f"{namespace}_owner"))
        for (role,) in cur.fetchall():
            cur.execute(f'DROP ROLE IF EXISTS "{role}"')
    conn.close()


@pytest.fixture(scope="session")
def demo_db(pg_server):
    """The demo company in a database of its own, with a namespace no other run shares."""
    dbname = f"yiwei_t{secrets.token_hex(4)}"
    _create_database(pg_server, dbname)
    engine = engine_for({**pg_server.admin_params, "dbname": dbname}, pool_size=1)
    ns, _before, _after = upgrade(engine)
    engine.dispose()
    conn = pg_server.admin(dbname)
    seed_demo(conn, scale=1)
    conn.close()
    db = DemoDatabase(pg_server, dbname)
    try:
        yield db
    finally:
        db.close_all()
        _drop_database(pg_server, dbname, ns.name)


@pytest.fixture
def db(demo_db):
    yield demo_db
    demo_db.close_all()


@pytest.fixture
def fresh_db_name(pg_server):
    """An empty database (and namespace) for migration tests; dropped afterwards."""
    dbname = f"yiwei_f{secrets.token_hex(4)}"
    _create_database(pg_server, dbname)
    yield dbname
    _drop_database(pg_server, dbname, dbname)


# -- Qt: the CJK font, an AppContext per real employee login, waiting for background work ----------

@pytest.fixture(scope="session")
def cjk_font(qapp):
    """Chinese text renders (in screenshots too) only with a CJK font registered with Qt."""
    from PySide6.QtGui import QFont, QFontDatabase

    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "wqy-microhei.ttc")))
    families = QFontDatabase.applicationFontFamilies(font_id)
    if families:
        qapp.setFont(QFont(families[0], 10))
    return families


@pytest.fixture
def session_of(db):
    """``session_of(login)`` → a logged-in Session of a demo employee (pool closed after the test)."""
    made = []

    def make(login_name: str):
        session = db.session(login_name)
        made.append(session)
        return session

    yield make
    for session in made:
        session.engine.dispose()


@pytest.fixture
def sql(db):
    """``sql(text, params)`` → all rows, read as the superuser (ground truth, no RLS)."""
    conn = db.admin()

    def run(text: str, params=None) -> list:
        with conn.cursor() as cur:
            cur.execute(text, params)
            rows = cur.fetchall()
        conn.rollback()
        return rows

    yield run
    conn.close()


@pytest.fixture
def settings_file(tmp_path):
    return str(tmp_path / "settings.ini")


@pytest.fixture
def make_ctx(db, qtbot, cjk_font, settings_file):
    """``make_ctx(login, password=…)`` → an AppContext of that employee, with its settings in a file
    of this test, cleaned up after the test."""
    from PySide6.QtCore import QSettings

    from client.ui.context import AppContext
    from client.ui.settings import UserSettings
    from client.ui.tasks import TaskRunner

    made = []

    def make(login_name: str, password: str | None = None):
        session = db.session(login_name) if password is None else db.session(login_name, password)
        store = QSettings(settings_file, QSettings.Format.IniFormat)
        ctx = AppContext(session=session, tasks=TaskRunner(), settings=UserSettings(f"test/{login_name}", store))
        ctx.opened = []
        ctx.open_function = ctx.opened.append
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        qtbot.waitUntil(lambda c=ctx: c.tasks.running == 0, timeout=20000)
        ctx.session.engine.dispose()


@pytest.fixture
def wait_idle(qtbot):
    """Wait until every background task of ``ctx`` has delivered its result to the GUI thread."""

    def wait(ctx, timeout: int = 15000) -> None:
        qtbot.waitUntil(lambda: ctx.tasks.running == 0, timeout=timeout)

    return wait
