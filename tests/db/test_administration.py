"""System administration through the checked functions, as real logins: employees, positions,
organisation, parameters, numbering, optimistic locking and the output log."""

from __future__ import annotations

import threading

import psycopg2
import pytest

from client.db.connection import login
from client.db.errors import UserFacingError, translate
from client.db.passwords import scram_verifier

from .helpers import employee_id, refused, rows, scalar, store_id

PASSWORD = "Start2026a"


@pytest.fixture
def admin_login(db):
    return db.connect_as("admin")


def position_id(conn, code):
    return scalar(conn, "SELECT id FROM yiwei.position WHERE code = %s", (code,))


def create(conn, login_name, position="guide", store="HZ01", full_name="测试员工", phone=""):
    return scalar(conn, "SELECT yiwei.create_employee(%s, %s, %s, %s, NULL, NULL, %s, %s)",
                  (login_name, full_name, position_id(conn, position), store_id(conn, store) if store else None,
                   phone, scram_verifier(PASSWORD)))


def test_created_employee_logs_in_with_scope_of_position(db, admin_login):
    create(admin_login, "new.guide", full_name="甄新人", phone="13912345678")
    session = db.session("new.guide", PASSWORD)
    assert (session.full_name, session.position_name, session.scope) == ("甄新人", "导购", "own")
    assert "customers.visit" in session.permissions
    session.engine.dispose()


@pytest.mark.parametrize("login_name,full_name,phone,message", [
    ("admin", "重名", "", "已存在"),
    ("x'; DROP TABLE yiwei.employee; --", "注入", "", "登录名须为"),
    ("ab", "太短", "", "登录名须为"),
    ("UPPER.case", "大写", "", None),           # folded to lower case, accepted
    ("long.name", "名" * 31, "", "不能超过 30"),
    ("empty.name", "   ", "", "姓名不能为空"),
    ("bad.phone", "号码错", "12345", "手机号码格式不正确"),
    ("ctrl.name", "换\n行", "", "控制字符"),
])
def test_bad_employee_input_is_refused_and_nothing_changes(db, admin_login, login_name, full_name, phone, message):
    before = scalar(admin_login, "SELECT count(*) FROM yiwei.employee")
    if message is None:
        create(admin_login, login_name, full_name=full_name, phone=phone)
        assert scalar(admin_login, "SELECT login FROM yiwei.employee WHERE login = lower(%s)", (login_name,)) == login_name.lower()
        return
    with pytest.raises(psycopg2.Error) as info:
        create(admin_login, login_name, full_name=full_name, phone=phone)
    assert info.value.pgcode == "YW422"
    assert message in info.value.diag.message_primary
    assert scalar(admin_login, "SELECT count(*) FROM yiwei.employee") == before


def test_employee_without_position_or_store_is_refused(db, admin_login):
    with refused("YW422"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.create_employee('no.position', '无岗位', NULL, NULL, NULL, NULL, '', %s)",
                    (scram_verifier(PASSWORD),))
    with refused("YW422"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.create_employee('no.store', '无门店', %s, NULL, NULL, NULL, '', %s)",
                    (position_id(admin_login, "store_manager"), scram_verifier(PASSWORD)))


def test_plain_password_is_refused(db, admin_login):
    with refused("YW422"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.create_employee('plain.pw', '明文', %s, %s, NULL, NULL, '', 'secret123')",
                    (position_id(admin_login, "guide"), store_id(admin_login, "HZ01")))


def test_reset_password_and_change_own_password(db, admin_login):
    eid = create(admin_login, "pw.person")
    with admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.reset_employee_password(%s, %s)", (eid, scram_verifier("Reset2026b")))
    with pytest.raises(psycopg2.OperationalError):
        db.connect_as("pw.person", PASSWORD)
    own = db.connect_as("pw.person", "Reset2026b")
    with own.cursor() as cur:
        cur.execute("SELECT yiwei.change_own_password(%s)", (scram_verifier("Mine2026c"),))
    assert scalar(db.connect_as("pw.person", "Mine2026c"), "SELECT yiwei.current_employee_id()") == eid
    events = [r[0] for r in rows(admin_login, "SELECT new_row->>'event' FROM yiwei.audit_log WHERE table_name = 'employee'"
                                              " AND row_key = %s AND action = 'EVENT' ORDER BY id", (str(eid),))]
    assert events == ["password_reset", "password_changed"]
    # the audit trail never holds the verifier
    assert scalar(admin_login, "SELECT count(*) FROM yiwei.audit_log WHERE new_row::text LIKE '%%SCRAM%%'") == 0


