"""小区信息: residential communities and their other names.

The database compares community names by a key that ignores how numbers, spaces and punctuation
are written (万科城一期 = 万科城1期 = 万科城 1 期); aliases are for the names that key cannot see
(万科城I期, 万科城南区). An alias that names another community is refused by the database.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication
from sqlalchemy import text

from client.ui.forms import FieldSpec

from .records import load_record, region_choices, save_through
from .screen import MasterDataKind

translate = QCoreApplication.translate
ALIAS_MAX = 60
_ALIAS_SEPARATORS = re.compile(r"[\r\n、，,；;]+")
ALIAS_HINT = ("每行一个别名，或用“、”“，”“,”隔开。数字、空格和标点的写法不同会自动视为同一小区"
              "（如“万科城一期”与“万科城1期”），无需录入；别名用于其他叫法，如“万科城I期”“万科城南区”。")


def parse_aliases(typed: str | None) -> list[str]:
    """The aliases typed (one per line or separated by 、，,), trimmed, without repeats."""
    aliases: list[str] = []
    for part in _ALIAS_SEPARATORS.split(typed or ""):
        alias = part.strip()
        if alias and alias not in aliases:
            aliases.append(alias)
    return aliases


def community_fields() -> list[FieldSpec]:
    t = lambda s: translate("masterdata", s)  # noqa: E731
    return [
        FieldSpec("name", t("小区名称"), required=True, max_length=60, placeholder=t("如 万科城一期")),
        FieldSpec("district", t("区县"), max_length=30, placeholder=t("如 余杭区")),
        FieldSpec("address", t("地址"), max_length=100),
        FieldSpec("region_id", t("所属大区"), "choice", choices=region_choices, aliases=("大区",)),
        FieldSpec("aliases", t("别名"), "multiline", placeholder=t("万科城I期\n万科城南区")),
        FieldSpec("active", t("启用"), "bool"),
    ]


def check_community(values: dict) -> dict:
    for alias in parse_aliases(values.get("aliases")):
        if len(alias) > ALIAS_MAX:
            return {"aliases": translate("masterdata", "别名“%s…”不能超过 %d 个字符") % (alias[:10], ALIAS_MAX)}
    return {}


def load_community(conn, community_id: int) -> dict:
    values = load_record(conn, "SELECT id, version, name, district, address, region_id, active"
                               "  FROM yiwei.community WHERE id = :id", community_id)
    aliases = conn.execute(text("SELECT alias FROM yiwei.community_alias WHERE community_id = :id ORDER BY id"),
                           {"id": community_id}).scalars()
    return {**values, "aliases": "\n".join(aliases)}


def save_community(conn, values: dict) -> int:
    payload = {key: values.get(key) for key in ("name", "district", "address", "region_id", "active")}
    payload["aliases"] = parse_aliases(values.get("aliases"))
    return save_through(conn, "yiwei.save_community", values, payload)


COMMUNITY = MasterDataKind(
    list_name="communities", permission="masterdata.community", noun="小区",
    fields=community_fields, load=load_community, save=save_community, check=check_community,
    hints=(("aliases", ALIAS_HINT),))
