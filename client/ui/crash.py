"""Unexpected errors: written to a log file in the user's log folder, and told to the user in a
short Chinese sentence — never a silent crash, never a traceback on screen.

Errors a clerk can act on (UserFacingError) are shown as they are; anything else is a bug, so the
message says where the log is so that it can be sent to the administrator.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from pathlib import Path

import platformdirs

LOG_FILE_NAME = "yiwei.log"

_state = {"installed": False, "showing": False, "handler": None, "last_box": None}


def log_dir() -> Path:
    path = platformdirs.user_log_path("yiwei", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


def setup_logging() -> Path:
    """Send the ``yiwei`` loggers (and so failed background tasks) to a rotating file."""
    path = log_file()
    logger = logging.getLogger("yiwei")
    handler = _state["handler"]
    if handler is None or getattr(handler, "baseFilename", None) != str(path):
        if handler is not None:
            logger.removeHandler(handler)
            handler.close()
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
        logger.addHandler(handler)
        _state["handler"] = handler
    logger.setLevel(logging.INFO)
    return path


def user_message(exc: BaseException) -> str:
    from PySide6.QtCore import QCoreApplication

    from client.db.errors import UserFacingError

    if isinstance(exc, UserFacingError):
        return exc.message
    return QCoreApplication.translate(
        "crash", "程序遇到了一个意外错误，刚才的操作可能没有完成。\n"
                 "错误已记录在日志文件中：\n{0}\n"
                 "您可以继续工作；如果问题反复出现，请把这个文件发给系统管理员。").format(log_file())


def _show(exc: BaseException) -> None:
    """Tell the user, without blocking the code that raised (the box is opened, not exec'd)."""
    from PySide6.QtCore import QCoreApplication, Qt, QThread
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance()
    if app is None or QThread.currentThread() is not app.thread() or _state["showing"]:
        return
    _state["showing"] = True
    try:
        box = QMessageBox(QApplication.activeWindow())
        box.setObjectName("crashMessage")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(QCoreApplication.translate("crash", "出错了"))
        box.setText(user_message(exc))
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: _state.update(showing=False))
        _state["last_box"] = box
        box.open()
    except Exception:  # a broken GUI must not hide the original error: it is in the log already
        _state["showing"] = False
        logging.getLogger("yiwei.crash").exception("could not show the error message")


def handle_exception(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    from client.db.errors import UserFacingError

    logger = logging.getLogger("yiwei.crash")
    if isinstance(exc, UserFacingError):
        logger.warning("unhandled user-facing error: %s", exc.message)
    else:
        logger.error("uncaught exception", exc_info=(exc_type, exc, tb))
    _show(exc)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("yiwei.crash").error("uncaught exception in thread %s", getattr(args.thread, "name", "?"),
                                           exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def install_excepthook() -> Path:
    """Install the hooks (idempotent); returns the log file's path."""
    path = setup_logging()
    sys.excepthook = handle_exception
    threading.excepthook = _thread_hook
    _state["installed"] = True
    return path


def last_message_box():
    """The message box shown last (tests)."""
    return _state["last_box"]
