"""A refusal in the reader's language: the rule's sentence and the article it cites.

The domain raises refusals whose reason is a `Message` (an English `str.format` template marked
with `N_`, and its parameters; `kelisim.domain.errors`). Here the template is looked up in the
language's catalog and the parameters are shown for that reader: dates by Babel's CLDR data, a
Party's code by the state's name, a Party's state and an instrument's kind by their labels, a
wrapped refusal ("Entry 2 of the request: ...") translated inside its wrapper. A refusal raised
with a plain string has no translation: the UI shows its English reason marked `lang="en"`
(decision 0007).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from kelisim.domain.errors import KelisimError, Message
from kelisim.domain.states import load_states
from kelisim.domain.treaty import PartyState
from kelisim.web.ui.accounts import KIND_LABELS, ROLE_LABELS
from kelisim.web.ui.i18n import N_, Formatter, translations
from kelisim.web.ui.status import INSTRUMENT_LABELS, STATE_LABELS

ARTICLE = re.compile(r"Art\. (\d+(?:-\d+)?)")
ARTICLE_WORDS: dict[str, str] = {
    "Preamble": N_("Preamble"),
    "final clause (signed 20 November 2013)": N_("final clause (signed 20 November 2013)"),
}
PARTY_KEYS = frozenset({"party", "acting", "lead", "requester", "owner"})
LABELS: dict[str, dict[str, str]] = {
    "kind": {**KIND_LABELS, **INSTRUMENT_LABELS},  # an instrument's or an organization's kind
    "role": dict(ROLE_LABELS),
}
NUMBER_KEYS = frozenset({"count", "needed", "limit"})
"""Quantities, grouped as the language groups digits; entry numbers stay as they are recorded."""


def translated_reason(error: KelisimError, lang: str) -> str | None:
    """The reason in `lang`, or None when the refusal carries no template (show it in English).

    A reason someone rewrote after raising (no longer the message's English form) is not
    trusted to the template: the English reason stays the truth.
    """
    message = error.message
    if message is None or str(message) != error.reason:
        return None
    return render_message(message, lang)


def render_message(message: Message, lang: str) -> str:
    gettext = translations(lang).gettext
    formatter = Formatter(lang)
    params = {key: _shown(key, value, lang, formatter) for key, value in message.params.items()}
    return gettext(message.template).format(**params)


def _shown(key: str, value: Any, lang: str, formatter: Formatter) -> Any:
    gettext = translations(lang).gettext
    if isinstance(value, Message):
        return render_message(value, lang)
    if isinstance(value, PartyState):
        return gettext(STATE_LABELS[value])
    if isinstance(value, date):
        return formatter.date(value, "long")
    if key in PARTY_KEYS and isinstance(value, str):
        known = load_states().get(value)
        return known.names.get(lang, value) if known else value
    if key in NUMBER_KEYS and isinstance(value, int):
        return formatter.number(value)
    if isinstance(value, str) and value in LABELS.get(key, {}):
        return gettext(LABELS[key][value])
    return value


def translated_article(article: str | None, lang: str) -> str:
    """'Art. 14' as the language cites it ('14-бап', 'Ст. 14'); other words from the catalog."""
    if not article:
        return ""
    gettext = translations(lang).gettext
    if article in ARTICLE_WORDS:
        return gettext(ARTICLE_WORDS[article])
    text = ARTICLE.sub(lambda m: gettext("Art. %(n)s") % {"n": m.group(1)}, article)
    for english, msgid in ARTICLE_WORDS.items():
        text = text.replace(english, gettext(msgid))
    return text
