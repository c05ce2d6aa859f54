"""The drill clock (`KELISIM_CLOCK_FILE`): a node's time is what the file says, read again only
when the file changes, so a test moves every node of a federation to its next day at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kelisim.domain.clock import FileClock


def test_the_clock_follows_the_file_and_reads_it_only_when_it_changes() -> None:
    stamp = [1.0]
    text = ["2026-11-25T12:00:00+00:00"]
    reads: list[str] = []

    def read() -> str:
        reads.append(text[0])
        return text[0]

    clock = FileClock(lambda: stamp[0], read)
    assert clock() == datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert clock() == datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert len(reads) == 1
    stamp[0], text[0] = 2.0, "2026-12-05T08:30:00"  # naive: taken as UTC
    assert clock() == datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
    stamp[0], text[0] = 3.0, "2026-12-05T12:00:00+06:00"
    assert clock() == datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
    assert len(reads) == 3


def test_a_file_that_holds_no_instant_is_an_error_not_a_guess() -> None:
    clock = FileClock(lambda: 1.0, lambda: "tomorrow")
    with pytest.raises(ValueError):
        clock()
