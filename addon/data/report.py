"""The progress report's data: counts per topic, day, week and knowledge base, and what they mean.

Frozen dataclasses only (computed by `progress.py` and `aggregate.py`, shown by the renderers).
Definitions, which the UI repeats in its legend:
- a card is *suspended* when suspended, whatever its state; the other cards are *new* (never
  answered), *learning* (learning or relearning), *young* (review, interval < 21 days) or
  *mature* (review, interval ≥ 21 days). So total = new + learning + young + mature + suspended;
- *seen* = answered at least once (suspended ones included); *due* = what Anki's `is:due` finds
  (reviews due by today, learning cards due within the learn-ahead limit);
- *retention* = share of review answers (not learning ones) other than Again in the window; with
  no review answer yet it is unknown ("no data yet"), never 0% nor "no reviews" while learning;
- *retrievability* = FSRS's average predicted recall of the cards that have a memory state;
- a topic is *studied* when it has cards and none of them is still new (every card seen at
  least once, suspended ones aside).
Units: a *card* is what Anki schedules; a *note* is an authored flashcard of the build, which
gives one card (basic) or one per cloze deletion. Every count the learner sees is in cards;
notes appear only beside the author's figures and say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .bundle import Bundle, Day, Topic, Week
from .mock_plan import MockResult
from .mock_state import ActiveMock


@dataclass(frozen=True)
class Counts:
    """Card-state counts and answer statistics of a set of cards."""

    total: int = 0
    new: int = 0
    learning: int = 0
    young: int = 0
    mature: int = 0
    suspended: int = 0
    seen: int = 0
    due: int = 0
    reviews: int = 0
    """Review answers in the retention window."""
    passed: int = 0
    """Of those, the ones other than Again."""
    r_sum: float = 0.0
    r_cards: int = 0
    notes: int = 0
    """Authored flashcards (notes) of the build present in the collection."""
    missing: int = 0
    """Authored flashcards of the build not found in the collection (deleted, or not imported yet)."""
    answered: int = 0
    """Answers of any kind (learning steps included) in the retention window."""

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.total + other.total,
            self.new + other.new,
            self.learning + other.learning,
            self.young + other.young,
            self.mature + other.mature,
            self.suspended + other.suspended,
            self.seen + other.seen,
            self.due + other.due,
            self.reviews + other.reviews,
            self.passed + other.passed,
            self.r_sum + other.r_sum,
            self.r_cards + other.r_cards,
            self.notes + other.notes,
            self.missing + other.missing,
            self.answered + other.answered,
        )

    @property
    def pct_seen(self) -> float:
        return 100.0 * self.seen / self.total if self.total else 0.0

    @property
    def pct_mature(self) -> float:
        return 100.0 * self.mature / self.total if self.total else 0.0

    @property
    def retention(self) -> float | None:
        """Pass rate of review answers in %, or None without reviews."""
        return 100.0 * self.passed / self.reviews if self.reviews else None

    @property
    def retrievability(self) -> float | None:
        """Average FSRS retrievability in %, or None when no card has a memory state."""
        return 100.0 * self.r_sum / self.r_cards if self.r_cards else None


def total(items: Iterable[Counts]) -> Counts:
    out = Counts()
    for c in items:
        out = out + c
    return out


@dataclass(frozen=True)
class TopicProgress:
    """One topic of the roadmap."""

    topic: Topic
    counts: Counts

    @property
    def studied(self) -> bool:
        return self.counts.total > 0 and self.counts.new == 0


@dataclass(frozen=True)
class DayProgress:
    """One day: its topics in study order."""

    week: Week
    day: Day
    topics: tuple[TopicProgress, ...]
    counts: Counts

    @property
    def topics_studied(self) -> int:
        return sum(t.studied for t in self.topics)

    @property
    def done(self) -> bool:
        return all(t.studied or t.counts.total == 0 for t in self.topics)


@dataclass(frozen=True)
class WeekProgress:
    """One week: its days."""

    week: Week
    days: tuple[DayProgress, ...]
    counts: Counts


@dataclass(frozen=True)
class Counter:
    """A count against what it is measured by (the roadmap's size, or the author's target)."""

    have: int
    target: int


@dataclass(frozen=True)
class KbProgress:
    """The whole report for one knowledge base."""

    bundle: Bundle
    weeks: tuple[WeekProgress, ...]
    counts: Counts
    """All cards of the knowledge base (topics outside the roadmap included)."""
    other_topics: tuple[TopicProgress, ...]
    """Topics with cards that no roadmap day lists and no mock interview names as its problem."""
    daily: tuple[int, ...]
    """Answers per day, oldest first, today last."""
    topics_studied: Counter
    """The learner's: roadmap topics studied, of the roadmap topics that have cards."""
    flashcards: Counter
    """The author's: notes of the build in the collection, against the roadmap's flashcard target."""
    examples: Counter
    """The author's: runnable examples, against the roadmap's target."""
    mock_interviews: Counter
    """The learner's: mock interviews done, of the roadmap's mock interviews."""
    mocks_done: frozenset[str]
    fsrs: bool
    current_day: DayProgress | None
    """First day with a topic not studied yet (None when the roadmap is done)."""
    next_topic: TopicProgress | None
    """First topic, in roadmap order, not studied yet."""
    mock_history: Mapping[str, tuple[MockResult, ...]] = field(default_factory=dict)
    """Finished mock interviews by mock id, oldest first."""
    mock_topics: tuple[TopicProgress, ...] = ()
    """Coding problems of the mock interviews (a section's `problem`) that no roadmap day lists."""

    @property
    def answers_today(self) -> int:
        """Answers given today (Anki's day), learning steps included: what Anki calls cards studied today."""
        return self.daily[-1] if self.daily else 0

    def mocks_of(self, topic_id: str) -> tuple[str, ...]:
        """Titles of the mock interviews that name `topic_id` as a coding problem."""
        return tuple(m.title for m in self.bundle.mock_interviews if any(s.problem == topic_id for s in m.sections))


@dataclass(frozen=True)
class Report:
    """Progress of every knowledge base found in the collection."""

    kbs: tuple[KbProgress, ...]
    problems: tuple[str, ...] = ()
    bundles_found: int = 0
    """Valid bundles in the media folder (a knowledge base with no card left is not shown)."""
    read_ms: float = 0.0
    compute_ms: float = 0.0
    chart_days: int = 30
    day_cutoff: int = 0
    """Epoch seconds when Anki's next day starts (dates the chart)."""
    active_mock: ActiveMock | None = None
    """The mock interview in progress in this collection (started, neither finished nor abandoned)."""
