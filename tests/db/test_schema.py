"""Migrations build the schema from empty, are idempotent, and the client refuses a schema it does
not know."""

from __future__ import annotations

import pytest

from client.db.connection import check_schema, engine_for
from client.db.errors import UserFacingError
from server_schema.migrate import SchemaError, head_revision, upgrade

from .helpers import scalar


def test_upgrade_from_empty_then_again_changes_nothing(pg_server, fresh_db_name):
    engine = engine_for({**pg_server.admin_params, "dbname": fresh_db_name}, pool_size=1)
    try:
        ns, before, after = upgrade(engine)
        assert (ns.name, before, after) == (fresh_db_name, None, head_revision())
        conn = pg_server.admin(fresh_db_name)
        objects = scalar(conn, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'yiwei'")
        conn.close()
        assert upgrade(engine)[1:] == (head_revision(), head_revision())
        conn = pg_server.admin(fresh_db_name)
        assert scalar(conn, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'yiwei'") == objects
        assert scalar(conn, "SELECT count(*) FROM yiwei.instance") == 1
        conn.close()
        with pytest.raises(SchemaError, match="命名空间"):
            upgrade(engine, namespace="other")
    finally:
        engine.dispose()


def test_schema_newer_than_client_is_refused(pg_server, fresh_db_name):
    engine = engine_for({**pg_server.admin_params, "dbname": fresh_db_name}, pool_size=1)
    try:
        upgrade(engine)
        conn = pg_server.admin(fresh_db_name)
        with conn.cursor() as cur:
            cur.execute("UPDATE yiwei.alembic_version SET version_num = '9999'")
        conn.commit()
        conn.close()
        with pytest.raises(SchemaError, match="比本程序更新"):
            upgrade(engine)
    finally:
        engine.dispose()


def test_client_schema_check_messages():
    check_schema(head_revision())
    with pytest.raises(UserFacingError, match="比本程序新"):
        check_schema("9999")
    with pytest.raises(UserFacingError, match="尚未安装"):
        check_schema(None)


def test_newer_schema_blocks_login(db, pg_server):
    conn = db.admin()
    with conn.cursor() as cur:
        cur.execute("UPDATE yiwei.alembic_version SET version_num = '9999'")
    conn.commit()
    try:
        with pytest.raises(UserFacingError, match="请升级易维客户端"):
            db.session("hz01.guide1")
    finally:
        with conn.cursor() as cur:
            cur.execute("UPDATE yiwei.alembic_version SET version_num = %s", (head_revision(),))
        conn.commit()


def test_a_session_reads_times_in_company_time(db):
    """Times shown as read (review records, drawings, leads) are company time, not the server's zone."""
    from sqlalchemy import text

    session = db.session("hz01.guide1")
    try:
        with session.engine.connect() as conn:
            zone, shown = conn.execute(text(
                "SELECT yiwei.company_timezone(), CAST('2026-12-05 21:34:00+00' AS timestamptz)")).one()
    finally:
        session.engine.dispose()
    assert zone == "Asia/Shanghai"
    assert shown.utcoffset().total_seconds() == 8 * 3600 and shown.hour == 5 and shown.day == 6
