"""The manager's steps on customers: 转移客户 (to another guide of their store) and 合并重复
(two records of one household become one). Both are small RecordForms whose save calls the
checked function; the database checks permission, scope and the guide's store again."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.forms import FieldSpec, RecordForm

from .customer_data import merge_customers, transfer_customers

translate = QCoreApplication.translate
REASON_MAX = 200


def transfer_form(ctx, customer_ids: list[int], guides: list[tuple], store_names: list[str], parent=None) -> RecordForm:
    t = lambda s: translate("customers", s)  # noqa: E731
    fields = [
        FieldSpec("guide_id", t("接手导购"), "choice", required=True, choices=guides),
        FieldSpec("reason", t("转移原因"), "multiline", required=True, max_length=REASON_MAX,
                  placeholder=t("如 导购离职、工作量调整")),
    ]
    ids = list(customer_ids)
    message = t("把选中的 %d 位客户（%s）转给本店另一位导购。客户的跟踪记录、家庭联系人和设计任务随客户一起转移。") % (
        len(ids), "、".join(store_names))
    if not guides:
        message += "\n" + t("没有可以同时接手这些客户的导购：请只选同一门店的客户。")
    return RecordForm(ctx, t("转移客户"), fields, initial={},
                      save=lambda conn, values: transfer_customers(conn, ids, values["guide_id"], values["reason"]),
                      message=message, save_text=t("转移"), parent=parent)


def duplicate_label(row: dict) -> str:
    return translate("customers", "%s %s（%s，导购 %s）— %s") % (
        row["number"], row["name"], row["store_name"], row["guide_name"], row["reason"])


def merge_form(ctx, current: dict, duplicates: list[dict], parent=None) -> RecordForm:
    """``current`` is the customer the manager started from (id, number, name); ``duplicates``
    are yiwei.customer_duplicates of it."""
    t = lambda s: translate("customers", s)  # noqa: E731
    fields = [
        FieldSpec("duplicate_id", t("重复客户"), "choice", required=True,
                  choices=[(row["id"], duplicate_label(row)) for row in duplicates]),
        FieldSpec("keep", t("保留"), "choice", required=True,
                  choices=[("current", t("保留当前客户 %s %s") % (current["number"], current["name"])),
                           ("duplicate", t("保留所选的重复客户"))]),
        FieldSpec("reason", t("合并原因"), "multiline", required=True, max_length=REASON_MAX),
    ]

    def merge(conn, values):
        if values["keep"] == "current":
            return merge_customers(conn, current["id"], values["duplicate_id"], values["reason"])
        return merge_customers(conn, values["duplicate_id"], current["id"], values["reason"])

    initial = {"keep": "current", "duplicate_id": duplicates[0]["id"] if len(duplicates) == 1 else None}
    return RecordForm(
        ctx, t("合并重复客户"), fields, initial=initial, save=merge, save_text=t("合并"),
        message=t("被合并的客户的来访、跟踪记录、设计任务和联系人都转到保留的客户名下，其电话成为保留客户的家庭联系人；"
                  "被合并的客户标记为“已合并”，不能再修改。"),
        confirm=t("确定合并这两位客户吗？合并不能撤销。"), editing=False, parent=parent)
