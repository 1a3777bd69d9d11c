"""家装设计师管理: designers of decoration companies (or independent ones) who bring customers."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.forms import FieldSpec

from .channels import PHONE_PLACEHOLDER
from .records import channel_choices, load_record, save_through
from .screen import MasterDataKind

translate = QCoreApplication.translate


def designer_fields() -> list[FieldSpec]:
    t = lambda s: translate("masterdata", s)  # noqa: E731
    return [
        FieldSpec("name", t("姓名"), required=True, max_length=30),
        FieldSpec("phone", t("联系电话"), max_length=30, placeholder=t(PHONE_PLACEHOLDER)),
        FieldSpec("channel_id", t("所属渠道"), "choice", choices=channel_choices, aliases=("渠道",)),
        FieldSpec("speciality", t("擅长风格"), max_length=60, placeholder=t("如 现代简约、新中式")),
        FieldSpec("note", t("备注"), max_length=500),
        FieldSpec("active", t("启用"), "bool"),
    ]


def load_designer(conn, designer_id: int) -> dict:
    return load_record(conn, "SELECT id, version, name, phone, channel_id, speciality, note, active"
                             "  FROM yiwei.decoration_designer WHERE id = :id", designer_id)


def save_designer(conn, values: dict) -> int:
    keys = ("name", "phone", "channel_id", "speciality", "note", "active")
    return save_through(conn, "yiwei.save_decoration_designer", values, {key: values.get(key) for key in keys})


DECORATION_DESIGNER = MasterDataKind(
    list_name="decoration_designers", permission="masterdata.decoration_designer", noun="家装设计师",
    fields=designer_fields, load=load_designer, save=save_designer)
