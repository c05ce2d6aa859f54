"""The Agreement's text, its glossary and the CIS states, as loaded into the database.

`kelisim up` loads them from the package's data once (idempotently); after that the database is
what the services read, so a later protocol (Art. 11) or a change in CIS membership is a data
change, not a release.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from kelisim.domain.agreement_text import AgreementText, Term
from kelisim.domain.states import CisPeriod, StateInfo
from kelisim.storage.schema import agreements, articles, glossary_terms, states


class ReferenceRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def agreement_loaded(self, key: str) -> bool:
        row = self._connection.execute(select(agreements.c.key).where(agreements.c.key == key))
        return row.first() is not None

    def load_agreement(self, text: AgreementText, terms: tuple[Term, ...]) -> None:
        conn = self._connection
        conn.execute(insert(agreements).values(
            key=text.key, titles=text.titles, signed_on=text.signed_on, place=text.place,
            depositary=text.depositary, preamble_kk=text.preamble_kk,
            signature_blocks=list(text.signature_blocks)))
        conn.execute(insert(articles), [
            {"agreement_key": text.key, "number": a.number, "text_kk": a.text_kk,
             "titles": a.titles, "summary": a.summary} for a in text.articles])
        conn.execute(insert(glossary_terms), [
            {"agreement_key": text.key, "key": term.key, "position": position,
             "texts": {lang: {"term": d.term, "definition": d.definition}
                       for lang, d in (("kk", term.kk), ("ru", term.ru), ("en", term.en))}}
            for position, term in enumerate(terms, start=1)])

    def replace_states(self, infos: list[StateInfo]) -> None:
        self._connection.execute(delete(states))
        self._connection.execute(insert(states), [
            {"code": s.code, "names": s.names, "in_signature_blocks": s.in_signature_blocks,
             "cis_periods": [{"start": p.start.isoformat(),
                              "end": p.end.isoformat() if p.end else None,
                              "status": p.status, "source": p.source} for p in s.cis_periods]}
            for s in infos])

    def states(self) -> dict[str, StateInfo]:
        result = {}
        for row in self._connection.execute(select(states).order_by(states.c.code)):
            periods = tuple(
                CisPeriod(start=date.fromisoformat(p["start"]),
                          end=date.fromisoformat(p["end"]) if p["end"] else None,
                          status=p["status"], source=p["source"]) for p in row.cis_periods)
            result[row.code] = StateInfo(code=row.code, names=dict(row.names),
                                         cis_periods=periods,
                                         in_signature_blocks=row.in_signature_blocks)
        return result

    def agreement(self, key: str) -> dict[str, Any] | None:
        row = self._connection.execute(select(agreements).where(agreements.c.key == key)).first()
        if row is None:
            return None
        body = {str(k): v for k, v in row._mapping.items()}
        rows = self._connection.execute(
            select(articles.c.number, articles.c.titles, articles.c.summary, articles.c.text_kk)
            .where(articles.c.agreement_key == key).order_by(articles.c.number))
        body["articles"] = [{str(k): v for k, v in r._mapping.items()} for r in rows]
        return body

    def glossary(self, key: str) -> list[dict[str, Any]]:
        rows = self._connection.execute(
            select(glossary_terms.c.key, glossary_terms.c.texts)
            .where(glossary_terms.c.agreement_key == key).order_by(glossary_terms.c.position))
        return [{"key": row.key, **row.texts} for row in rows]
