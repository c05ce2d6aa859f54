"""The protocol's ledger entry (Art. 11) parsed and refused as a table, and the consolidated
text computed from the Agreement's articles and the protocols in force (pure, no I/O)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kelisim.domain.agreement_text import load_agreement
from kelisim.domain.consolidated_text import consolidate
from kelisim.domain.errors import InvalidInput
from kelisim.domain.instruments import Signature, parse_instrument
from kelisim.domain.protocols import ProtocolAdoption, parse_protocol
from tests.protocol_history import ART3_1, ART8, P1, PROTOCOL

Body = dict[str, Any]


def test_a_protocol_entry_reads_its_terms_with_art_13s_defaults() -> None:
    item = parse_instrument(PROTOCOL)
    assert isinstance(item, ProtocolAdoption)
    terms = item.terms
    assert (terms.id, terms.parent, terms.done_on) == (P1, "cis-infosec-2013", date(2020, 6, 1))
    assert (terms.notifications_for_entry_into_force, terms.days_after) == (3, 30)
    assert terms.accession_open and terms.withdrawal_notice_months is None
    assert item.extra == {"document": "No. 42"}
    assert parse_instrument(item.to_json()) == item  # the JSON it is stored as reads back


def test_an_agreement_instrument_writes_no_treaty_field() -> None:
    body = {"kind": "signature", "party": "KAZ", "date": "2013-11-20"}
    assert parse_instrument(body).to_json() == body
    explicit = parse_instrument({**body, "treaty": "cis-infosec-2013"})
    assert explicit.to_json() == body
    protocol = parse_instrument({**body, "treaty": P1})
    assert isinstance(protocol, Signature) and protocol.to_json() == {**body, "treaty": P1}


@pytest.mark.parametrize(("changes", "words"), [
    ({"protocol": None}, "needs protocol"),
    ({"amendments": []}, "needs amendments"),
    ({"protocol": "Has Spaces"}, "protocol must be an id"),
    ({"protocol": "cis-infosec-2013"}, "must differ from the Agreement"),
    ({"amends": "another"}, "amends 'another' is not a treaty"),
    ({"titles": {"kk": "x", "ru": "y"}}, "titles must give the protocol's text in kk, ru and en"),
    ({"done_on": "1 June 2020"}, "done_on must be a date"),
    ({"entry_into_force": {"notifications": 0}}, "entry_into_force must be an object"),
    ({"entry_into_force": {"days": 3}}, "entry_into_force must be an object"),
    ({"accession": {"open": "yes"}}, "accession must be an object"),
    ({"withdrawal_notice_months": 0}, "withdrawal_notice_months must be a whole number"),
    ({"proposal": 17}, "proposal must be the id"),
    ({"amendments": "replace 8"}, "amendments must be a non-empty list"),
    ({"amendments": [{"article": "VIII", "action": "repeal"}]}, "must be an article number"),
    ({"amendments": [{"article": 8, "action": "rewrite"}]}, "action must be one of"),
    ({"amendments": [{"article": 8, "action": "replace", "text": {"kk": "x"}}]},
     "amendments[0]: text must be given in kk, ru and en"),
    ({"amendments": [{"article": 3, "action": "insert_after", "text": ART3_1}]},
     "amendments[0]: new_article must be an article number"),
])
def test_a_malformed_protocol_entry_is_refused_citing_art_11(changes: Body, words: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        parse_protocol({**PROTOCOL, **changes})
    assert words in str(refusal.value)
    assert refusal.value.article == "Art. 11" or "done_on" in words


def test_a_treaty_field_that_is_not_an_id_is_refused() -> None:
    with pytest.raises(InvalidInput, match="treaty must be an id"):
        parse_instrument({"kind": "signature", "party": "KAZ", "date": "2020-01-01",
                          "treaty": 7})


def _base() -> list[dict[str, Any]]:
    return [{"number": a.number, "titles": a.titles, "summary": a.summary, "text_kk": a.text_kk}
            for a in load_agreement().articles]


def test_no_protocol_in_force_gives_the_agreement_as_signed() -> None:
    articles, skipped = consolidate(_base(), "kk", [])
    assert [a.article for a in articles] == [str(n) for n in range(1, 16)]
    assert all(a.status == "original" and not a.text_is_summary for a in articles)
    assert articles[10].text == load_agreement().article(11).text_kk and skipped == []


def test_amendments_apply_in_order_and_name_their_protocol() -> None:
    p1 = parse_protocol(PROTOCOL)
    p2 = parse_protocol({**PROTOCOL, "protocol": "p2", "amendments": [
        {"article": "3-1", "action": "replace", "text": ART8},
        {"article": "3", "action": "insert_after", "new_article": "3-2", "text": ART3_1},
        {"article": "10", "action": "replace", "text": ART8}]})
    articles, skipped = consolidate(_base(), "en", [(p1, date(2021, 2, 10)),
                                                    (p2, date(2022, 1, 1))])
    order = [a.article for a in articles]
    assert order[:6] == ["1", "2", "3", "3-1", "3-2", "4"]
    by_id = {a.article: a for a in articles}
    assert by_id["3-1"].text == ART8["en"] and by_id["3-1"].status == "inserted"
    assert [m["protocol"] for m in by_id["3-1"].amended_by] == [P1, "p2"]
    assert by_id["8"].title == load_agreement().article(8).titles["en"]
    assert by_id["1"].text_is_summary and by_id["8"].text_is_summary is False
    assert skipped == [{"protocol": "p2", "action": "replace", "in_force_from": "2022-01-01",
                        "article": "10"}]  # repealed by P1: nothing left to replace
