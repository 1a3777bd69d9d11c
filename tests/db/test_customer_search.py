"""yiwei.find_customers — the customer list's quick search — as real logins: the index lookup finds
exactly what a plain substring match over the same fields finds, stays inside the login's scope, and
shows whole-number fragments only to those who may see whole numbers."""

from __future__ import annotations

import random

import pytest

from .customer_data import create_customer, masked, new_mobile, token
from .helpers import scalar


def found(conn, term: str) -> set[int]:
    return set(scalar(conn, "SELECT yiwei.find_customers(%s)", (term,)))


def substring_matches(sql, term: str, whole_phones: bool = False) -> set[int]:
    """Ground truth as the superuser: the term within number, name, masked phone or address — and,
    for those who see whole numbers, a run of digits within the whole phone."""
    return {row[0] for row in sql(
        """SELECT c.id FROM yiwei.customer c
             LEFT JOIN yiwei.phone_book pb ON pb.subject = 'customer' AND pb.ref_id = c.id
            WHERE strpos(lower(concat_ws(' ', c.number, c.name, c.phone_masked, c.community, c.building, c.unit,
                                         c.room, c.address)), lower(%(term)s)) > 0
               OR (%(whole)s AND %(term)s ~ '^[0-9]{3,}$' AND strpos(pb.phone, %(term)s) > 0)""",
        {"term": term, "whole": whole_phones})}


def test_every_fragment_of_real_customers_finds_what_a_substring_scan_finds(db, sql):
    boss = db.connect_as("hq.boss")
    rng = random.Random(20261128)
    rows = sql("""SELECT number, name, phone_masked, concat_ws(' ', community, building, unit, room, address)
                    FROM yiwei.customer ORDER BY id""")
    terms = {"张", "1", "万科", "KH-", "0571", "138"}
    while len(terms) < 60:
        text = rng.choice(rng.choice(rows)) or ""
        words = text.split()
        if not words:
            continue
        word = rng.choice(words)
        start = rng.randrange(len(word))
        terms.add(word[start:start + rng.randint(1, 6)])
    for term in sorted(terms):
        assert found(boss, term) == substring_matches(sql, term, whole_phones=True), term


def test_guide_finds_own_customers_by_any_part_and_never_a_colleagues(db):
    mark = token()
    mine, my_phone = create_customer(db.connect_as("hz01.guide1"), "HZ01", name=f"欧阳{mark}",
                                     community=f"翡翠湾{mark}", room="2305")
    theirs, their_phone = create_customer(db.connect_as("hz01.guide2"), "HZ01", name=f"欧阳{mark}",
                                          community=f"翡翠湾{mark}", room="2305")
    guide = db.connect_as("hz01.guide1")
    number = scalar(db.admin(), "SELECT number FROM yiwei.customer WHERE id = %s", (mine,))
    for term in (f"欧阳{mark}", f"阳{mark}", f"翡翠湾{mark}", number, number[3:],
                 masked(my_phone), my_phone):
        assert mine in found(guide, term) and theirs not in found(guide, term), term
    # the colleague's customer is not found even by its whole number
    assert found(guide, their_phone) == set()
    manager = db.connect_as("hz01.manager")
    assert {mine, theirs} <= found(manager, f"欧阳{mark}")


def test_whole_number_fragments_only_for_those_who_see_whole_numbers(db):
    phone = new_mobile()
    customer, _ = create_customer(db.connect_as("hz01.guide1"), "HZ01", phone=phone)
    middle = phone[3:7]  # hidden behind ****
    assert customer in found(db.connect_as("hz01.manager"), middle)
    assert customer not in found(db.connect_as("hz01.guide1"), middle)


@pytest.mark.parametrize("term", ["%", "_", "\\", "%%", "'"])
def test_like_wildcards_are_plain_characters(db, sql, term):
    assert found(db.connect_as("hq.boss"), term) == substring_matches(sql, term)


def test_a_login_without_customer_rights_finds_nothing(db):
    assert found(db.connect_as("hz01.finance"), "张") == set()


def test_employees_may_run_every_function_of_an_index_expression(sql):
    # Otherwise the planner, inlining such a function for the owner but not for the employee who
    # first opened the table in the session, no longer matches the index and scans the whole table.
    missing = sql("""
        SELECT i.indexrelid::regclass::text, p.oid::regprocedure::text
          FROM pg_index i
          JOIN pg_class t ON t.oid = i.indrelid AND t.relnamespace = 'yiwei'::regnamespace
          JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                          AND d.refclassid = 'pg_proc'::regclass
          JOIN pg_proc p ON p.oid = d.refobjid
         WHERE i.indexprs IS NOT NULL
           AND NOT has_function_privilege((SELECT app_role FROM yiwei.instance), p.oid, 'EXECUTE')""")
    assert missing == []
