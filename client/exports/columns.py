"""What a list column holds, shared by list views and exports.

The kind decides how a value is shown, which Excel number format it gets and
whether it can be summed; lists and exports read the same description so an
export shows exactly the columns the list shows.
"""

from dataclasses import dataclass
from enum import Enum


class ColumnKind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"  # quantities: Decimal, up to 3 decimals, shown only as needed
    MONEY = "money"  # Decimal, always 2 decimals with thousands separator
    DATE = "date"
    DATETIME = "datetime"  # timezone-aware; shown in the user's zone
    BOOL = "bool"  # 是/否

    @property
    def summable(self) -> bool:
        return self in (ColumnKind.INTEGER, ColumnKind.DECIMAL, ColumnKind.MONEY)


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # Chinese, as in the list header
    kind: ColumnKind
    width: int | None = None  # in characters; None picks a default for the kind
    # Whether the totals row sums this column. None means the kind's default:
    # money is totalled, counts and quantities only when a list asks for it
    # (summing unit prices or stock levels across rows is meaningless).
    total: bool | None = None

    def __post_init__(self) -> None:
        if self.total is None:
            object.__setattr__(self, "total", self.kind is ColumnKind.MONEY)
        elif self.total and not self.kind.summable:
            raise ValueError(f"column {self.key!r}: a {self.kind.value} column cannot be totalled")