def test_disable_keeps_history_and_enable_restores_login(db, admin_login):
    eid = create(admin_login, "temp.worker")
    with admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.disable_employee(%s, 1, '合同到期')", (eid,))
    assert rows(admin_login, "SELECT active, disabled_reason FROM yiwei.employee WHERE id = %s", (eid,)) == [(False, "合同到期")]
    with pytest.raises(psycopg2.OperationalError):
        db.connect_as("temp.worker", PASSWORD)
    with admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.enable_employee(%s, 2)", (eid,))
    assert scalar(db.connect_as("temp.worker", PASSWORD), "SELECT yiwei.current_employee_id()") == eid


def test_admin_cannot_disable_self(db, admin_login):
    with refused("YW422"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.disable_employee(%s, (SELECT version FROM yiwei.employee WHERE login = 'admin'), '')",
                    (employee_id(admin_login, "admin"),))


def test_stale_version_names_who_changed_it_and_when(db, admin_login):
    eid = create(admin_login, "lock.test")
    pos, store = position_id(admin_login, "guide"), store_id(admin_login, "HZ01")
    other_admin = db.connect_as("admin")
    with other_admin.cursor() as cur:
        cur.execute("SELECT yiwei.update_employee(%s, 1, '改名一', %s, %s, NULL, NULL, '')", (eid, pos, store))
    with pytest.raises(psycopg2.Error) as info, admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.update_employee(%s, 1, '改名二', %s, %s, NULL, NULL, '')", (eid, pos, store))
    error = translate(info.value)
    admin_name = scalar(admin_login, "SELECT full_name FROM yiwei.employee WHERE login = 'admin'")
    assert error.kind == "conflict"
    assert f"该记录已被 {admin_name} 于" in error.message
    assert error.detail["version"] == 2
    assert scalar(admin_login, "SELECT full_name FROM yiwei.employee WHERE id = %s", (eid,)) == "改名一"


