"""The registry of exportable lists.

A module declares its lists in its own ``lists.py`` and registers them with :func:`register_list`;
the modules are named in ``LIST_MODULES`` and imported on first use, so the list window, the
shell and ``yiwei export`` (which runs without any window) all see the same lists.
"""

from __future__ import annotations

import importlib
import re

from client.db.errors import UserFacingError

from .query import SEARCH_KEY
from .spec import FilterKind, ListSpec

# Module packages whose lists.py registers lists.
LIST_MODULES = ["client.customers.lists", "client.customers.work_lists", "client.customers.lead_lists", "client.system.lists",
                "client.masterdata.lists", "client.masterdata.catalogue_lists", "client.orders.contract_lists",
                "client.orders.review_lists"]

_LISTS: dict[str, ListSpec] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_.]{1,59}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def validate_spec(spec: ListSpec) -> None:
    """Mistakes in a spec found at registration rather than when a clerk opens the list."""

    def fail(message: str):
        raise ValueError(f"list {spec.name!r}: {message}")

    if not _NAME.match(spec.name):
        fail("the name must be lower-case letters, digits, '_' or '.'")
    if not spec.key or not spec.columns:
        fail("a list needs a key and at least one column")
    column_keys = [c.key for c in spec.columns]
    if len(set(column_keys)) != len(column_keys):
        fail("column keys repeat")
    for key in column_keys:
        # Keys end up in settings values ("a,-b,c") and on the command line.
        if not _KEY.match(key):
            fail(f"column key {key!r} must be lower-case letters, digits or '_'")
    filter_keys = [f.key for f in spec.filters]
    if len(set(filter_keys)) != len(filter_keys):
        fail("filter keys repeat")
    for spec_filter in spec.filters:
        if spec_filter.key == SEARCH_KEY or not _KEY.match(spec_filter.key):
            fail(f"filter key {spec_filter.key!r} is reserved or malformed")
        if spec_filter.kind is FilterKind.CHOICE and not (spec_filter.choices or spec_filter.choices_sql):
            fail(f"choice filter {spec_filter.key!r} has no choices")
    if spec.default_sort and spec.default_sort != spec.key:
        if spec.default_sort not in column_keys:
            fail(f"default sort {spec.default_sort!r} is not a column")
        if not spec.column(spec.default_sort).sortable:
            fail(f"default sort {spec.default_sort!r} is not sortable")


def register_list(spec: ListSpec) -> ListSpec:
    validate_spec(spec)
    if spec.name in _LISTS and _LISTS[spec.name] is not spec:
        raise ValueError(f"list registered twice: {spec.name}")
    _LISTS[spec.name] = spec
    return spec


def load_lists() -> dict[str, ListSpec]:
    for name in LIST_MODULES:
        importlib.import_module(name)
    return _LISTS


def all_lists() -> list[ListSpec]:
    """Every registered list, by name."""
    return sorted(load_lists().values(), key=lambda spec: spec.name)


def get_list(name: str) -> ListSpec:
    lists = load_lists()
    spec = lists.get(name)
    if spec is None:
        known = "、".join(sorted(lists)) or "无"
        raise UserFacingError(f"没有名为“{name}”的列表；可导出的列表：{known}（yiwei export --list 查看详情）",
                              kind="not_found")
    return spec


def allowed(spec: ListSpec, session) -> bool:
    """Whether the login holds one of the permissions the list asks for (the database decides
    which rows it then sees)."""
    return not spec.permissions or any(session.can(code) for code in spec.permissions)


def require_allowed(spec: ListSpec, session) -> None:
    if not allowed(spec, session):
        raise UserFacingError(f"没有权限查看或导出“{spec.title}”", kind="permission")
