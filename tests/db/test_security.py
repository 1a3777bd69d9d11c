"""The security suite: each test connects as a real employee login (never a superuser, which
passes every RLS check trivially) and tries one attack. Every attack is refused or sees nothing."""

from __future__ import annotations

import re

import psycopg2
import pytest

from client.db.passwords import scram_verifier
from client.demo.company import DEMO_PASSWORD

from .helpers import employee_id, refused, rows, scalar, store_id

DENIED = "42501"  # insufficient_privilege (also raised for RLS WITH CHECK violations)


def visit_counts_by_store(conn):
    return dict(rows(conn, "SELECT s.code, count(*) FROM yiwei.visit v JOIN yiwei.store s ON s.id = v.store_id GROUP BY 1"))


@pytest.fixture
def admin(db):
    return db.admin()


# -- reading across stores, regions and guides -----------------------------------------------------

def test_guide_reads_only_own_visits(db, admin):
    guide = db.connect_as("hz01.guide1")
    me = employee_id(admin, "hz01.guide1")
    seen = rows(guide, "SELECT DISTINCT guide_id, store_id FROM yiwei.visit")
    assert seen == [(me, store_id(admin, "HZ01"))]
    assert scalar(guide, "SELECT count(*) FROM yiwei.visit") == scalar(
        admin, "SELECT count(*) FROM yiwei.visit WHERE guide_id = %s", (me,))


def test_guide_cannot_read_colleague_visit_by_id(db, admin):
    other = scalar(admin, "SELECT min(id) FROM yiwei.visit WHERE guide_id = %s", (employee_id(admin, "hz01.guide2"),))
    guide = db.connect_as("hz01.guide1")
    assert rows(guide, "SELECT * FROM yiwei.visit WHERE id = %s", (other,)) == []


def test_store_manager_reads_only_own_store(db, admin):
    manager = db.connect_as("gz01.manager")
    assert visit_counts_by_store(manager) == {"GZ01": visit_counts_by_store(admin)["GZ01"]}


def test_region_director_reads_only_own_region(db, admin):
    director = db.connect_as("hb.director")
    expected = {code: n for code, n in visit_counts_by_store(admin).items() if code in ("BJ01", "TJ01", "SJZ01")}
    assert visit_counts_by_store(director) == expected


def test_head_office_reads_every_store(db, admin):
    assert visit_counts_by_store(db.connect_as("hq.boss")) == visit_counts_by_store(admin)


def test_views_apply_the_callers_policies(db, admin):
    guide = db.connect_as("sh01.guide2")
    assert rows(guide, "SELECT DISTINCT guide_name FROM yiwei.visit_list") == rows(
        admin, "SELECT full_name FROM yiwei.employee WHERE login = 'sh01.guide2'")
    manager = db.connect_as("sh01.manager")
    assert {r[0] for r in rows(manager, "SELECT DISTINCT store_code FROM yiwei.employee_list WHERE store_code IS NOT NULL")} == {"SH01"}


def test_every_view_is_security_invoker(admin):
    views = rows(admin, """SELECT c.relname, coalesce(c.reloptions, '{}') FROM pg_class c
                            JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = 'yiwei' AND c.relkind = 'v'""")
    assert views
    for name, options in views:
        assert "security_invoker=true" in options, name


def test_guide_sees_only_store_colleagues(db, admin):
    guide = db.connect_as("nj01.guide1")
    stores = {r[0] for r in rows(guide, "SELECT DISTINCT store_id FROM yiwei.employee")}
    assert stores == {store_id(admin, "NJ01")}


# -- writing across stores ------------------------------------------------------------------------

def test_manager_cannot_update_other_store_rows(db, admin):
    manager = db.connect_as("hz01.manager")
    gz = store_id(admin, "GZ01")
    with manager.cursor() as cur:
        cur.execute("UPDATE yiwei.visit SET note = 'hacked' WHERE store_id = %s", (gz,))
        assert cur.rowcount == 0
        cur.execute("DELETE FROM yiwei.visit WHERE store_id = %s", (gz,))
        assert cur.rowcount == 0
    assert scalar(admin, "SELECT count(*) FROM yiwei.visit WHERE note = 'hacked'") == 0


def test_guide_cannot_update_colleague_visit(db, admin):
    other = employee_id(admin, "hz01.guide2")
    guide = db.connect_as("hz01.guide1")
    with guide.cursor() as cur:
        cur.execute("UPDATE yiwei.visit SET note = 'mine now' WHERE guide_id = %s", (other,))
        assert cur.rowcount == 0


