"""How much the formatted export costs over openpyxl's bare write-only loop.

Both writers get the same pre-built synthetic rows in the same run, so the
ratio is comparable across machines.  Time and memory are measured in
separate passes because tracemalloc slows every allocation and would punish
the writer that allocates more.
"""

import json
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

from openpyxl import Workbook

from .columns import Column, ColumnKind
from .xlsx import export_rows

TARGET_RATIO = 1.5

_KINDS = (ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.MONEY, ColumnKind.DATE)
_MIB = 1024 * 1024


def run_export_benchmark(rows: int = 100_000, cols: int = 10) -> dict:
    columns = _synthetic_columns(cols)
    data = _synthetic_rows(columns, rows)
    with TemporaryDirectory() as tmp:
        plain = lambda: _write_plain(Path(tmp, "plain.xlsx"), data)
        formatted = lambda: _write_formatted(Path(tmp, "export.xlsx"), data, columns)
        plain_seconds = _seconds(plain)
        export_seconds = _seconds(formatted)
        plain_peak = _peak_growth(plain)
        export_peak = _peak_growth(formatted)
    return {
        "rows": rows,
        "cols": cols,
        "plain_seconds": round(plain_seconds, 3),
        "export_seconds": round(export_seconds, 3),
        "ratio": round(export_seconds / plain_seconds, 3),
        "target_ratio": TARGET_RATIO,
        "plain_peak_mib": round(plain_peak / _MIB, 2),
        "export_peak_mib": round(export_peak / _MIB, 2),
    }


def _synthetic_columns(cols: int) -> list[Column]:
    return [
        Column(f"c{i}", f"列{i + 1}", _KINDS[i % len(_KINDS)]) for i in range(cols)
    ]


def _synthetic_rows(columns: list[Column], count: int) -> list[tuple]:
    # Fixed seed: every run writes the same data.
    rng = random.Random(20261128)
    first_day = date(2026, 1, 1)
    makers = {
        ColumnKind.TEXT: lambda: f"客户{rng.randrange(1_000_000)}号 杭州一店",
        ColumnKind.INTEGER: lambda: rng.randrange(1, 1000),
        ColumnKind.MONEY: lambda: Decimal(rng.randrange(1, 10_000_000)).scaleb(-2),
        ColumnKind.DATE: lambda: first_day + timedelta(days=rng.randrange(365)),
    }
    return [tuple(makers[c.kind]() for c in columns) for _ in range(count)]


def _write_plain(path: Path, data: list[tuple]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("plain")
    for row in data:
        sheet.append(row)
    workbook.save(path)


def _write_formatted(path: Path, data: list[tuple], columns: list[Column]) -> None:
    export_rows(
        path,
        sheet_title="benchmark",
        columns=columns,
        rows=data,
        title="导出基准测试",
        filters=[("门店", "杭州一店")],
        user="benchmark",
        exported_at=datetime.now(timezone.utc),
    )


def _seconds(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _peak_growth(run: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - baseline


def main() -> None:
    print(json.dumps(run_export_benchmark(), indent=2))


if __name__ == "__main__":
    main()
