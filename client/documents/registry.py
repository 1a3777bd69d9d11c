"""Document types: every printable document declares itself here, and one print path serves them all.

A module declares its documents in its own ``documents.py`` with :func:`register_doctype`; the
printing path (window and ``yiwei print`` alike) imports the modules listed in ``DOCTYPE_MODULES``
and finds a document type by name. A document type knows how to

* ``load(conn, number)`` its data as the logged-in employee — through the same views and policies as
  every screen, so row-level security decides what it shows — raising a ``UserFacingError`` when
  the number does not exist or is not the login's to print;
* ``build(data, header)`` the body as platypus flowables for the shared page layout;
* list the ``numbers(conn)`` the login can print, for pickers and for ``yiwei print --list``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from reportlab.platypus import Flowable
from sqlalchemy.engine import Connection

from client.db.errors import UserFacingError
from client.documents.layout import DocumentHeader, PageSetup


class DocumentData(Protocol):
    """What the print path needs from any loaded document; the rest is the document type's own.

    ``number`` is printed in the header, encoded in barcode and QR code and written to the output
    log, so it must be stable and printable ASCII (e.g. ``RC-HZ01-202611-000123``,
    ``ROSTER-HZ01``). ``draft`` documents print with a watermark and never count as a copy.
    ``row_count`` (or None) is logged: how many records the paper takes out of the system.
    """

    number: str
    draft: bool
    row_count: int | None


@dataclass(frozen=True)
class DocType:
    name: str                                        # stable id: `yiwei print NAME`, output log subject
    title: str                                       # Chinese title printed in the header
    permissions: tuple[str, ...]                     # the login needs any one of these
    load: Callable[[Connection, str], DocumentData]
    build: Callable[[Any, DocumentHeader], list[Flowable]]
    numbers: Callable[[Connection], list[str]]       # numbers the login may print, for pickers
    number_help: str                                 # what NUMBER means, for `yiwei print --list`
    page: PageSetup = PageSetup()


DOCTYPES: dict[str, DocType] = {}

# Module packages whose documents.py registers document types.
DOCTYPE_MODULES = ["client.system.documents", "client.customers.lead_documents", "client.orders.documents"]


def register_doctype(doctype: DocType) -> DocType:
    if doctype.name in DOCTYPES:
        raise ValueError(f"document type registered twice: {doctype.name}")
    if not doctype.permissions:
        # Printing takes data out of the system; a document type must say who may do that.
        raise ValueError(f"document type without permissions: {doctype.name}")
    DOCTYPES[doctype.name] = doctype
    return doctype


def _load_modules() -> None:
    for name in DOCTYPE_MODULES:
        importlib.import_module(name)


def all_doctypes() -> list[DocType]:
    """Every registered document type, by name."""
    _load_modules()
    return sorted(DOCTYPES.values(), key=lambda d: d.name)


def get_doctype(name: str) -> DocType:
    _load_modules()
    try:
        return DOCTYPES[name]
    except KeyError:
        known = "、".join(d.name for d in all_doctypes())
        raise UserFacingError(f"没有这种单据类型：{name}（可打印的单据类型：{known}）", kind="not_found") from None
