"""SCRAM-SHA-256 password verifiers computed on the client.

Employee passwords are sent to the server only as verifiers (the same format PostgreSQL stores),
so a plain password never appears in SQL text, server logs or the audit trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

ITERATIONS = 4096
MIN_LENGTH = 8


class WeakPasswordError(ValueError):
    pass


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"密码至少 {MIN_LENGTH} 位")
    if password.isdigit() or password.isalpha():
        raise WeakPasswordError("密码须同时包含字母和数字")


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"