def test_guide_cannot_delete_visits(db, admin):
    guide = db.connect_as("hz01.guide1")
    with guide.cursor() as cur:
        cur.execute("DELETE FROM yiwei.visit")
        assert cur.rowcount == 0


def test_insert_for_another_store_is_refused(db, admin):
    manager = db.connect_as("hz01.manager")
    gz, gz_guide = store_id(admin, "GZ01"), employee_id(admin, "gz01.guide1")
    with refused(DENIED), manager.cursor() as cur:
        cur.execute("INSERT INTO yiwei.visit (store_id, guide_id, visited_at) VALUES (%s, %s, now())", (gz, gz_guide))


def test_guide_cannot_insert_visit_for_another_guide(db, admin):
    guide = db.connect_as("hz01.guide1")
    with refused(DENIED), guide.cursor() as cur:
        cur.execute("INSERT INTO yiwei.visit (store_id, guide_id, visited_at) VALUES (%s, %s, now())",
                    (store_id(admin, "HZ01"), employee_id(admin, "hz01.guide2")))


def test_guide_records_own_visit(db, admin):
    guide = db.connect_as("hz01.guide1")
    new_id = scalar(guide, "INSERT INTO yiwei.visit (store_id, guide_id, visited_at, party_size, note)"
                           " VALUES (%s, %s, now(), 2, '看橱柜') RETURNING id",
                    (store_id(admin, "HZ01"), employee_id(admin, "hz01.guide1")))
    assert scalar(admin, "SELECT created_by FROM yiwei.visit WHERE id = %s", (new_id,)) == db.profile.role_for("hz01.guide1")


# -- identity spoofing ------------------------------------------------------------------------------

@pytest.mark.parametrize("spoof", [
    "SET yiwei.employee_id = '1'",
    "SELECT set_config('yiwei.current_employee', 'admin', false)",
    "SELECT set_config('app.user', 'hq.boss', false)",
    "SET application_name = 'admin'",
    "SET search_path = pg_temp, public, yiwei",
])
def test_custom_settings_do_not_change_identity(db, admin, spoof):
    guide = db.connect_as("hz01.guide1")
    before = scalar(guide, "SELECT count(*) FROM yiwei.visit")
    with guide.cursor() as cur:
        cur.execute(spoof)
    assert scalar(guide, "SELECT yiwei.current_employee_id()") == employee_id(admin, "hz01.guide1")
    assert scalar(guide, "SELECT count(*) FROM yiwei.visit") == before
    assert scalar(guide, "SELECT yiwei.has_permission('system.employee.manage')") is False


def test_set_role_to_owner_is_refused(db, admin):
    guide = db.connect_as("hz01.guide1")
    owner = scalar(admin, "SELECT owner_role FROM yiwei.instance")
    with refused(DENIED), guide.cursor() as cur:
        cur.execute(f'SET ROLE "{owner}"')


@pytest.mark.parametrize("group", ["app", "own"])
def test_set_role_to_group_role_gains_nothing(db, admin, group):
    guide = db.connect_as("hz01.guide1")
    before = scalar(guide, "SELECT count(*) FROM yiwei.visit")
    ns = scalar(admin, "SELECT namespace FROM yiwei.instance")
    with guide.cursor() as cur:
        cur.execute(f'SET ROLE "{ns}_{group}"')
        cur.execute("SELECT count(*) FROM yiwei.visit")
        # the group roles carry no wider policy, and identity stays session_user
        assert cur.fetchone()[0] <= before
        cur.execute("SELECT yiwei.current_employee_id()")
        assert cur.fetchone()[0] == employee_id(admin, "hz01.guide1")
        cur.execute("RESET ROLE")
        cur.execute("SELECT count(*) FROM yiwei.visit")
        assert cur.fetchone()[0] == before


def test_set_role_to_a_wider_scope_group_is_refused(db, admin):
    ns = scalar(admin, "SELECT namespace FROM yiwei.instance")
    guide = db.connect_as("hz01.guide1")
    for group in ("company", "stores", "store"):
        with refused(DENIED), guide.cursor() as cur:
            cur.execute(f'SET ROLE "{ns}_{group}"')


def scope_groups(admin, login):
    return [r[0] for r in rows(admin, """SELECT g.rolname FROM pg_auth_members m
                                          JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                                         WHERE u.rolname = (SELECT role_name FROM yiwei.employee WHERE login = %s)""",
                               (login,))]


