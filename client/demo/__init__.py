"""The demo company (易维家居): organisation, positions, one employee per position, and the business
data each module registers with :func:`business_seeder` (multiplied by ``--scale``)."""

from __future__ import annotations

from typing import Callable

# (name, seeder(cursor, rng, scale) -> rows added); modules append through the decorator below.
BUSINESS_SEEDERS: list[tuple[str, Callable]] = []


def business_seeder(name: str):
    def register(fn: Callable) -> Callable:
        BUSINESS_SEEDERS.append((name, fn))
        return fn
    return register
