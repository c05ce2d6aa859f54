"""Numbers are ASCII digits within an INTEGER column; text with a NUL is refused (issue 17)."""

from __future__ import annotations

import pytest

from kelisim.domain.errors import InvalidInput
from kelisim.domain.inputs import INT4_MAX, ascii_number, storable, stored_text


@pytest.mark.parametrize(("text", "number"), [
    ("3", 3), ("03", 3), ("0", 0), (str(INT4_MAX), INT4_MAX), ("0" * 40 + "7", 7),
    ("²", None), ("٣", None), ("３", None), ("", None), ("-1", None), (" 3", None),
    ("+3", None), ("3.0", None), (str(INT4_MAX + 1), None), ("9" * 5000, None),
])
def test_a_number_is_ascii_digits_within_an_integer_column(text: str, number: int | None) -> None:
    assert ascii_number(text) == number


def test_a_smaller_maximum_is_kept() -> None:
    assert ascii_number("19", maximum=19) == 19
    assert ascii_number("20", maximum=19) is None


def test_text_with_a_nul_is_refused_naming_its_field() -> None:
    assert storable(None) and storable("KZ-CERT") and not storable("KZ\x00")
    assert stored_text("KZ-CERT", "name") == "KZ-CERT"
    with pytest.raises(InvalidInput) as refused:
        stored_text("KZ\x00CERT", "title")
    assert refused.value.details["field"] == "title" and "U+0000" in refused.value.reason
