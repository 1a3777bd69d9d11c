"""Fixtures for the system screens and the record form: answering modal dialogs, screenshots and
test employees (contexts of real logins and waiting come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from .helpers import find_button

SCREENSHOT_DIR = "/tmp"


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
        for _ in range(5):                  # layout requests travel up one parent per round
            QApplication.processEvents()
        path = f"{SCREENSHOT_DIR}/sys_{name}.png"
        assert widget.grab().save(path)
        return path

    return save


@pytest.fixture
def new_employee(db):
    """``new_employee(login, position='guide', store='HZ01', password=…)`` creates an employee through
    the checked function as the demo administrator and returns its id."""
    from client.db.passwords import scram_verifier
    from client.demo.company import DEMO_PASSWORD

    def create(login_name: str, position: str = "guide", store: str | None = "HZ01", password: str = DEMO_PASSWORD,
               full_name: str = "测试员工") -> int:
        conn = db.connect_as("admin")
        with conn.cursor() as cur:
            cur.execute("SELECT yiwei.create_employee(%s, %s, (SELECT id FROM yiwei.position WHERE code = %s),"
                        " (SELECT id FROM yiwei.store WHERE code = %s), NULL, NULL, '', %s)",
                        (login_name, full_name, position, store, scram_verifier(password)))
            return cur.fetchone()[0]

    return create



@pytest.fixture
def show_form(qtbot):
    """Show a dialog as the screens do; at the end it is closed without the "discard changes?" question
    (qtbot's own clean-up would close it through reject(), which asks)."""
    from client.ui.forms import alive

    shown = []

    def show(form):
        shown.append(form)
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()
        return form

    yield show
    for form in shown:
        if alive(form):
            form.done(0)
            form.deleteLater()
