"""The quick search's SearchMatch hook (client/lists): a term of a given form (a phone number) also
finds rows through a condition of the spec; other terms search the columns as before."""

from __future__ import annotations

import pytest

from client.exports.columns import Column, ColumnKind
from client.lists.query import ListQuery, count_rows, page_sql
from client.lists.spec import ListColumn, ListSpec, SearchMatch

_BY_ID = SearchMatch(r"#\d{1,9}", "id = CAST(substr({term}, 2) AS bigint)")


def _spec(search=("note",), matches=(_BY_ID,)) -> ListSpec:
    return ListSpec(name="search_test", title="测试", source="yiwei.visit_list", key="id",
                    columns=(ListColumn(Column("note", "备注", ColumnKind.TEXT), "note"),),
                    search=search, search_matches=matches)


def test_a_term_of_the_form_adds_the_condition_with_the_term_bound():
    text, params = page_sql(ListQuery(_spec(), search="#42 复访"))
    assert "id = CAST(substr(%(p1)s, 2) AS bigint)" in text
    assert params["p1"] == "#42"
    # the other term only searches the columns
    assert text.count("substr(") == 1 and "%复访%" in params.values()


def test_a_spec_with_only_search_matches_ignores_other_terms():
    text, params = page_sql(ListQuery(_spec(search=()), search="复访"))
    assert " WHERE " not in text and "复访" not in str(params)
    text, params = page_sql(ListQuery(_spec(search=()), search="#7"))
    assert "substr(" in text and params["p0"] == "#7"


def test_a_condition_must_use_the_term():
    with pytest.raises(ValueError):
        SearchMatch(r"\d+", "id = 1")


def test_the_condition_runs_as_the_login(db, sql):
    visit_id, note = sql("SELECT v.id, v.note FROM yiwei.visit v JOIN yiwei.employee e ON e.id = v.guide_id"
                         " WHERE e.login = 'hz01.guide2' ORDER BY v.id LIMIT 1")[0]
    spec = _spec()
    conn = db.connect_as("hz01.guide2", autocommit=False)
    assert count_rows(conn, ListQuery(spec, search=f"#{visit_id}")).rows == 1
    other = db.connect_as("hz01.guide1", autocommit=False)
    assert count_rows(other, ListQuery(spec, search=f"#{visit_id}")).rows == 0
