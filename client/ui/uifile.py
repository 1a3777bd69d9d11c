"""Loading hand-laid dialogs from Qt Designer ``.ui`` files in ``forms/``."""

from __future__ import annotations

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QVBoxLayout, QWidget

from client.resources import form_path


class FormFileError(RuntimeError):
    """A .ui file that is missing or does not parse: a packaging bug, not a user error."""


def load_form(name: str, parent: QWidget) -> QWidget:
    """Load ``forms/<name>`` as a child of ``parent`` and let it fill the parent.

    Strings in the file go through Qt's translation mechanism with the form's class name as
    context, like every other text of the client.
    """
    path = form_path(name)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FormFileError(f"cannot open {path}: {file.errorString()}")
    try:
        loader = QUiLoader()
        form = loader.load(file, parent)
    finally:
        file.close()
    if form is None:
        raise FormFileError(f"cannot load {path}: {loader.errorString()}")
    layout = parent.layout() or QVBoxLayout(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(form)
    if form.windowTitle():
        parent.setWindowTitle(form.windowTitle())
    return form


def child(form: QWidget, cls: type, name: str):
    """A named widget of a loaded form; a missing name is a bug in the .ui file."""
    widget = form.findChild(cls, name)
    if widget is None:
        raise FormFileError(f"{form.objectName()}: no {cls.__name__} named {name!r}")
    return widget
