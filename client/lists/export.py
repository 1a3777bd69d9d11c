"""Export a list to Excel: exactly the rows its filter shows, the chosen columns in their order,
with totals; logged in the output log.

The list window runs this as a background task (progress, cancel) and ``yiwei export`` runs it
headless; both produce the same file for the same query.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from client.exports.xlsx import ExportCancelled, ExportResult, export_rows

from .query import (COUNT_CAP, ListQuery, fetch_one, company_zone, count_rows, describe_filters, iter_rows,
                    resolve_columns)

PROGRESS_EVERY = 1000
# Counting first gives the progress bar its length; beyond this many rows it only shows activity.
PROGRESS_COUNT_CAP = 10 * COUNT_CAP


def export_list(
    conn,
    query: ListQuery,
    path: str | os.PathLike,
    *,
    user: str,
    columns: Sequence[str] | None = None,
    token=None,
    report: Callable[[int, int, str], None] | None = None,
    exported_at: datetime | None = None,
) -> ExportResult:
    """Write the rows of `query` to a new .xlsx at `path` and log the export.

    `conn` is the employee's connection inside a transaction (SQLAlchemy or psycopg2); the rows
    stream through a server-side cursor. `columns` are column keys in the order wanted (default:
    the spec's visible columns). `token.cancelled` is checked every thousand rows and once more
    before the export is logged: a cancelled export raises ExportCancelled and leaves no file
    (and an earlier file at `path` untouched). `report(done, total, text)` tells progress; total
    is 0 when the list is too long to count first.
    """
    spec = query.spec
    keys = resolve_columns(spec, columns)
    path = Path(path)
    cancelled = (lambda: token.cancelled) if token is not None else None
    _check_cancelled(cancelled)

    zone = company_zone(conn)
    moment = (exported_at or datetime.now(zone)).astimezone(zone)
    filters = describe_filters(conn, query)
    total = 0
    if report is not None:
        counted = count_rows(conn, query, cap=PROGRESS_COUNT_CAP)
        total = 0 if counted.capped else counted.rows
        report(0, total, "")
    _check_cancelled(cancelled)

    def progress(done: int) -> None:
        if report is not None:
            report(done, max(total, done) if total else 0, "")

    result = export_rows(
        path,
        sheet_title=spec.title,
        columns=[spec.column(key).column for key in keys],
        rows=iter_rows(conn, query, keys),
        title=spec.title,
        filters=filters,
        user=user,
        exported_at=moment,
        progress=progress,
        cancelled=cancelled,
        progress_every=PROGRESS_EVERY,
    )
    try:
        # Last chance to cancel: after the log entry the export has happened.
        _check_cancelled(cancelled)
        log_export(conn, query, keys, result.row_count)
    except BaseException:
        # An export that is not in the log must not exist either.
        path.unlink(missing_ok=True)
        raise
    return result


def log_export(conn, query: ListQuery, columns: Sequence[str], row_count: int) -> None:
    """Who exported which list with which filter and how many rows (yiwei.output_log)."""
    detail = {**query.to_json(), "columns": list(columns)}
    fetch_one(conn, "SELECT yiwei.log_output('export', %(subject)s, NULL, %(filter)s::jsonb, %(rows)s)",
              {"subject": query.spec.name, "filter": json.dumps(detail, ensure_ascii=False), "rows": row_count})


def _check_cancelled(cancelled) -> None:
    if cancelled is not None and cancelled():
        raise ExportCancelled()
