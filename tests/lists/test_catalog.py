"""The registry of exportable lists and the checks a spec gets when it registers."""

from __future__ import annotations

import pytest

from client.db.errors import UserFacingError
from client.exports.columns import Column, ColumnKind
from client.lists.catalog import LIST_MODULES, all_lists, allowed, get_list, register_list, validate_spec
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec


def spec(**changes) -> ListSpec:
    values = dict(name="sample", title="样例", source="yiwei.visit_list", key="id",
                  columns=(ListColumn(Column("community", "小区", ColumnKind.TEXT), "community"),))
    values.update(changes)
    return ListSpec(**values)


def test_every_module_list_is_registered():
    assert {"client.customers.lists", "client.system.lists"} <= set(LIST_MODULES)
    names = [s.name for s in all_lists()]
    assert names == sorted(names) and {"visits", "employees"} <= set(names)
    assert get_list("visits").title == "客户流量"
    assert get_list("employees").permissions == ("system.employee.view", "system.employee.manage")


def test_an_unknown_list_is_a_user_facing_error():
    with pytest.raises(UserFacingError) as raised:
        get_list("no_such_list")
    assert "没有名为“no_such_list”的列表" in raised.value.message and "visits" in raised.value.message


@pytest.mark.parametrize(("changes", "message"), [
    (dict(name="Bad Name"), "name"),
    (dict(filters=(FilterSpec("q", "搜索", FilterKind.TEXT, "note"),)), "reserved"),
    (dict(filters=(FilterSpec("kind", "类型", FilterKind.CHOICE, "intent"),)), "no choices"),
    (dict(default_sort="nothing"), "default sort"),
    (dict(columns=(ListColumn(Column("a", "甲", ColumnKind.TEXT), "note"),
                   ListColumn(Column("a", "乙", ColumnKind.TEXT), "community"))), "repeat"),
])
def test_mistakes_in_a_spec_are_found_at_registration(changes, message):
    with pytest.raises(ValueError, match=message):
        validate_spec(spec(**changes))


def test_a_name_registers_once():
    visits = get_list("visits")
    assert register_list(visits) is visits  # importing a module twice is harmless
    with pytest.raises(ValueError, match="twice"):
        register_list(spec(name="visits"))


def test_permission_of_a_list_follows_the_session():
    class Login:
        def __init__(self, *codes):
            self.codes = codes

        def can(self, code):
            return code in self.codes

    visits = get_list("visits")
    assert allowed(visits, Login("customers.visit"))
    assert not allowed(visits, Login("finance.receipt"))
    assert allowed(spec(), Login())
