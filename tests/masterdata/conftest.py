"""Fixtures for the master-data screens: a screen opened through its registered function as a real
login, and master data created through the checked functions as the demo administrator."""

from __future__ import annotations

import json
import secrets

import pytest

from client.ui.forms import alive
from client.ui.registry import load_functions


@pytest.fixture
def open_screen(qtbot, make_ctx, wait_idle):
    """``open_screen(function_id, login)`` → (ctx, screen) built by the menu's factory, shown and loaded."""
    screens = []

    def open_(function_id: str, login_name: str = "admin"):
        ctx = make_ctx(login_name)
        screen = load_functions()[function_id].factory(ctx, None)
        qtbot.addWidget(screen)
        screen.resize(1100, 600)
        screen.show()
        qtbot.waitExposed(screen)
        screen.activateWindow()
        qtbot.waitActive(screen)
        qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
        wait_idle(ctx)
        screens.append(screen)
        return ctx, screen

    yield open_
    # a form left open would ask "discard changes?" when qtbot closes it
    for screen in screens:
        if alive(screen) and alive(screen.dialog):
            screen.dialog.done(0)


@pytest.fixture
def admin_call(db):
    """``admin_call(function, id, version, payload)`` → the id a checked save function returns, called
    as the demo administrator (a real login, not the superuser)."""

    def call(function: str, payload: dict, record_id=None, version=None) -> int:
        conn = db.connect_as("admin")
        with conn.cursor() as cur:
            cur.execute(f"SELECT yiwei.{function}(%s, %s, %s::jsonb)",
                        (record_id, version, json.dumps(payload, ensure_ascii=False)))
            return cur.fetchone()[0]

    return call


@pytest.fixture
def tag() -> str:
    """Letters that make a test's names its own: the demo data and other tests share the database
    and have communities and channels with everyday names (letters, not digits, so that the
    community key's digit rules leave them alone)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in secrets.token_hex(2))
