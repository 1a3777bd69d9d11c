"""The desktop client's shared UI layer (shell, background tasks, settings, registry)."""

from . import pyside_fixes as _pyside_fixes

_pyside_fixes.apply()
