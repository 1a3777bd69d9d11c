"""UI fixtures: the configured application, test functions in the registry, isolated settings,
and main windows of real demo logins."""

from __future__ import annotations


import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from client.ui import registry
from client.ui.registry import FunctionSpec

# Test functions spread over modules so that positions see different menus:
#   guide (customers.visit), store finance (finance.receipt), head office (inventory.stock,
#   system.employee.view), administrator (system.employee.view) — and one every employee may use.
TEST_FUNCTIONS = [
    ("uitest.visits", "customers", "来访登记（测试）", ("customers.visit",)),
    ("uitest.receipts", "finance", "收据（测试）", ("finance.receipt",)),
    ("uitest.stock", "inventory", "库存（测试）", ("inventory.stock",)),
    ("uitest.employees", "system", "员工（测试）", ("system.employee.view",)),
    ("uitest.notes", "reports", "公告（测试）", ()),
]


class ProbeScreen(QWidget):
    """A small function screen: a search field and a label; counts how often it was built."""

    built: list[str] = []

    def __init__(self, ctx, parent, function_id: str):
        super().__init__(parent)
        self.ctx = ctx
        self.function_id = function_id
        self.allow_close = True
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("搜索")
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(QLabel(f"{function_id} · {ctx.session.full_name}", self), 1)
        ProbeScreen.built.append(function_id)

    def confirm_close(self) -> bool:
        return self.allow_close


@pytest.fixture(scope="session")
def app(qapp):
    from client.ui.app import create_application

    return create_application([])


@pytest.fixture
def ui_functions(app):
    """Registers the test functions next to the real ones."""
    specs = {}
    for fid, module, title, permissions in TEST_FUNCTIONS:
        spec = FunctionSpec(fid, module, title, lambda ctx, parent, fid=fid: ProbeScreen(ctx, parent, fid),
                            permissions=permissions, order=900)
        specs[fid] = registry.register_function(spec)
    ProbeScreen.built.clear()
    yield specs
    for fid in specs:
        registry.FUNCTIONS.pop(fid, None)


@pytest.fixture
def settings_store(tmp_path):
    return QSettings(str(tmp_path / "yiwei.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(db, qtbot, settings_store, ui_functions):
    """make_window(login) → a shown MainWindow of that demo login (settings in a temporary file)."""
    from client.ui.main_window import MainWindow, create_context

    def make(login_name: str, **kwargs):
        window = MainWindow(create_context(db.session(login_name), settings_store), **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make
