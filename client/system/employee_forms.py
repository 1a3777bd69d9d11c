"""The dialogs of 员工信息: new/edit employee, disable, reset password, extra stores.

Each dialog is a RecordForm over a checked function of the database; passwords leave the client
only as SCRAM verifiers.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject
from sqlalchemy import text

from client.db.errors import UserFacingError
from client.db.passwords import WeakPasswordError, check_strength, scram_verifier
from client.ui.forms import FieldSpec, RecordForm

from .organisation_data import Organisation

translate = QCoreApplication.translate

EMPLOYEE_COLUMNS = ("id, version, login, full_name, phone, position_id, store_id, region_id, department_id, "
                    "active, disabled_reason")


# --- reading --------------------------------------------------------------------------------------
def load_employee(conn, employee_id: int) -> dict:
    row = conn.execute(text(f"SELECT {EMPLOYEE_COLUMNS} FROM yiwei.employee WHERE id = :id"),
                       {"id": employee_id}).mappings().first()
    if row is None:
        raise UserFacingError(translate("employees", "员工不存在或您无权查看"), kind="not_found")
    return dict(row)


def load_extra_store_ids(conn, employee_id: int) -> list[int]:
    return list(conn.execute(text("SELECT store_id FROM yiwei.employee_store WHERE employee_id = :id ORDER BY store_id"),
                             {"id": employee_id}).scalars())


def display_name(row: dict) -> str:
    return f"{row['full_name']}（{row['login']}）"


# --- checks ---------------------------------------------------------------------------------------
def password_errors(values: dict, first: str = "password", second: str = "password2") -> dict:
    """Strength of the new password and that both entries match, as {field key: message}."""
    try:
        check_strength(values[first])
    except WeakPasswordError as exc:
        return {first: str(exc)}
    if values[first] != values[second]:
        return {second: translate("employees", "两次输入的密码不一致")}
    return {}


# --- new / edit -----------------------------------------------------------------------------------
def employee_fields(creating: bool) -> list[FieldSpec]:
    t = lambda s: translate("employees", s)  # noqa: E731
    fields = [
        FieldSpec("login", t("登录名"), required=True, max_length=30, read_only_on_edit=True,
                  placeholder=t("小写字母、数字或点，如 zhang.wei")),
        FieldSpec("full_name", t("姓名"), required=True, max_length=30),
        FieldSpec("phone", t("手机号码"), max_length=11, placeholder=t("11 位手机号，可不填"), aliases=("手机",)),
        FieldSpec("position_id", t("岗位"), "choice", required=True, choices=[]),
        FieldSpec("store_id", t("门店"), "choice", choices=[]),
        FieldSpec("region_id", t("大区"), "choice", choices=[]),
        FieldSpec("department_id", t("部门"), "choice", choices=[]),
    ]
    if creating:
        fields += [FieldSpec("password", t("初始密码"), "password", required=True, max_length=100,
                             placeholder=t("至少 8 位，含字母和数字")),
                   FieldSpec("password2", t("确认密码"), "password", required=True, max_length=100)]
    return fields


class EmployeePlacement(QObject):
    """Keeps store, region and department choices consistent with the position's data scope:
    store and own positions sit in a store (the region follows the store), region positions in a
    region (a store of that region is optional), company positions at head office or a store."""

    def __init__(self, form: RecordForm, org: Organisation, current: dict | None = None):
        super().__init__(form)
        self.form = form
        self.org = org
        # where the employee sits now stays selectable even if that store/region was deactivated
        self.keep = current or {}
        self._busy = False
        fields = form.fields
        fields.set_choices("position_id", org.position_choices())
        fields.set_choices("region_id", org.region_choices(keep=self.keep.get("region_id")))
        form.valueChanged.connect(self.update)
        self.update("position_id")

    def update(self, key: str) -> None:
        if self._busy or key not in ("position_id", "store_id", "region_id"):
            return
        self._busy = True
        try:
            self._apply()
        finally:
            self._busy = False

    def _apply(self) -> None:
        fields, org = self.form.fields, self.org
        values = fields.values()
        position = org.position(values["position_id"])
        scope = position.scope if position else None
        editable = not self.form.read_only
        # choices first: a value that is no longer offered falls back to "none"
        if scope == "region":
            fields.set_field_enabled("region_id", editable)
            fields.set_field_required("region_id", True)
            fields.set_field_required("store_id", False)
            region_id = values["region_id"]
            fields.set_choices("store_id", org.store_choices(region_id=region_id, keep=self.keep.get("store_id"))
                               if region_id else [])
        else:
            fields.set_field_enabled("region_id", False)
            fields.set_field_required("region_id", False)
            fields.set_field_required("store_id", scope in ("own", "store"))
            fields.set_choices("store_id", org.store_choices(keep=self.keep.get("store_id")))
            store = org.store(fields.values()["store_id"])
            fields.set_values({"region_id": store.region_id if store else None})
        fields.set_choices("department_id", org.department_choices(
            fields.values()["store_id"], keep=self.keep.get("department_id")))


def _placement_params(values: dict) -> dict:
    return {"full_name": values["full_name"], "position_id": values["position_id"], "store_id": values["store_id"],
            "region_id": values["region_id"], "department_id": values["department_id"], "phone": values["phone"]}


def create_employee(conn, values: dict) -> int:
    return conn.execute(text(
        "SELECT yiwei.create_employee(:login, :full_name, :position_id, :store_id, :region_id, :department_id,"
        " :phone, :verifier)"),
        {"login": values["login"], "verifier": scram_verifier(values["password"]), **_placement_params(values)}
    ).scalar_one()


def update_employee(conn, values: dict) -> int:
    conn.execute(text(
        "SELECT yiwei.update_employee(:id, :version, :full_name, :position_id, :store_id, :region_id,"
        " :department_id, :phone)"), {"id": values["id"], "version": values["version"], **_placement_params(values)})
    return values["id"]


def new_employee_form(ctx, org: Organisation, parent=None) -> RecordForm:
    form = RecordForm(ctx, translate("employees", "新建员工"), employee_fields(True), save=create_employee,
                      check=password_errors, editing=False, parent=parent,
                      message=translate("employees", "每位员工都是一个数据库登录账号；密码只以加密校验值发送到服务器。"))
    EmployeePlacement(form, org)
    form.set_values({})
    return form


def edit_employee_form(ctx, org: Organisation, row: dict, parent=None, *, read_only: bool = False) -> RecordForm:
    title = translate("employees", "查看员工") if read_only else translate("employees", "编辑员工")
    form = RecordForm(ctx, f"{title} – {display_name(row)}", employee_fields(False), initial=row,
                      save=None if read_only else update_employee,
                      reload=lambda conn: load_employee(conn, row["id"]), editing=True, parent=parent)
    EmployeePlacement(form, org, row)
    form.set_values(row)   # choices exist now: select the employee's store, region and department
    return form


# --- disable / enable / password / stores ---------------------------------------------------------
def disable_employee(conn, values: dict) -> int:
    conn.execute(text("SELECT yiwei.disable_employee(:id, :version, :reason)"),
                 {"id": values["id"], "version": values["version"], "reason": values["reason"]})
    return values["id"]


def disable_form(ctx, row: dict, parent=None) -> RecordForm:
    t = lambda s: translate("employees", s)  # noqa: E731
    name = display_name(row)
    return RecordForm(
        ctx, f"{t('停用员工')} – {name}",
        [FieldSpec("reason", t("停用原因"), "multiline", required=True, max_length=200,
                   placeholder=t("例如：离职、调岗"))],
        initial={"id": row["id"], "version": row["version"]}, save=disable_employee, editing=True,
        reload=lambda conn: {k: v for k, v in load_employee(conn, row["id"]).items() if k in ("id", "version")},
        message=t("停用后该员工不能再登录，已经打开的窗口也看不到数据；员工的历史记录全部保留，可随时重新启用。"),
        save_text=t("停用"), confirm=t("确定停用员工“%s”吗？") % name, parent=parent)


def enable_employee(conn, employee_id: int, version: int) -> None:
    conn.execute(text("SELECT yiwei.enable_employee(:id, :version)"), {"id": employee_id, "version": version})


def reset_password(conn, values: dict) -> int:
    conn.execute(text("SELECT yiwei.reset_employee_password(:id, :verifier)"),
                 {"id": values["id"], "verifier": scram_verifier(values["password"])})
    return values["id"]


def reset_password_form(ctx, row: dict, parent=None) -> RecordForm:
    t = lambda s: translate("employees", s)  # noqa: E731
    return RecordForm(
        ctx, f"{t('重置密码')} – {display_name(row)}",
        [FieldSpec("password", t("新密码"), "password", required=True, max_length=100,
                   placeholder=t("至少 8 位，含字母和数字")),
         FieldSpec("password2", t("确认新密码"), "password", required=True, max_length=100)],
        initial={"id": row["id"]}, save=reset_password, check=password_errors, editing=True,
        message=t("请把新密码当面或电话告知员工，并提醒其登录后在“修改密码”中改为自己的密码。"),
        save_text=t("重置密码"), parent=parent)


def set_extra_stores(conn, values: dict) -> int:
    conn.execute(text("SELECT yiwei.set_employee_stores(:id, CAST(:stores AS integer[]))"),
                 {"id": values["id"], "stores": list(values["stores"])})
    return values["id"]


def extra_stores_form(ctx, org: Organisation, row: dict, current: list[int], parent=None) -> RecordForm:
    t = lambda s: translate("employees", s)  # noqa: E731
    choices = [c for c in org.store_choices(keep=None) if c[0] != row["store_id"]]
    choices += [(s.id, f"{s.code} {s.name}（{t('已停用')}）") for s in org.stores
                if not s.active and s.id in current]
    form = RecordForm(
        ctx, f"{t('兼管门店')} – {display_name(row)}",
        [FieldSpec("stores", t("兼管门店"), "multi_choice", choices=choices, aliases=("门店",))],
        initial={"id": row["id"], "stores": current}, save=set_extra_stores, editing=True,
        message=t("除所属门店外，该员工还负责以下门店（对门店和本人范围的岗位有效，例如一名财务管两家店）。"),
        parent=parent)
    form.widget("stores").setMinimumHeight(260)
    return form