def test_each_login_is_in_exactly_its_scope_group(db, admin):
    ns = scalar(admin, "SELECT namespace FROM yiwei.instance")
    expected = {"hq.boss": "company", "hd.director": "stores", "hz01.manager": "store", "hz01.guide1": "own"}
    for login_name, group in expected.items():
        assert scope_groups(admin, login_name) == [f"{ns}_{group}"], login_name


def test_scope_group_follows_position_and_extra_stores(db, admin):
    from client.db.passwords import scram_verifier as verifier

    boss = db.connect_as("admin")
    ns = scalar(admin, "SELECT namespace FROM yiwei.instance")
    pos = dict(rows(admin, "SELECT code, id FROM yiwei.position"))
    hz02 = store_id(admin, "HZ02")
    eid = scalar(boss, "SELECT yiwei.create_employee('moving.guide', '调岗导购', %s, %s, NULL, NULL, '', %s)",
                 (pos["guide"], hz02, verifier("Move2026x")))
    assert scope_groups(admin, "moving.guide") == [f"{ns}_own"]
    with boss.cursor() as cur:
        cur.execute("SELECT yiwei.update_employee(%s, 1, '调岗店长', %s, %s, NULL, NULL, '')", (eid, pos["store_manager"], hz02))
    assert scope_groups(admin, "moving.guide") == [f"{ns}_store"]
    manager = db.connect_as("moving.guide", "Move2026x")
    assert visit_counts_by_store(manager).keys() == {"HZ02"}
    with boss.cursor() as cur:
        cur.execute("SELECT yiwei.set_employee_stores(%s, ARRAY[%s])", (eid, store_id(admin, "HZ01")))
    assert scope_groups(admin, "moving.guide") == [f"{ns}_stores"]
    assert visit_counts_by_store(manager).keys() == {"HZ01", "HZ02"}


def test_set_session_authorization_is_refused(db, admin):
    guide = db.connect_as("hz01.guide1")
    with refused(DENIED), guide.cursor() as cur:
        cur.execute(f"SET SESSION AUTHORIZATION \"{db.profile.role_for('admin')}\"")


def test_roles_are_not_privileged(db, admin):
    ns = scalar(admin, "SELECT namespace FROM yiwei.instance")
    bad = rows(admin, """SELECT rolname FROM pg_roles WHERE (rolname LIKE %s OR rolname = %s)
                          AND (rolsuper OR rolbypassrls OR rolcreatedb OR rolcreaterole OR rolreplication)""",
               (f"%@{ns}", f"{ns}_app"))
    assert bad == []
    # no employee is a member of the owner role
    assert scalar(admin, """SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                            WHERE r.rolname = %s""", (f"{ns}_owner",)) == 0 or scalar(
        admin, """SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                  JOIN pg_roles mem ON mem.oid = m.member WHERE r.rolname = %s AND mem.rolname LIKE %s""",
        (f"{ns}_owner", f"%@{ns}")) == 0


# -- protected columns ------------------------------------------------------------------------------

@pytest.mark.parametrize("assignment", [
    "version = 99", "created_by = 'someone'", "updated_by = 'someone'", "updated_at = now()",
    "store_id = store_id", "guide_id = guide_id",
])
def test_stamp_and_owner_columns_are_not_updatable(db, assignment):
    manager = db.connect_as("hz01.manager")
    with refused(DENIED), manager.cursor() as cur:
        cur.execute(f"UPDATE yiwei.visit SET {assignment}")


@pytest.mark.parametrize("statement", [
    "UPDATE yiwei.employee SET active = true",
    "UPDATE yiwei.employee SET position_id = 1",
    "INSERT INTO yiwei.employee (login, role_name, full_name, position_id) VALUES ('x1x', 'x', 'x', 1)",
    "DELETE FROM yiwei.employee",
    "INSERT INTO yiwei.position_permission VALUES (1, 'system.employee.manage')",
    "UPDATE yiwei.parameter SET value = '1'",
    "UPDATE yiwei.store SET region_id = region_id",
    "INSERT INTO yiwei.output_log (kind, subject) VALUES ('export', 'fake')",
    "UPDATE yiwei.document_counter SET last_value = 1",
])
def test_reference_tables_are_written_only_by_functions(db, statement):
    admin_login = db.connect_as("admin")  # even the administrator goes through the checked functions
    with refused(DENIED), admin_login.cursor() as cur:
        cur.execute(statement)


# -- the audit trail --------------------------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "DELETE FROM yiwei.audit_log", "UPDATE yiwei.audit_log SET actor = 'nobody'",
    "TRUNCATE yiwei.audit_log", "DELETE FROM yiwei.output_log",
])
def test_audit_rows_cannot_be_changed_by_employees(db, statement):
    auditor = db.connect_as("hq.boss")  # holds system.audit.view
    assert scalar(auditor, "SELECT count(*) FROM yiwei.audit_log") > 0
    with refused(DENIED), auditor.cursor() as cur:
        cur.execute(statement)


