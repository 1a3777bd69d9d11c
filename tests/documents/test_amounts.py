from decimal import Decimal

import pytest

from client.documents.amounts import amount_in_chinese, format_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("-0", "零元整"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("100", "壹佰元整"),
        ("101", "壹佰零壹元整"),
        ("110", "壹佰壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("12000", "壹万贰仟元整"),
        ("10000", "壹万元整"),
        ("10001", "壹万零壹元整"),
        ("10203.05", "壹万零贰佰零叁元零伍分"),
        ("100100", "壹拾万零壹佰元整"),
        ("1000010", "壹佰万零壹拾元整"),
        ("1001000", "壹佰万壹仟元整"),
        ("10000000", "壹仟万元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("1000000000", "壹拾亿元整"),
        ("100000000000", "壹仟亿元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("0.5", "伍角"),
        ("0.05", "伍分"),
        ("0.55", "伍角伍分"),
        ("1.05", "壹元零伍分"),
        ("1.50", "壹元伍角"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("1E+3", "壹仟元整"),
        ("1.230", "壹元贰角叁分"),
        ("-3.20", "负叁元贰角"),
        ("-12000", "负壹万贰仟元整"),
    ],
)
def test_amount_in_chinese(value, expected):
    assert amount_in_chinese(Decimal(value)) == expected


@pytest.mark.parametrize("value", [12000.0, 1, "12000"])
def test_only_decimal_is_money(value):
    with pytest.raises(TypeError):
        amount_in_chinese(value)
    with pytest.raises(TypeError):
        format_money(value)


@pytest.mark.parametrize("value", ["1.234", "0.001", "NaN", "Infinity", "1000000000000"])
def test_amounts_that_cannot_be_written_are_refused(value):
    with pytest.raises(ValueError, match="金额"):
        amount_in_chinese(Decimal(value))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12000", "12,000.00"),
        ("0", "0.00"),
        ("-0.00", "0.00"),
        ("0.5", "0.50"),
        ("999.99", "999.99"),
        ("1234567.8", "1,234,567.80"),
        ("-1234.5", "-1,234.50"),
        ("1E+3", "1,000.00"),
    ],
)
def test_format_money(value, expected):
    assert format_money(Decimal(value)) == expected


def test_format_money_does_not_round_silently():
    with pytest.raises(ValueError):
        format_money(Decimal("1.005"))
