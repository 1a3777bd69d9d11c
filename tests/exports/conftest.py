from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from client.exports.xlsx import export_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXPORTED_AT = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def exported_at():
    return EXPORTED_AT


@pytest.fixture
def export(tmp_path):
    """Export with sensible defaults; returns (result, worksheet read back)."""

    def run(columns, rows, **overrides):
        arguments = dict(
            sheet_title="合同列表",
            columns=columns,
            rows=rows,
            title="合同列表",
            filters=[],
            user="张三",
            exported_at=EXPORTED_AT,
        )
        arguments.update(overrides)
        result = export_rows(tmp_path / "export.xlsx", **arguments)
        return result, openpyxl.load_workbook(result.path).active

    return run