def test_audit_rows_cannot_be_changed_even_by_the_owner(db, admin):
    owner = scalar(admin, "SELECT owner_role FROM yiwei.instance")
    with admin.cursor() as cur:
        cur.execute(f'SET ROLE "{owner}"')
    with refused("YW403"), admin.cursor() as cur:
        cur.execute("UPDATE yiwei.audit_log SET actor = 'nobody'")
    with refused("YW403"), admin.cursor() as cur:
        cur.execute(f'SET ROLE "{owner}"')
        cur.execute("DELETE FROM yiwei.audit_log")


def test_audit_is_hidden_without_permission(db):
    assert scalar(db.connect_as("hz01.manager"), "SELECT count(*) FROM yiwei.audit_log") == 0


def test_audit_records_who_changed_what(db, admin):
    guide = db.connect_as("hz01.guide2")
    vid = scalar(guide, "SELECT max(id) FROM yiwei.visit")
    with guide.cursor() as cur:
        cur.execute("UPDATE yiwei.visit SET note = '客户想看样板间' WHERE id = %s", (vid,))
    actor, old, new = rows(admin, """SELECT actor, old_row->>'note', new_row->>'note' FROM yiwei.audit_log
                                    WHERE table_name = 'visit' AND row_key = %s AND action = 'UPDATE'
                                    ORDER BY id DESC LIMIT 1""", (str(vid),))[0]
    assert actor == db.profile.role_for("hz01.guide2")
    assert new == "客户想看样板间" and old != new


# -- TRUNCATE, COPY, DDL ------------------------------------------------------------------------------

@pytest.mark.parametrize("table", ["visit", "employee", "audit_log", "parameter"])
def test_truncate_is_refused(db, table):
    with refused(DENIED), db.connect_as("hq.boss").cursor() as cur:
        cur.execute(f"TRUNCATE yiwei.{table}")


def test_copy_from_is_refused(db, admin):
    manager = db.connect_as("hz01.manager")
    import io

    data = io.StringIO(f"{store_id(admin, 'GZ01')}\t{employee_id(admin, 'gz01.guide1')}\t2026-11-01 10:00+08\n")
    with refused(DENIED, "0A000"), manager.cursor() as cur:
        cur.copy_expert("COPY yiwei.visit (store_id, guide_id, visited_at) FROM STDIN", data)
    with refused(DENIED), manager.cursor() as cur:
        cur.copy_expert("COPY yiwei.employee FROM STDIN", io.StringIO(""))


@pytest.mark.parametrize("ddl", [
    "CREATE TABLE yiwei.evil (id int)",
    "CREATE FUNCTION yiwei.now() RETURNS timestamptz LANGUAGE sql AS 'SELECT now()'",
    "CREATE VIEW yiwei.all_visits AS SELECT * FROM yiwei.visit",
    "CREATE TABLE public.evil (id int)",
    "CREATE TEMP TABLE employee (id int)",
    "CREATE SCHEMA evil",
    "ALTER TABLE yiwei.visit DISABLE ROW LEVEL SECURITY",
    "DROP POLICY own_select ON yiwei.visit",
    "ALTER FUNCTION yiwei.visible_store_ids() SET search_path = public",
])
def test_creating_or_altering_objects_is_refused(db, ddl):
    with refused(DENIED, "42P06", "42710"), db.connect_as("admin").cursor() as cur:
        cur.execute(ddl)


def test_definer_functions_pin_their_search_path(admin):
    unpinned = rows(admin, """SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                               WHERE n.nspname = 'yiwei' AND p.prosecdef
                                 AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, yiwei, pg_temp']""")
    assert unpinned == []


def test_no_function_is_executable_by_public(admin):
    public = rows(admin, """SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                             WHERE n.nspname = 'yiwei' AND has_function_privilege('public', p.oid, 'EXECUTE')""")
    assert public == []


@pytest.mark.parametrize("call", [
    "SELECT yiwei.next_document_number('RC', 1)",
    "SELECT yiwei.audit_event('visit', '1', '{}')",
    "SELECT yiwei.assert_version('yiwei.visit', 1, 1)",
    "SELECT yiwei.store_ids_for_employee(1)",
    "SELECT yiwei.tg_audit()",
])
def test_internal_functions_are_not_callable(db, call):
    with refused(DENIED, "0A000"), db.connect_as("hq.boss").cursor() as cur:
        cur.execute(call)


