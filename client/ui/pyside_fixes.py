"""Work-arounds for defects of the installed PySide6, applied once when ``client.ui`` is imported.

PySide6 6.12.0 returns the ``True``/``False`` singletons from ``SignalInstance.emit()`` (and from a
failed ``disconnect()``) without taking a reference for the caller. Every discarded result then
gives back a reference that someone else owns. On Python 3.11 the two singletons are ordinary
objects: after a few hundred emits their count reaches zero and the interpreter aborts with
"Fatal Python error: bool_dealloc" — in the middle of a clerk's session, or at exit. Python 3.12
made them immortal, so there the defect is harmless.

We test for the defect instead of trusting version numbers and, where it bites, give the two
singletons the immortality Python 3.12 gives them: a reference count no session can use up.
"""

from __future__ import annotations

import ctypes
import sys

# Larger than any number of signal emissions a process will ever make.
IMMORTAL_REFERENCES = 1 << 40

_state = {"checked": False, "defect": False, "protected": False}


def emit_loses_bool_references() -> bool:
    """True when emitting a signal takes a reference of ``True`` away (the defect above)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    rounds = 16
    before = sys.getrefcount(True)
    for _ in range(rounds):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(0, lost)):  # give back what the test itself took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= rounds


def _make_immortal(obj: object) -> bool:
    if sys.version_info >= (3, 12):
        return True  # already immortal
    if sys.implementation.name != "cpython" or hasattr(sys, "gettotalrefcount"):
        return False  # other layouts (debug builds): leave them alone
    field = ctypes.c_ssize_t.from_address(id(obj))
    if field.value != sys.getrefcount(obj) - 1:  # not the ob_refcnt we expect: do not touch
        return False
    field.value += IMMORTAL_REFERENCES
    return True


def apply() -> dict:
    """Check once and protect if needed; returns what was found and done."""
    if not _state["checked"]:
        _state["checked"] = True
        _state["defect"] = emit_loses_bool_references()
        if _state["defect"]:
            _state["protected"] = _make_immortal(True) and _make_immortal(False)
    return dict(_state)
