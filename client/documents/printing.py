"""The one print path, used by the print preview, the print button and ``yiwei print`` alike.

For a document type and one or more numbers, in ONE transaction:

1. check that the login holds one of the document type's permissions (asked of the database, so a
   permission withdrawn since login counts);
2. load every document as the logged-in employee — row-level security decides what is visible, and
   a number the login may not see fails with a message instead of printing an empty page;
3. unless it is a preview, log each print with ``yiwei.log_output``, which returns the copy number:
   1 for the first print, n > 1 for the (n-1)th reprint, which the page header marks 补打 第n-1次;
4. lay everything out as ONE PDF (several numbers = one print job).

The log entries commit only together with a finished PDF: if a document fails to load or to lay
out, nothing is logged. Callers that hand the PDF on (to a printer, to a file) do that inside the
same transaction — see :func:`render_on` — so a copy is counted only when it was actually produced.

Drafts print with a watermark and are logged under ``<doctype>.draft`` so that they never advance the
copy count of the final document: the first final print is the original, not a reprint.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from client.db.errors import UserFacingError
from client.documents.layout import DocumentHeader, build_batch_pdf
from client.documents.registry import DocType, DocumentData, get_doctype


@dataclass(frozen=True)
class PrintedDocument:
    number: str            # the number printed on the document
    copy_no: int | None    # 1 = original, >1 = reprint; None for previews and drafts (not counted)

    @property
    def reprint_count(self) -> int:
        return self.copy_no - 1 if self.copy_no else 0


@dataclass(frozen=True)
class RenderedDocuments:
    """One PDF holding one or more documents of one type."""

    pdf: bytes
    doctype: str
    title: str
    documents: tuple[PrintedDocument, ...]
    preview_only: bool

    def summary(self) -> str:
        """A sentence for the status line, e.g. "已打印 ROSTER-HZ01（补打 第1次）"."""
        if self.preview_only:
            return f"预览：{self.title}，共 {len(self.documents)} 份"
        parts = []
        for doc in self.documents:
            if doc.copy_no is None:
                parts.append(f"{doc.number}（草稿）")
            elif doc.reprint_count:
                parts.append(f"{doc.number}（补打 第{doc.reprint_count}次）")
            else:
                parts.append(doc.number)
        return "已打印 " + "、".join(parts)


@dataclass(frozen=True)
class _Printer:
    """Who prints, for which company, and when (in the company's time zone)."""

    full_name: str
    company_name: str
    printed_at: datetime


def _company_time(moment: datetime, zone_name: str, offset_seconds: int) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        # A PC without a time zone database (Windows without the tzdata package) still prints the
        # right wall time: the server told us the zone's offset at this moment.
        return moment.astimezone(timezone(timedelta(seconds=offset_seconds)))


def _who_prints(conn: Connection) -> _Printer:
    # The server's clock, not the PC's: a wrong PC clock must not backdate a print.
    row = conn.execute(text(
        "SELECT coalesce(e.full_name, session_user::text), i.company_name, t.tz, t.at,"
        "       extract(epoch FROM (t.at AT TIME ZONE t.tz) - (t.at AT TIME ZONE 'UTC'))::integer"
        "  FROM (SELECT clock_timestamp() AS at, yiwei.company_timezone() AS tz) t"
        "  CROSS JOIN yiwei.instance i"
        "  LEFT JOIN yiwei.employee e ON e.id = yiwei.current_employee_id()")).one()
    full_name, company_name, zone_name, at, offset = row
    return _Printer(full_name, company_name, _company_time(at, zone_name, offset))


def _check_permission(conn: Connection, doctype: DocType) -> None:
    allowed = conn.execute(
        text("SELECT coalesce(bool_or(yiwei.has_permission(p)), false) FROM unnest(CAST(:codes AS text[])) p"),
        {"codes": list(doctype.permissions)}).scalar_one()
    if not allowed:
        raise UserFacingError(f"没有权限打印“{doctype.title}”", kind="permission")


def _log_print(conn: Connection, doctype: DocType, data: DocumentData) -> int | None:
    subject = f"{doctype.name}.draft" if data.draft else doctype.name
    copy_no = conn.execute(
        text("SELECT yiwei.log_output('print', :subject, :number, '{}'::jsonb, :rows)"),
        {"subject": subject, "number": data.number, "rows": data.row_count}).scalar_one()
    return None if data.draft else int(copy_no)


def _requested(numbers: Sequence[str]) -> list[str]:
    cleaned = [n.strip() for n in numbers if n and n.strip()]
    if not cleaned:
        raise UserFacingError("请指定要打印的单据编号", kind="validation")
    return cleaned


def render_on(conn: Connection, doctype_name: str, numbers: Sequence[str], *,
              preview_only: bool = False) -> RenderedDocuments:
    """Load, log and lay out on ``conn`` inside the caller's transaction; the caller commits (the
    print counts) or rolls back (nothing happened)."""
    doctype = get_doctype(doctype_name)
    requested = _requested(numbers)
    _check_permission(conn, doctype)
    printer = _who_prints(conn)

    loaded: list[DocumentData] = []
    seen: set[str] = set()
    for number in requested:
        data = doctype.load(conn, number)
        if data.number not in seen:  # the same document twice in one job is one document
            seen.add(data.number)
            loaded.append(data)

    parts = []
    printed = []
    for data in loaded:
        copy_no = None if preview_only else _log_print(conn, doctype, data)
        document = PrintedDocument(data.number, copy_no)
        header = DocumentHeader(
            company_name=printer.company_name,
            title=doctype.title,
            number=data.number,
            printed_by=printer.full_name,
            printed_at=printer.printed_at,
            reprint_count=document.reprint_count,
            draft=data.draft,
        )
        parts.append((header, doctype.build(data, header)))
        printed.append(document)

    out = io.BytesIO()
    build_batch_pdf(out, parts, page=doctype.page)
    return RenderedDocuments(out.getvalue(), doctype.name, doctype.title, tuple(printed), preview_only)


def render(session_or_engine, doctype_name: str, numbers: Sequence[str], *, preview_only: bool = False,
           out: str | os.PathLike[str] | None = None) -> RenderedDocuments:
    """Render one PDF of ``numbers`` as the logged-in employee in one transaction, logging every
    print unless ``preview_only``. With ``out`` the PDF is also written there — before the
    transaction commits, so a file that could not be written is not counted as printed."""
    engine: Engine = getattr(session_or_engine, "engine", session_or_engine)
    with engine.begin() as conn:
        rendered = render_on(conn, doctype_name, numbers, preview_only=preview_only)
        if out is not None:
            try:
                with open(out, "wb") as f:
                    f.write(rendered.pdf)
            except OSError as exc:
                raise UserFacingError(f"无法写入文件 {os.fspath(out)}：{exc.strerror or exc}") from exc
    return rendered


def render_documents(session_or_engine, doctype_name: str, numbers: Sequence[str], *,
                     preview_only: bool = False, out: str | os.PathLike[str] | None = None) -> bytes:
    """:func:`render`, returning just the PDF bytes."""
    return render(session_or_engine, doctype_name, numbers, preview_only=preview_only, out=out).pdf
