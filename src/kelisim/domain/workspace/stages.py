"""Stages of a project and their agreed deadlines (Art. 5).

* Art. 5: the work goes in stages, in order (the first: collecting, analysing and exchanging the
  information the directions need and drafting legal acts; later ones: carrying out the
  directions), "within agreed deadlines". A stage's deadline is agreed only once every Party
  taking part on the day has consented to it; each consent names who gave it and when.
* A changed deadline is a new revision: the consents to earlier revisions no longer count.
* A stage whose deadline has passed and that is not completed is overdue (read against the
  clock, never stored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from kelisim.domain.errors import N_, Message, RuleViolation


@dataclass(frozen=True)
class Consent:
    party: str
    revision: int
    by: str
    at: datetime


@dataclass
class Stage:
    id: str
    position: int
    title: str
    deliverables: tuple[str, ...]
    deadline: date
    revision: int = 1
    consents: list[Consent] = field(default_factory=list)
    completed_on: date | None = None

    def consenting(self) -> frozenset[str]:
        return frozenset(c.party for c in self.consents if c.revision == self.revision)


def deadline_agreed(stage: Stage, participants: frozenset[str]) -> bool:
    """Art. 5: agreed iff every participating Party consented to the current revision."""
    return bool(participants) and participants <= stage.consenting()


def awaited(stage: Stage, participants: frozenset[str]) -> frozenset[str]:
    return participants - stage.consenting()


def overdue(stage: Stage, today: date) -> bool:
    return stage.completed_on is None and stage.deadline < today


def check_order(stages: Sequence[Stage], position: int, deadline: date) -> None:
    """Art. 5, in stages: a stage's deadline is not before the one before it nor after the one
    after it."""
    before = [s for s in stages if s.position < position]
    after = [s for s in stages if s.position > position]
    if before and deadline < max(s.deadline for s in before):
        raise RuleViolation(Message(N_("A stage's deadline ({deadline}) may not precede an "
                                       "earlier stage's; stages follow one another (Art. 5)."),
                                    deadline=deadline), article="Art. 5", field="deadline")
    if after and deadline > min(s.deadline for s in after):
        raise RuleViolation(Message(N_("A stage's deadline ({deadline}) may not follow a "
                                       "later stage's; stages follow one another (Art. 5)."),
                                    deadline=deadline), article="Art. 5", field="deadline")


def check_consent(stage: Stage, party: str, revision: int) -> None:
    """A consent is to the revision the Party saw; a stale one is refused, not miscounted."""
    if revision != stage.revision:
        raise RuleViolation(Message(N_("The deadline of this stage was changed (revision "
                                       "{current} now, not {revision}); consent to the current "
                                       "deadline {deadline} (Art. 5)."),
                                    current=stage.revision, revision=revision,
                                    deadline=stage.deadline),
                            article="Art. 5", field="revision", revision=stage.revision)
    if party in stage.consenting():
        raise RuleViolation(Message(N_("{party} already consented to this deadline (Art. 5)."),
                                    party=party), article="Art. 5", party=party)


def check_completion(stages: Sequence[Stage], stage: Stage) -> None:
    if stage.completed_on is not None:
        raise RuleViolation(Message(N_("This stage is already completed (Art. 5).")),
                            article="Art. 5")
    if any(s.position < stage.position and s.completed_on is None for s in stages):
        raise RuleViolation(Message(N_("An earlier stage is not completed; stages are "
                                       "completed in order (Art. 5).")), article="Art. 5")


def check_not_completed(stage: Stage) -> None:
    if stage.completed_on is not None:
        raise RuleViolation(Message(N_("A completed stage's deadline is not changed "
                                       "(Art. 5).")), article="Art. 5")
