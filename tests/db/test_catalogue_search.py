"""Style aliases and the product search: yiwei.find_products finds products by code, name, style
and any alias of the style, comparing the yiwei.text_key forms (full-width letters, spaces,
punctuation and Chinese numerals written either way)."""

from __future__ import annotations

import pytest

from .catalogue_data import GUIDE, MANAGER, call, make_shelf
from .customer_data import INVALID, refusal, token
from .helpers import scalar


@pytest.fixture
def manager(db):
    return db.connect_as(MANAGER)


def found(conn, term) -> list:
    return scalar(conn, "SELECT yiwei.find_products(%s)", (term,))


def test_products_are_found_by_code_name_and_style(db, manager):
    style = f"新中式{token().upper()}三代"
    shelf = make_shelf(manager, style=style)
    guide = db.connect_as(GUIDE)        # the catalogue is for everyone
    a, b, c = shelf.id("a"), shelf.id("b"), shelf.id("c")
    assert found(guide, shelf.code("a")) == [a]
    assert found(guide, shelf.code("a").lower()) == [a]
    assert found(guide, f"P{shelf.t}") == [a, b, c]                          # part of the code
    assert found(guide, f"p{shelf.t}a") == [a]                               # code written without the dash
    assert found(guide, f"地柜b{shelf.t}") == [b]                             # the name
    assert found(guide, f"地柜 B {shelf.t}") == [b]                           # spaces and case do not matter
    assert found(guide, style.replace("三", "3")) == [a, b, c]                # 三代 = 3代
    assert found(guide, "") == [] and found(guide, " ，。") == []
    assert found(guide, f"没有这种东西{token()}") == []


def test_an_alias_finds_the_products_of_its_style_however_it_is_written(manager):
    t = token().upper()
    style = f"简欧{t}"
    shelf = make_shelf(manager, style=style)
    alias = call(manager, "save_style_alias", None, None, {"style": style, "alias": f"欧式简约一期{t}"})
    every = [shelf.id("a"), shelf.id("b"), shelf.id("c")]
    assert found(manager, f"欧式简约一期{t}") == every
    assert found(manager, f"欧式简约 1 期 {t.lower()}") == every              # 一期 = 1期, spaces, case
    assert found(manager, f"欧式简约１期{t}") == every                        # full-width digit
    assert found(manager, f"约一期{t}") == every                              # a part of the alias

    # a product saved with the alias is stored under its style
    pid = call(manager, "save_product", None, None, {"code": f"AL{t}", "name": "吊柜", "line_id": shelf.line, "unit": "件",
                                                     "style": f"欧式简约1期{t}"})
    assert scalar(manager, "SELECT style FROM yiwei.product WHERE id = %s", (pid,)) == style

    call(manager, "delete_style_alias", alias, 1)
    assert found(manager, f"欧式简约一期{t}") == []


def test_aliases_that_would_make_a_style_ambiguous_are_refused(manager):
    t = token().upper()
    make_shelf(manager, style=f"美式{t}")        # products of style 美式… exist
    call(manager, "save_style_alias", None, None, {"style": f"美式{t}", "alias": f"美式乡村{t}"})
    cases = [
        ({"style": f"美式{t}", "alias": f"美式 {t.lower()}"}, "别名", "视为同一写法"),
        ({"style": f"法式{t}", "alias": f"美式乡村{t}"}, "别名", "已是款型"),
        ({"style": f"美式乡村{t}", "alias": f"乡村{t}"}, "款型", "是款型"),
        ({"style": f"法式{t}", "alias": f"美式{t}"}, "别名", "本身是一个款型"),
        ({"style": f"法式{t}", "alias": "，。"}, "别名", "只有标点"),
        ({"style": "", "alias": f"法{t}"}, "款型", "不能为空"),
    ]
    for payload, label, words in cases:
        with refusal(INVALID, label) as refused_:
            call(manager, "save_style_alias", None, None, payload)
        assert words in refused_.message, (payload, refused_.message)
