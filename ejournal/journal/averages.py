"""Weighted averages and the suggested period mark: pure functions over plain values.

Only numeric marks 1–5 count; special marks («н/а», «осв», «зач», «незач») are ignored
and debt dots are counted separately. Everything is ``Decimal`` so that a policy
threshold such as 4.5 compares exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NUMERIC = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
DEBT = "dot"
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class WeightedMark:
    """A journal mark as the average sees it: its value and its work type's weight."""

    value: str
    weight: Decimal
    written: bool = False


@dataclass(frozen=True)
class RoundingPolicy:
    """An average at or above ``five`` earns «5», at or above ``four`` «4», and so on;
    below ``three`` it is «2». The default rounds x.5 up; some schools use x.6."""

    five: Decimal = Decimal("4.5")
    four: Decimal = Decimal("3.5")
    three: Decimal = Decimal("2.5")

    def __post_init__(self) -> None:
        if not (Decimal(2) < self.three < self.four < self.five <= Decimal(5)):
            raise ValueError("Пороги должны возрастать: 2 < «3» < «4» < «5» ≤ 5.")

    def mark_for(self, average: Decimal) -> int:
        if average >= self.five:
            return 5
        if average >= self.four:
            return 4
        if average >= self.three:
            return 3
        return 2


DEFAULT_POLICY = RoundingPolicy()


def weighted_average(marks: Iterable[WeightedMark]) -> Decimal | None:
    """Σ(mark × weight) / Σ(weight) over numeric marks; None when there are none.

    The exact quotient is returned (not rounded) so the rounding policy sees the true
    value; use ``display_average`` to show it.
    """
    total = Decimal(0)
    weights = Decimal(0)
    for mark in marks:
        numeric = NUMERIC.get(mark.value)
        if numeric is None:
            continue
        weight = Decimal(mark.weight)
        total += numeric * weight
        weights += weight
    if weights == 0:
        return None
    return total / weights


def display_average(average: Decimal | None) -> str:
    if average is None:
        return "—"
    return str(average.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)).replace(".", ",")


def plain_average(values: Iterable[int]) -> Decimal | None:
    """The average of period marks (for the suggested year mark), equal weights."""
    items = [Decimal(v) for v in values]
    if not items:
        return None
    return sum(items, Decimal(0)) / len(items)


def required_marks(*, hours_per_week: Decimal | None, per_1h: int, per_2h: int, per_3h: int) -> int:
    """The minimum number of marks for a period mark, by the subject's weekly hours."""
    hours = Decimal(hours_per_week or 0)
    if hours >= 3:
        return per_3h
    if hours >= 2:
        return per_2h
    return per_1h


@dataclass(frozen=True)
class MarksSummary:
    average: Decimal | None
    numeric_count: int
    debt_count: int
    written_count: int

    @property
    def average_display(self) -> str:
        return display_average(self.average)


def summarise(marks: Iterable[WeightedMark]) -> MarksSummary:
    items = list(marks)
    return MarksSummary(
        average=weighted_average(items),
        numeric_count=sum(1 for m in items if m.value in NUMERIC),
        debt_count=sum(1 for m in items if m.value == DEBT),
        written_count=sum(1 for m in items if m.written and m.value in NUMERIC),
    )


NOT_ATTESTED = "na"


@dataclass(frozen=True)
class Suggestion:
    """What the entry page proposes: a mark (or «н/а») and why."""

    value: str | None  # "2".."5", "na", or None (nothing to suggest)
    policy_mark: int | None  # the average rounded by the policy, if there is an average
    warnings: tuple[str, ...] = ()


def suggest(
    *,
    summary: MarksSummary,
    policy: RoundingPolicy,
    required: int,
    written_required: bool,
) -> Suggestion:
    """The suggested period mark: the policy applied to the average, or «н/а» when the
    student has too few marks or lacks a required written / practical work."""
    policy_mark = policy.mark_for(summary.average) if summary.average is not None else None
    warnings: list[str] = []
    if summary.numeric_count < required:
        warnings.append(
            f"Мало отметок: {summary.numeric_count} из необходимых {required}. Рекомендуется «н/а»."
        )
    if written_required and summary.written_count == 0:
        warnings.append(
            "Нет отметки за письменную, лабораторную или практическую работу. Рекомендуется «н/а»."
        )
    if summary.debt_count:
        warnings.append(f"Долгов (точек): {summary.debt_count}.")
    if (
        policy_mark is None
        or summary.numeric_count < required
        or (written_required and summary.written_count == 0)
    ):
        return Suggestion(NOT_ATTESTED, policy_mark, tuple(warnings))
    return Suggestion(str(policy_mark), policy_mark, tuple(warnings))


def deviates(*, value: str, policy_mark: int | None) -> bool:
    """True when a numeric period mark differs from the policy mark by more than one step,
    or is numeric with no current marks to justify it (objectivity control)."""
    numeric = NUMERIC.get(value)
    if numeric is None:
        return False
    if policy_mark is None:
        return True
    return abs(numeric - policy_mark) > 1
