"""Sub-commands plug in here: a module defines ``register(subparsers)`` decorated with @command."""

from __future__ import annotations

from typing import Callable

COMMANDS: list[Callable] = []


def command(register: Callable) -> Callable:
    COMMANDS.append(register)
    return register
