"""Fixtures for the list tests: the list specs, ids of demo stores and employees, and waiting for
list windows (sessions, contexts and the superuser's `sql` come from tests/conftest.py)."""

from __future__ import annotations

import pytest

from client.lists.catalog import get_list


@pytest.fixture
def visits():
    return get_list("visits")


@pytest.fixture
def employees():
    return get_list("employees")


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
