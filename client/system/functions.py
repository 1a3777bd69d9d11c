"""The functions of 系统管理 (module 9). Each screen's module is imported when its dock is first
opened, so the shell starts without loading every screen."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.registry import FunctionSpec, register_function

translate = QCoreApplication.translate


def _employees(ctx, parent):
    from .employees import EmployeesScreen

    return EmployeesScreen(ctx, parent)


def _positions(ctx, parent):
    from .positions import PositionsScreen

    return PositionsScreen(ctx, parent)


def _organisation(ctx, parent):
    from .organisation import OrganisationScreen

    return OrganisationScreen(ctx, parent)


def _parameters(ctx, parent):
    from .parameters import ParametersScreen

    return ParametersScreen(ctx, parent)


def _plain_list(name):
    """A function that is just a list (filter, export, print nothing else)."""

    def factory(ctx, parent):
        from client.lists.catalog import get_list
        from client.ui.list_view import ListWindow

        return ListWindow(ctx, get_list(name), parent)

    return factory


def _change_password(ctx, parent):
    from .password import ChangePasswordPanel

    return ChangePasswordPanel(ctx, parent)


register_function(FunctionSpec(
    id="system.employees", module="system", title=translate("functions", "员工信息"), factory=_employees,
    permissions=("system.employee.view", "system.employee.manage"), order=10))
register_function(FunctionSpec(
    id="system.positions", module="system", title=translate("functions", "岗位信息"), factory=_positions,
    permissions=("system.position.manage",), order=20))
register_function(FunctionSpec(
    id="system.organisation", module="system", title=translate("functions", "网点及部门信息"),
    factory=_organisation, permissions=("system.org.manage",), order=30))
register_function(FunctionSpec(
    id="system.parameters", module="system", title=translate("functions", "客户提醒跟踪参数"),
    factory=_parameters, permissions=("system.parameter.manage",), order=40))
register_function(FunctionSpec(
    id="system.audit_log", module="system", title=translate("functions", "操作日志"),
    factory=_plain_list("audit_log"), permissions=("system.audit.view",), order=50))
register_function(FunctionSpec(
    id="system.output_log", module="system", title=translate("functions", "导出与打印记录"),
    factory=_plain_list("output_log"), permissions=(), order=60))
# Every employee may change their own password; the shell's menu entry 修改密码 opens this id.
register_function(FunctionSpec(
    id="system.change_password", module="system", title=translate("functions", "修改密码"),
    factory=_change_password, permissions=(), order=90))