# -- tables: RLS on, forced, and policies that evaluate helpers once --------------------------------

def test_every_table_has_forced_rls(admin):
    loose = rows(admin, """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'yiwei' AND c.relkind = 'r' AND c.relname <> 'alembic_version'
                              AND NOT (c.relrowsecurity AND c.relforcerowsecurity)""")
    assert loose == []


def test_policies_call_helpers_through_subselects(admin):
    for name, table, qual in rows(admin, """SELECT policyname, tablename, coalesce(qual, '') || ' ' || coalesce(with_check, '')
                                             FROM pg_policies WHERE schemaname = 'yiwei'"""):
        calls = len(re.findall(r"yiwei\.\w+\(", qual))
        wrapped = len(re.findall(r"\( SELECT yiwei\.\w+\(", qual))
        assert calls == wrapped, f"{table}.{name} calls a helper per row: {qual}"


def test_app_role_has_no_truncate_references_or_trigger(admin):
    app = scalar(admin, "SELECT app_role FROM yiwei.instance")
    bad = rows(admin, """SELECT c.relname, p FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                                unnest(ARRAY['TRUNCATE', 'REFERENCES', 'TRIGGER']) p
                          WHERE n.nspname = 'yiwei' AND c.relkind IN ('r', 'v')
                            AND has_table_privilege(%s, c.oid, p)""", (app,))
    assert bad == []


# -- admin functions without permission -----------------------------------------------------------------

@pytest.mark.parametrize("call,args", [
    ("yiwei.create_employee(%s, %s, %s, NULL, NULL, NULL, '', %s)", lambda a: ("mole1", "内鬼", 1, scram_verifier("x1234567"))),
    ("yiwei.reset_employee_password(%s, %s)", lambda a: (employee_id(a, "admin"), scram_verifier("x1234567"))),
    ("yiwei.disable_employee(%s, 1, '')", lambda a: (employee_id(a, "hz01.guide2"),)),
    ("yiwei.create_position('boss2', '假老板', 'company', '', ARRAY['system.employee.manage'])", lambda a: ()),
    ("yiwei.set_parameter('lead.protection_days', '999', 1)", lambda a: ()),
    ("yiwei.save_store(NULL, NULL, 'EVIL1', '黑店', 1, 'showroom', '', '', '', true)", lambda a: ()),
    ("yiwei.set_company_name('黑客公司')", lambda a: ()),
])
def test_admin_functions_refuse_without_permission(db, admin, call, args):
    guide = db.connect_as("hz01.guide1")
    with refused("YW403"), guide.cursor() as cur:
        cur.execute(f"SELECT {call}", args(admin))


# -- disabled employees -----------------------------------------------------------------------------------

def test_disabled_employee_cannot_log_in_and_open_session_sees_nothing(db, admin):
    boss_admin = db.connect_as("admin")
    position = scalar(admin, "SELECT id FROM yiwei.position WHERE code = 'store_manager'")
    new_id = scalar(boss_admin, "SELECT yiwei.create_employee('leaver.one', '离职员工', %s, %s, NULL, NULL, '', %s)",
                    (position, store_id(admin, "HZ02"), scram_verifier("Leave2026x")))
    open_session = db.connect_as("leaver.one", "Leave2026x")
    assert scalar(open_session, "SELECT count(*) FROM yiwei.visit") > 0
    with boss_admin.cursor() as cur:
        cur.execute("SELECT yiwei.disable_employee(%s, 1, '离职')", (new_id,))
    assert scalar(open_session, "SELECT count(*) FROM yiwei.visit") == 0
    assert scalar(open_session, "SELECT yiwei.current_employee_id()") is None
    with pytest.raises(psycopg2.OperationalError, match="not permitted to log in"):
        db.connect_as("leaver.one", "Leave2026x")
    assert scalar(admin, "SELECT active FROM yiwei.employee WHERE id = %s", (new_id,)) is False


def test_employee_cannot_reach_another_company_database(db, pg_server, fresh_db_name):
    from client.db.connection import engine_for
    from server_schema.migrate import upgrade

    engine = engine_for({**pg_server.admin_params, "dbname": fresh_db_name}, pool_size=1)
    upgrade(engine)
    engine.dispose()
    with pytest.raises(psycopg2.OperationalError, match="permission denied|not have CONNECT"):
        psycopg2.connect(host=pg_server.host, port=pg_server.port, dbname=fresh_db_name, sslmode="disable",
                         user=db.profile.role_for("hq.boss"), password=DEMO_PASSWORD)