def test_position_permissions_take_effect_immediately(db, admin_login):
    pid = scalar(admin_login, "SELECT yiwei.create_position('trial_pos', '试用岗位', 'store', '', ARRAY['customers.visit'])")
    create(admin_login, "trial.person", position="trial_pos")
    person = db.connect_as("trial.person", PASSWORD)
    assert scalar(person, "SELECT yiwei.has_permission('reports.sales')") is False
    with admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.update_position(%s, 1, '试用岗位', 'store', '加了报表', ARRAY['customers.visit', 'reports.sales'])", (pid,))
    assert scalar(person, "SELECT yiwei.has_permission('reports.sales')") is True
    with refused("YW422"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.delete_position(%s, 2)", (pid,))  # still held by an employee
    with refused("YW422"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.create_position('bad_pos', '坏岗位', 'galaxy', '', ARRAY[]::text[])")
    with refused("YW422"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.create_position('bad_pos', '坏岗位', 'store', '', ARRAY['system.root'])")


def test_organisation_functions_validate_and_audit(db, admin_login):
    region = scalar(admin_login, "SELECT id FROM yiwei.region WHERE code = 'HD'")
    sid = scalar(admin_login, "SELECT yiwei.save_store(NULL, NULL, 'nb01', '宁波鄞州展厅', %s, 'showroom', '宁波市鄞州区', '', '', true)",
                 (region,))
    assert scalar(admin_login, "SELECT code FROM yiwei.store WHERE id = %s", (sid,)) == "NB01"
    with refused("YW422"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.save_store(NULL, NULL, 'NB02', '宁波鄞州展厅', %s, 'showroom', '', '', '', true)", (region,))
    with refused("YW422"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.save_warehouse(NULL, NULL, NULL, 'WH-X', '无主仓库', '', true)")
    dept = scalar(admin_login, "SELECT yiwei.save_department(NULL, NULL, %s, '销售部', true)", (sid,))
    assert dept
    actor = scalar(admin_login, "SELECT actor FROM yiwei.audit_log WHERE table_name = 'store' AND row_key = %s", (str(sid),))
    assert actor == db.profile.role_for("admin")


@pytest.mark.parametrize("key,value,message", [
    ("lead.protection_days", "abc", "必须是整数"),
    ("lead.protection_days", "0", "必须在 1 到 730 之间"),
    ("lead.protection_days", "1; DROP TABLE x", "必须是整数"),
    ("company.timezone", "Mars/Olympus", "未知时区"),
])
def test_bad_parameter_values_are_refused(db, admin_login, key, value, message):
    before = rows(admin_login, "SELECT value, version FROM yiwei.parameter WHERE key = %s", (key,))[0]
    with pytest.raises(psycopg2.Error) as info, admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.set_parameter(%s, %s, %s)", (key, value, before[1]))
    assert message in info.value.diag.message_primary
    assert rows(admin_login, "SELECT value, version FROM yiwei.parameter WHERE key = %s", (key,))[0] == before


def test_parameter_change_is_versioned(db, admin_login):
    version = scalar(admin_login, "SELECT version FROM yiwei.parameter WHERE key = 'customer.followup_reminder_days'")
    with admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.set_parameter('customer.followup_reminder_days', ' 10 ', %s)", (version,))
    assert scalar(db.connect_as("hz01.guide1"), "SELECT yiwei.parameter_int('customer.followup_reminder_days')") == 10
    with refused("YW409"), admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.set_parameter('customer.followup_reminder_days', '11', %s)", (version,))


# -- document numbering ---------------------------------------------------------------------------

def next_number(conn, series="RC", store="HZ01"):
    return scalar(conn, "SELECT yiwei.next_document_number(%s, %s)", (series, store_id(conn, store)))


def test_numbers_are_readable_and_gap_free_across_rollbacks(db):
    conn = db.admin()
    first = next_number(conn)
    conn.commit()
    assert first.startswith("RC-HZ01-") and first.endswith("000001")
    assert next_number(conn) .endswith("000002")
    conn.rollback()  # the document was not created: its number is given back
    assert next_number(conn).endswith("000002")
    conn.commit()
    assert next_number(conn, store="GZ01").endswith("000001")  # per store
    assert next_number(conn, series="DS").endswith("000001")   # per series
    conn.commit()


def test_concurrent_documents_queue_for_numbers(db):
    a, b = db.admin(), db.admin()
    na = next_number(a, series="CT")
    result = {}
    waiter = threading.Thread(target=lambda: result.setdefault("b", next_number(b, series="CT")))
    waiter.start()
    waiter.join(0.5)
    assert waiter.is_alive(), "the second transaction must wait for the first one's number"
    a.rollback()
    waiter.join(5)
    assert result["b"] == na  # the rolled-back number is reused, no gap
    b.commit()


# -- output log -------------------------------------------------------------------------------------

def test_prints_count_copies_and_exports_are_logged(db):
    clerk = db.connect_as("hz01.finance")
    copies = [scalar(clerk, "SELECT yiwei.log_output('print', 'receipt', 'RC-HZ01-202611-000009', '{}', NULL)") for _ in range(3)]
    assert copies == [1, 2, 3]
    scalar(clerk, "SELECT yiwei.log_output('export', 'visits', NULL, '{\"store\": \"HZ01\"}', 42)")
    assert rows(clerk, "SELECT kind, row_count FROM yiwei.output_log WHERE kind = 'export' ORDER BY id DESC LIMIT 1") == [("export", 42)]
    # others' output is private unless one audits
    assert scalar(db.connect_as("hz01.manager"), "SELECT count(*) FROM yiwei.output_log WHERE actor LIKE 'hz01.finance@%%'") == 0


# -- login errors -------------------------------------------------------------------------------------

def test_login_errors_are_clear_sentences(db):
    with pytest.raises(UserFacingError, match="用户名或密码错误"):
        login(db.profile, "hz01.guide1", "wrong-password")
    with pytest.raises(UserFacingError, match="用户名或密码错误"):
        login(db.profile, "nobody.here", "whatever1")
    with pytest.raises(UserFacingError, match="请输入密码"):
        login(db.profile, "hz01.guide1", "")
    from dataclasses import replace
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    with pytest.raises(UserFacingError, match="无法连接数据库服务器"):
        login(replace(db.profile, port=closed_port), "hz01.guide1", "x")
