"""Fixtures of the orders screen tests: the contract tests' catalogue and a superuser connection
(review_helpers), and 合同下单 opened as a real login (contract_helpers)."""

from .contract_helpers import open_contracts  # noqa: F401
from .review_helpers import admin, cat, strict_reviewer  # noqa: F401
