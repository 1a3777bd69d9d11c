"""Database errors turned into sentences a clerk understands (never a traceback)."""

from __future__ import annotations

import json

import psycopg2
from sqlalchemy import exc as sa_exc


class UserFacingError(Exception):
    """An error whose message can be shown as it is."""

    def __init__(self, message: str, *, kind: str = "error", detail: dict | None = None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.detail = detail or {}


def _dbapi(exc: BaseException) -> BaseException:
    return exc.orig if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None else exc


def is_connection_lost(exc: BaseException) -> bool:
    exc = _dbapi(exc)
    if isinstance(exc, (psycopg2.OperationalError, psycopg2.InterfaceError)):
        return getattr(exc, "pgcode", None) in (None, "57P01", "57P02", "57P03", "08000", "08003", "08006")
    return False


def translate(exc: BaseException) -> UserFacingError:
    if isinstance(exc, UserFacingError):
        return exc
    orig = _dbapi(exc)
    code = getattr(orig, "pgcode", None)
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag else None
    if code and code.startswith("YW"):
        detail = {}
        raw_detail = getattr(diag, "message_detail", None)
        if raw_detail:
            try:
                detail = json.loads(raw_detail)
            except ValueError:
                detail = {"field": raw_detail}
        kind = {"YW409": "conflict", "YW403": "permission", "YW404": "not_found"}.get(code, "validation")
        return UserFacingError(primary or str(orig), kind=kind, detail=detail)
    if code == "42501":
        return UserFacingError("没有权限执行此操作", kind="permission")
    if code == "28P01":
        return UserFacingError("用户名或密码错误", kind="login")
    if code == "28000":
        text = str(orig)
        if "not permitted to log in" in text:
            return UserFacingError("该账号已停用，请联系系统管理员", kind="login")
        return UserFacingError("该账号无权登录此数据库", kind="login")
    if code == "3D000":
        return UserFacingError("服务器上没有这个数据库，请检查服务器设置", kind="login")
    if code in ("23505",):
        return UserFacingError("数据重复：已存在相同的记录", kind="validation")
    if code in ("23514", "23502", "22001", "22P02", "23503"):
        return UserFacingError("输入的数据不符合规则，未保存", kind="validation")
    if code in ("40001", "40P01", "55P03"):
        return UserFacingError("数据正被他人同时修改，请稍后重试", kind="conflict")
    if is_connection_lost(orig):
        text = str(orig)
        if "fe_sendauth: no password supplied" in text:
            return UserFacingError("请输入密码", kind="login")
        if "password authentication failed" in text:
            return UserFacingError("用户名或密码错误", kind="login")
        if "not permitted to log in" in text:
            return UserFacingError("该账号已停用，请联系系统管理员", kind="login")
        if "could not connect" in text or "Connection refused" in text or "timeout expired" in text:
            return UserFacingError("无法连接数据库服务器，请检查网络和服务器地址", kind="connection")
        return UserFacingError("与数据库服务器的连接已断开，请重试", kind="connection")
    return UserFacingError(f"数据库操作失败：{primary or str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__}")
