"""Costs of a project (Art. 7): each Party bears its own costs unless the Parties agreed
otherwise in the given case.

* The default arrangement is "own costs": what each Party records is what it bears.
* The participants may agree shares for a project (fractions summing to 1, one per participating
  Party); they are agreed only once every participating Party consented (as deadlines, Art. 5),
  and only while the shares name exactly the Parties taking part.
* Each Party records its own costs: an amount (a decimal string, never a float), an ISO 4217
  currency, and the stage it belongs to. Totals are per Party and per currency; currencies are
  never converted (no rate is agreed in the Agreement).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import pycountry

from kelisim.domain.errors import N_, InvalidInput, Message, RuleViolation

MAX_DIGITS = 18
MAX_PLACES = 4


class Cost(NamedTuple):
    """One cost a Party recorded (a tuple: a page lists hundreds a read). `position` is its
    entry's place in the project's history: the keyset of the pages of costs."""

    id: str
    party: str
    amount: Decimal
    currency: str
    stage_id: str | None
    description: str
    recorded_by: str
    position: int = 0


def parse_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise InvalidInput(Message(N_("The amount {text!r} is not a decimal number such as "
                                      "1250.50."), text=text), field="amount") from None
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or amount <= 0 or not isinstance(exponent, int):
        raise InvalidInput(Message(N_("The amount {text!r} must be a positive decimal number."),
                                   text=text), field="amount")
    if -exponent > MAX_PLACES or len(amount.as_tuple().digits) > MAX_DIGITS:
        raise InvalidInput(Message(N_("The amount {text!r} has too many digits (at most "
                                      "{digits}, {places} after the point)."), text=text,
                                   digits=MAX_DIGITS, places=MAX_PLACES), field="amount")
    return amount


def parse_currency(code: str) -> str:
    """ISO 4217 alphabetic code, as pycountry knows it."""
    upper = code.strip().upper()
    if len(upper) != 3 or pycountry.currencies.get(alpha_3=upper) is None:
        raise InvalidInput(Message(N_("{code!r} is not an ISO 4217 currency code (e.g. KZT, "
                                      "RUB, BYN)."), code=code), field="currency")
    return upper


def parse_shares(shares: Mapping[str, str]) -> dict[str, Decimal]:
    parsed: dict[str, Decimal] = {}
    for party, text in shares.items():
        try:
            share = Decimal(str(text))
        except InvalidOperation:
            raise InvalidInput(Message(N_("The share of {party} ({text!r}) is not a decimal "
                                          "fraction."), party=party, text=str(text)),
                               field="shares") from None
        if not share.is_finite() or not Decimal(0) <= share <= Decimal(1):
            raise InvalidInput(Message(N_("The share of {party} must lie between 0 and 1."),
                                       party=party), field="shares")
        parsed[party] = share
    if not parsed or sum(parsed.values()) != Decimal(1):
        raise InvalidInput(Message(N_("Agreed shares must sum to exactly 1 (Art. 7).")),
                           field="shares", article="Art. 7")
    return parsed


def check_shares_name_participants(shares: Mapping[str, Decimal],
                                   participants: frozenset[str]) -> None:
    if set(shares) != participants:
        raise RuleViolation(Message(N_("Agreed shares name every Party taking part and no "
                                       "other ({parties}) (Art. 7)."),
                                    parties=", ".join(sorted(participants))),
                            article="Art. 7", field="shares")


def shares_agreed(shares: Mapping[str, Decimal] | None, consenting: frozenset[str],
                  participants: frozenset[str]) -> bool:
    """Art. 7 "unless agreed otherwise": every participant consented and the shares name
    exactly the participants; otherwise each Party bears its own costs."""
    return (shares is not None and bool(participants) and set(shares) == participants
            and participants <= consenting)


def totals(costs: Iterable[Cost]) -> dict[str, dict[str, Decimal]]:
    """{party: {currency: sum}}."""
    found: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for cost in costs:
        found[cost.party][cost.currency] += cost.amount
    return {party: dict(by_currency) for party, by_currency in sorted(found.items())}


def per_currency(costs: Iterable[Cost]) -> dict[str, Decimal]:
    found: dict[str, Decimal] = defaultdict(Decimal)
    for cost in costs:
        found[cost.currency] += cost.amount
    return dict(sorted(found.items()))


def borne(costs: Iterable[Cost], shares: Mapping[str, Decimal] | None
          ) -> dict[str, dict[str, Decimal]]:
    """What each Party bears, per currency: its own costs (Art. 7 default), or its agreed share
    of the total in each currency."""
    listed = list(costs)
    if shares is None:
        return totals(listed)
    return {party: {currency: total * share for currency, total in per_currency(listed).items()}
            for party, share in sorted(shares.items())}


def per_currency_of(totals: Mapping[str, Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """The sum in each currency of a {party: {currency: sum}} table (`totals`)."""
    found: dict[str, Decimal] = defaultdict(Decimal)
    for row in totals.values():
        for currency, amount in row.items():
            found[currency] += amount
    return dict(sorted(found.items()))


def borne_of(totals: Mapping[str, Mapping[str, Decimal]], shares: Mapping[str, Decimal] | None
             ) -> dict[str, dict[str, Decimal]]:
    """`borne` from the {party: {currency: sum}} table instead of every cost."""
    if shares is None:
        return {party: dict(row) for party, row in sorted(totals.items())}
    return {party: {currency: total * share
                    for currency, total in per_currency_of(totals).items()}
            for party, share in sorted(shares.items())}
