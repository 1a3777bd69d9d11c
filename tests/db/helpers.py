"""Small helpers shared by the database tests."""

from __future__ import annotations

import contextlib

import psycopg2


def scalar(conn, sql, params=()):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
        return row[0] if row else None


def rows(conn, sql, params=()):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@contextlib.contextmanager
def refused(*pgcodes: str):
    """The statement inside must fail with one of the SQLSTATEs given (any error if none)."""
    try:
        yield
    except psycopg2.Error as exc:
        if pgcodes and exc.pgcode not in pgcodes:
            raise AssertionError(f"expected SQLSTATE {pgcodes}, got {exc.pgcode}: {exc}") from exc
        conn = getattr(exc.cursor, "connection", None)
        if conn is not None and not conn.autocommit and not conn.closed:
            conn.rollback()
        return
    raise AssertionError(f"statement was not refused (expected {pgcodes or 'an error'})")


def store_id(conn, code):
    return scalar(conn, "SELECT id FROM yiwei.store WHERE code = %s", (code,))


def employee_id(conn, login):
    return scalar(conn, "SELECT id FROM yiwei.employee WHERE login = %s", (login,))
