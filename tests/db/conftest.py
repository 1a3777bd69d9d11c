"""Fixtures shared by the database tests of the orders module."""

from __future__ import annotations

import pytest

from .contract_data import make_catalogue, setup_positions


@pytest.fixture(scope="module")
def cat(demo_db):
    """A catalogue of its own for the contract tests of one module, and the positions' discount limits."""
    admin = demo_db.admin()
    setup_positions(admin)
    catalogue = make_catalogue(admin)
    admin.close()
    return catalogue
