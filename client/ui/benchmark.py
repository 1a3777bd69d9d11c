"""Start-up figures of the desktop client, measured in one process (offscreen).

* ``start_to_login_window_ms`` — create_application (font, translations, style) until the login
  window is on screen;
* ``login_to_main_window_ms`` — pressing 登录 until the main window is on screen, made of
  ``login_ms`` (connecting, checking the schema, reading who the employee is and their permissions)
  and ``main_window_ms`` (menus, navigation, saved layout, first paint).

Run against any server: ``run_startup_benchmark(profile, login, password)``. Nothing is written
to the user's settings: profiles and layouts go to a temporary settings file.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from client.db.connection import ServerProfile
from client.db.errors import UserFacingError


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 1)


def run_startup_benchmark(profile: ServerProfile, login: str, password: str, *, timeout_s: float = 60) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    had_application = QApplication.instance() is not None
    t_start = time.perf_counter()
    from .app import create_application

    app = create_application(["yiwei-bench"])
    from .login import LoginDialog
    from .main_window import MainWindow, create_context
    from .profiles import ProfileStore, SavedProfile

    with tempfile.TemporaryDirectory(prefix="yiwei-bench-") as folder:
        settings = QSettings(str(Path(folder) / "bench.ini"), QSettings.Format.IniFormat)
        store = ProfileStore(settings)
        store.save(SavedProfile("bench", "基准测试服务器", "server", profile.host, profile.port, profile.dbname,
                                profile.sslmode, last_user=login, extra=dict(profile.extra)))
        dialog = LoginDialog(store=store, preselect="bench")
        dialog.show()
        QTest.qWaitForWindowExposed(dialog, int(timeout_s * 1000))
        app.processEvents()
        t_login_window = time.perf_counter()

        outcome: dict = {}
        loop = QEventLoop()
        dialog.logged_in.connect(lambda session: (outcome.update(session=session), loop.quit()))
        dialog.passwordEdit.setText(password)
        t_press = time.perf_counter()
        handle = dialog.start_login()
        if handle is None:
            raise UserFacingError(dialog.message or "无法开始登录")
        handle.failed.connect(lambda error: (outcome.update(error=error), loop.quit()))
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
        if "session" not in outcome:
            dialog.reject()
            error = outcome.get("error")
            raise error if error is not None else UserFacingError("登录超时", kind="connection")
        t_logged_in = time.perf_counter()

        window = MainWindow(create_context(outcome["session"], settings))
        window.show()
        QTest.qWaitForWindowExposed(window, int(timeout_s * 1000))
        app.processEvents()
        t_main_window = time.perf_counter()
        window.close()
        dialog.deleteLater()
        window.deleteLater()
        app.processEvents()
        settings.sync()
        del settings

    return {
        "start_to_login_window_ms": _ms(t_start, t_login_window),
        "login_to_main_window_ms": _ms(t_press, t_main_window),
        "login_ms": _ms(t_press, t_logged_in),
        "main_window_ms": _ms(t_logged_in, t_main_window),
        "application_existed": had_application,
        "platform": app.platformName(),
    }
