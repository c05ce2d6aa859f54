"""The exchange's counts over time, grouped by day in the database (`domain.exchange_activity`
folds the days into periods).

One row a stored version that is the first one of its object the reader may see
(`exchange_objects.filters` with `match[version]=first`: the Art. 6 scope in SQL, exactly as
every read), added on or after the window's first day, in the collections the reader may read,
posted by a Party: what the node publishes itself (the kelisim extension definitions, the
state-secret marking, its identity) did not arrive from anybody.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from kelisim.domain.exchange_activity import DAY_MICROS, Facet
from kelisim.domain.exchange_policy import Scope
from kelisim.domain.taxii import Query
from kelisim.storage import exchange_objects as objects

T = objects.T
COLUMNS = {Facet.DIRECTION: T.c.directions, Facet.THREAT_CLASS: T.c.threat_class,
           Facet.PRODUCER: T.c.producer_party}


def daily_counts(connection: Connection, collections: Sequence[str], reach: Scope,
                 facet: Facet, since: int) -> list[tuple[int, str | None, int]]:
    """(day number, the facet's stored value, objects) from `since` (microseconds, UTC)."""
    if not collections:
        return []
    day = (T.c.date_added // DAY_MICROS).label("day")
    key = COLUMNS[facet].label("key")
    statement = (
        select(day, key, func.count().label("objects"))
        .where(T.c.collection_id.in_(bindparam("collections", expanding=True)),
               T.c.date_added >= bindparam("since"), T.c.producer_party.is_not(None),
               *objects.filters(T.c.collection_id, reach, Query(versions=("first",))))
        .group_by(day, key))
    params: dict[str, Any] = {"collections": list(collections), "since": since}
    return [(int(r.day), r.key, int(r.objects))
            for r in connection.execute(statement, params)]
