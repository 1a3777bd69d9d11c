"""渠道信息: decoration companies, independent designers, property agents and old customers who bring
customers; a channel serves one region or, without one, the whole company."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.forms import FieldSpec

from .lists import CHANNEL_KINDS
from .records import load_record, region_choices, save_through
from .screen import MasterDataKind

translate = QCoreApplication.translate
PHONE_PLACEHOLDER = "手机 13800001111 或固话 0571-88886666"


def channel_fields() -> list[FieldSpec]:
    t = lambda s: translate("masterdata", s)  # noqa: E731
    return [
        FieldSpec("name", t("渠道名称"), required=True, max_length=40),
        FieldSpec("kind", t("渠道类型"), "choice", required=True,
                  choices=[(value, t(label)) for value, label in CHANNEL_KINDS]),
        FieldSpec("contact_person", t("联系人"), max_length=30),
        FieldSpec("phone", t("联系电话"), max_length=30, placeholder=t(PHONE_PLACEHOLDER)),
        FieldSpec("address", t("地址"), max_length=100),
        FieldSpec("region_id", t("所属大区"), "choice", choices=region_choices, aliases=("大区",)),
        FieldSpec("note", t("备注"), max_length=500),
        FieldSpec("active", t("启用"), "bool"),
    ]


def load_channel(conn, channel_id: int) -> dict:
    return load_record(conn, "SELECT id, version, name, kind, contact_person, phone, address, region_id, note, active"
                             "  FROM yiwei.channel WHERE id = :id", channel_id)


def save_channel(conn, values: dict) -> int:
    keys = ("name", "kind", "contact_person", "phone", "address", "region_id", "note", "active")
    return save_through(conn, "yiwei.save_channel", values, {key: values.get(key) for key in keys})


CHANNEL = MasterDataKind(
    list_name="channels", permission="masterdata.channel", noun="渠道",
    fields=channel_fields, load=load_channel, save=save_channel,
    hints=(("region_id", "选“全公司”表示该渠道不限大区，与各大区的门店都合作。"),))
