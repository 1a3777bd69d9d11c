"""The application object: font, translations, style; and the uncaught-exception hook."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFontInfo, QPalette
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from client.db.errors import UserFacingError
from client.ui import crash
from client.ui.app import APP_FONT_POINT_SIZE, create_application, load_stylesheet


def test_application_is_configured_once_with_names_font_and_style(app):
    assert create_application([]) is app
    assert (app.organizationName(), app.applicationName()) == ("Yiwei", "yiwei")
    assert app.applicationDisplayName() == "易维"
    assert app.property("yiweiFontFamily") == "WenQuanYi Micro Hei"
    assert app.font().family() == "WenQuanYi Micro Hei"
    assert app.font().pointSize() == APP_FONT_POINT_SIZE
    label = QLabel("收据 RC-HZ01-202611-000123 ￥1,234.50")
    assert QFontInfo(label.font()).family() == "WenQuanYi Micro Hei"
    assert app.palette().color(QPalette.ColorRole.Highlight).name() == "#2f6fb5"
    sheet = app.styleSheet()
    assert sheet == load_stylesheet() and "alternate-background-color" in sheet and ":focus" in sheet
    assert "@STYLES@" not in sheet and "arrow-down.svg" in sheet


def test_qt_standard_buttons_speak_chinese(app, qtbot):
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


@pytest.fixture
def crash_log(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setitem(crash._state, "showing", False)
    path = crash.install_excepthook()
    assert path.parent.is_relative_to(tmp_path)
    yield path
    box = crash.last_message_box()
    if box is not None:
        try:
            box.close()
        except RuntimeError:
            pass


def _flush_log():
    import logging

    for handler in logging.getLogger("yiwei").handlers:
        handler.flush()


def test_uncaught_exception_is_logged_and_told_in_chinese(app, qtbot, crash_log):
    try:
        raise KeyError("missing_column")
    except KeyError:
        sys.excepthook(*sys.exc_info())
    _flush_log()
    logged = crash_log.read_text(encoding="utf-8")
    assert "uncaught exception" in logged and "KeyError: 'missing_column'" in logged
    box = crash.last_message_box()
    qtbot.waitUntil(box.isVisible)
    assert "意外错误" in box.text() and str(crash_log) in box.text()
    assert "Traceback" not in box.text() and "KeyError" not in box.text()
    box.close()


def test_user_facing_error_shows_its_own_sentence(app, qtbot, crash_log):
    sys.excepthook(UserFacingError, UserFacingError("没有权限执行此操作", kind="permission"), None)
    box = crash.last_message_box()
    qtbot.waitUntil(box.isVisible)
    assert box.text() == "没有权限执行此操作"
    box.close()


class _Emitter(QObject):
    fire = Signal()


def test_exception_in_a_slot_reaches_the_hook(app, qtbot, crash_log, monkeypatch):
    seen = []
    monkeypatch.setattr(crash, "_show", lambda exc: seen.append(exc))
    emitter = _Emitter()

    def broken_slot():
        raise ZeroDivisionError("division by zero in a slot")

    emitter.fire.connect(broken_slot)
    # pytest-qt replaces sys.excepthook around each test; put ours in for the emission itself.
    monkeypatch.setattr(sys, "excepthook", crash.handle_exception)
    emitter.fire.emit()
    assert seen and isinstance(seen[0], ZeroDivisionError)
    _flush_log()
    assert "division by zero in a slot" in crash_log.read_text(encoding="utf-8")


def test_exception_in_a_worker_thread_is_logged(app, crash_log):
    thread = threading.Thread(target=lambda: 1 / 0, name="export-worker")
    thread.start()
    thread.join()
    _flush_log()
    text = crash_log.read_text(encoding="utf-8")
    assert "export-worker" in text and "ZeroDivisionError" in text


def test_message_box_does_not_block_the_raiser(app, qtbot, crash_log):
    # The hook returns at once (the box is opened, not exec'd); a second error while the box is up
    # is logged without stacking another box on top.
    sys.excepthook(RuntimeError, RuntimeError("first"), None)
    first = crash.last_message_box()
    sys.excepthook(RuntimeError, RuntimeError("second"), None)
    assert crash.last_message_box() is first
    _flush_log()
    assert "second" in crash_log.read_text(encoding="utf-8")
    first.close()
