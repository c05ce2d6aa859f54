"""The consolidated text: the Agreement with the amendments of its protocols in force applied.

Art. 11: amendments and additions are made in protocols that form an integral part of the
Agreement, so the text that binds a Party on a date is the Agreement's fifteen articles with the
amendments of every protocol in force *for that Party on that date* applied, in the order the
depositary recorded the protocols. Each article says which protocol changed it.

Languages: kelisim holds the Agreement's certified text in Kazakh only (`agreement_text`); in
Russian and English an unamended article gives the platform's summary (labelled so), while an
article a protocol replaced or inserted gives the protocol's own text in that language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kelisim.domain.protocols import ProtocolAdoption


@dataclass
class ConsolidatedArticle:
    article: str
    title: str | None
    text: str | None
    text_is_summary: bool
    status: str = "original"  # original | amended | inserted | repealed
    amended_by: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"article": self.article, "title": self.title, "text": self.text,
                "text_is_summary": self.text_is_summary, "status": self.status,
                "amended_by": self.amended_by}


def consolidate(base: Sequence[Mapping[str, Any]], lang: str,
                protocols: Sequence[tuple[ProtocolAdoption, date]]
                ) -> tuple[list[ConsolidatedArticle], list[dict[str, Any]]]:
    """The articles in order, and the amendments that could not apply (their article is not in
    the text in force for this Party, e.g. it was inserted by a protocol not in force for it).

    `base` holds the Agreement's articles as the reference data gives them (number, titles,
    summary, text_kk); `protocols` the protocols in force with their date of effect, in the
    order the depositary recorded them."""
    articles = [_original(article, lang) for article in base]
    skipped: list[dict[str, Any]] = []
    for protocol, since in protocols:
        for amendment in protocol.amendments:
            mark = {"protocol": protocol.protocol, "action": amendment.action,
                    "in_force_from": since.isoformat()}
            position = next((i for i, a in enumerate(articles)
                             if a.article == amendment.article), None)
            if position is None or articles[position].status == "repealed":
                skipped.append({**mark, "article": amendment.article})
                continue
            target = articles[position]
            title = amendment.title[lang] if amendment.title else None
            if amendment.action == "repeal":
                target.text, target.text_is_summary, target.status = None, False, "repealed"
                target.amended_by.append(mark)
            elif amendment.action == "replace":
                target.text, target.text_is_summary = amendment.text[lang], False
                target.title = title or target.title
                target.status = "amended" if target.status == "original" else target.status
                target.amended_by.append(mark)
            else:
                after = _end_of_insertions(articles, position)
                articles.insert(after, ConsolidatedArticle(
                    amendment.target, title, amendment.text[lang], False, "inserted", [mark]))
    return articles, skipped


def _original(article: Mapping[str, Any], lang: str) -> ConsolidatedArticle:
    titles = article.get("titles") or {}
    if lang == "kk":
        return ConsolidatedArticle(str(article["number"]), titles.get(lang),
                                   article.get("text_kk"), False)
    summary = (article.get("summary") or {}).get(lang)
    return ConsolidatedArticle(str(article["number"]), titles.get(lang), summary, True)


def _end_of_insertions(articles: list[ConsolidatedArticle], position: int) -> int:
    """Insert after the article and after the articles already inserted after it (3-1, 3-2)."""
    stem = articles[position].article.split("-")[0]
    after = position + 1
    while after < len(articles) and articles[after].article.split("-")[0] == stem and (
            articles[after].status == "inserted"):
        after += 1
    return after
