"""The exchange's counts over time for its home page, the API and the CLI (issue 16, item 10).

Within what the reader may read today (`collections.reader_scope`: the compiled Art. 6 scope of
every read and the collections it may read): an object the reader may not read is not counted.
A count names no object, so it is not a read of restricted-access information and is not
audited (decision 0016).
"""

from __future__ import annotations

from datetime import UTC

from kelisim.domain.accounts import Principal
from kelisim.domain.exchange_activity import (
    DAY_MICROS,
    Activity,
    Facet,
    Period,
    day_number,
    fold,
    span_of,
    window,
)
from kelisim.services.exchange.collections import reader_scope
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_activity import daily_counts


def activity(rt: Runtime, principal: Principal, facet: Facet = Facet.PRODUCER,
             period: Period = Period.MONTH, span: int | None = None) -> Activity:
    """The objects the reader may read, first added in each of the last `span` periods (the
    current one included), split by `facet`; PermissionDenied for a reader of nothing."""
    periods = window(rt.clock().astimezone(UTC).date(), period, span_of(period, span))
    since = day_number(periods[0]) * DAY_MICROS
    with rt.unit_of_work() as uow:
        _, reach, collections = reader_scope(rt, principal, uow)
        rows = daily_counts(uow.connection, collections, reach, facet, since)
    return fold(rows, facet, period, periods)


def as_json(found: Activity) -> dict[str, object]:
    """The counts as the API and the CLI give them."""
    return {"by": found.facet.value, "period": found.period.value,
            "periods": [p.isoformat() for p in found.periods], "objects": found.objects,
            "series": [{"key": k, "counts": found.counts[k], "total": found.total(k)}
                       for k in found.keys]}
