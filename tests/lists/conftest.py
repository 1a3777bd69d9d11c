"""Fixtures for the list tests: employee sessions and AppContexts of real demo logins, a superuser
connection for ground truth, waiting for list windows, and the CJK font for screenshots."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont, QFontDatabase

from client.lists.catalog import get_list
from client.resources import resource_path
from client.ui.context import AppContext
from client.ui.settings import UserSettings
from client.ui.tasks import TaskRunner


@pytest.fixture(autouse=True, scope="session")
def cjk_font(qapp):
    """Chinese text renders in screenshots only with a CJK font registered with Qt (the shell does
    this at start-up)."""
    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "wqy-microhei.ttc")))
    families = QFontDatabase.applicationFontFamilies(font_id)
    if families:
        qapp.setFont(QFont(families[0], 10))
    return families


@pytest.fixture
def visits():
    return get_list("visits")


@pytest.fixture
def employees():
    return get_list("employees")


@pytest.fixture
def session_of(db):
    """``session_of(login)`` → a logged-in Session (engine disposed after the test)."""
    made = []

    def make(login_name: str):
        session = db.session(login_name)
        made.append(session)
        return session

    yield make
    for session in made:
        session.engine.dispose()


@pytest.fixture
def settings_file(tmp_path):
    return str(tmp_path / "settings.ini")


@pytest.fixture
def make_ctx(db, qtbot, settings_file):
    """``make_ctx(login)`` → an AppContext of that employee with settings in a file of this test."""
    made = []

    def make(login_name: str) -> AppContext:
        session = db.session(login_name)
        store = QSettings(settings_file, QSettings.Format.IniFormat)
        ctx = AppContext(session=session, tasks=TaskRunner(), settings=UserSettings(f"test/{login_name}", store))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        qtbot.waitUntil(lambda c=ctx: c.tasks.running == 0, timeout=20000)
        ctx.session.engine.dispose()


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
def ids(sql):
    """``ids.store('HZ01')``, ``ids.employee('hz01.guide1')``."""

    class Ids:
        @staticmethod
        def store(code: str) -> int:
            return sql("SELECT id FROM yiwei.store WHERE code = %s", (code,))[0][0]

        @staticmethod
        def employee(login_name: str) -> int:
            return sql("SELECT id FROM yiwei.employee WHERE login = %s", (login_name,))[0][0]

    return Ids


@pytest.fixture
def wait_ready(qtbot):
    """Wait until a list window has its page, row count, totals and filter choices."""

    def wait(window, timeout: int = 20000) -> None:
        qtbot.waitUntil(lambda: not window.is_busy(), timeout=timeout)

    return wait
