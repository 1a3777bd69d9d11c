"""Signal emission must not wear out the True/False singletons (a PySide6 6.12 defect on
Python 3.11 that aborts the interpreter after a few hundred emits)."""

from __future__ import annotations

import subprocess
import sys

EMIT_MANY = """
import client.ui
from PySide6.QtCore import QObject, Signal

class Emitter(QObject):
    ping = Signal()
    flag = Signal(bool)

e = Emitter()
for _ in range(20000):
    e.ping.emit()
    e.flag.emit(True)
print("still alive")
"""


def test_many_emits_neither_abort_the_session_nor_the_exit():
    done = subprocess.run([sys.executable, "-c", EMIT_MANY], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "still alive" in done.stdout and "bool_dealloc" not in done.stderr


def test_protection_is_applied_only_where_the_defect_exists():
    from client.ui import pyside_fixes

    state = pyside_fixes.apply()
    assert state["checked"]
    if state["defect"]:
        assert state["protected"]
        assert sys.getrefcount(True) > pyside_fixes.IMMORTAL_REFERENCES // 2
