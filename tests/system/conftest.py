"""Fixtures for the system screens and the record form: an AppContext per real employee login,
waiting for background tasks, answering modal dialogs and registering the CJK font for screenshots."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox

from client.resources import resource_path
from client.ui.context import AppContext
from client.ui.settings import UserSettings
from client.ui.tasks import TaskRunner

SCREENSHOT_DIR = "/tmp"


@pytest.fixture(autouse=True, scope="session")
def cjk_font(qapp):
    """Chinese text renders in screenshots only with a CJK font registered with Qt."""
    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "wqy-microhei.ttc")))
    families = QFontDatabase.applicationFontFamilies(font_id)
    if families:
        qapp.setFont(QFont(families[0], 10))
    return families


@pytest.fixture
def make_ctx(db, qtbot):
    """``make_ctx(login, password=…)`` → an AppContext of that employee, cleaned up after the test."""
    made = []

    def make(login_name: str, password: str | None = None) -> AppContext:
        session = db.session(login_name) if password is None else db.session(login_name, password)
        tasks = TaskRunner()
        ctx = AppContext(session=session, tasks=tasks, settings=UserSettings(f"test/{login_name}"))
        ctx.opened = []
        ctx.open_function = ctx.opened.append
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        qtbot.waitUntil(lambda c=ctx: c.tasks.running == 0, timeout=15000)
        ctx.session.engine.dispose()


@pytest.fixture
def wait_idle(qtbot):
    """Wait until every background task of ``ctx`` has delivered its result to the GUI thread."""

    def wait(ctx, timeout: int = 15000) -> None:
        qtbot.waitUntil(lambda: ctx.tasks.running == 0, timeout=timeout)

    return wait


def find_button(box, text: str) -> QAbstractButton:
    for button in box.findChildren(QAbstractButton):
        if button.text().replace("&", "") == text:
            return button
    raise AssertionError(f"no button {text!r} in {box.windowTitle()!r}: "
                         f"{[b.text() for b in box.findChildren(QAbstractButton)]}")


@pytest.fixture
def answer(qtbot):
    """``answer(button_text)`` arms a timer that clicks that button of the next modal message box
    (opened by ``exec()`` inside the code under test). The texts shown are collected in the list
    returned, so a test can assert what the user was asked."""

    def arm(button_text: str, timeout_ms: int = 10000) -> list[str]:
        seen: list[str] = []
        waited = [0]

        def poll():
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox) and box.isVisible():
                seen.append(box.text())
                find_button(box, button_text).click()
                return
            waited[0] += 20
            if waited[0] < timeout_ms:
                QTimer.singleShot(20, poll)

        QTimer.singleShot(0, poll)
        return seen

    return arm


@pytest.fixture
def screenshot():
    def save(widget, name: str) -> str:
        widget.resize(max(widget.width(), 900), max(widget.height(), 560)) if widget.isWindow() else None
        path = f"{SCREENSHOT_DIR}/sys_{name}.png"
        assert widget.grab().save(path)
        return path

    return save
