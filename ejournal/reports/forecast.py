"""The forecast of a period mark (000 §2.8): pure functions over plain values.

Method, as the report page explains it:

1. The student's marks so far in the period are their own sample of how they do in the
   subject: every mark (with its work type's weight) is equally likely to recur.
2. The remaining marks: the student's marks per lesson so far × the lessons of the group
   left in the period by the timetable, rounded.
3. Each remaining mark is drawn from that sample; the period average is the weighted
   average of all marks, and the school's rounding policy turns it into a mark. The
   probability of each mark is the share of the possible continuations that lead to it:
   counted exactly when there are few continuations; otherwise from the normal
   approximation of the sum of the remaining marks (central limit theorem).
4. The forecast is the most probable mark. The class forecast adds up the students'
   probabilities (the expected number of «5», «4», «3», «2»).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from ejournal.journal.averages import NUMERIC, RoundingPolicy, WeightedMark, weighted_average

# Exact counting when the continuations (multisets of remaining marks) are at most this many.
EXACT_LIMIT = 30
OUTCOMES = (5, 4, 3, 2)


@dataclass(frozen=True)
class Forecast:
    current: Decimal | None  # the weighted average so far
    remaining: int  # marks still expected
    probabilities: dict[int, float]  # mark -> probability (5, 4, 3, 2)
    exact: bool

    @property
    def expected(self) -> int | None:
        if not self.probabilities:
            return None
        # Ties go to the higher mark (the order of OUTCOMES).
        return max(OUTCOMES, key=lambda m: (self.probabilities.get(m, 0.0), m))


def expected_remaining(*, marks: int, lessons_so_far: int, lessons_left: int) -> int:
    """The student's own rate of marks per lesson, applied to the lessons left."""
    if lessons_so_far <= 0 or lessons_left <= 0 or marks <= 0:
        return 0
    return int((Decimal(marks) * lessons_left / lessons_so_far).quantize(Decimal(1), ROUND_HALF_UP))


def _combinations(categories: int, draws: int) -> int:
    return math.comb(draws + categories - 1, categories - 1)


def _multisets(categories: int, draws: int):
    """Every way of spreading ``draws`` over ``categories`` (counts per category)."""
    if categories == 1:
        yield (draws,)
        return
    for first in range(draws, -1, -1):
        for rest in _multisets(categories - 1, draws - first):
            yield (first, *rest)


def _normal_tail(x: float) -> float:
    """P(N(0, 1) ≥ x)."""
    return 0.5 * math.erfc(x / math.sqrt(2))


def forecast(
    marks: Sequence[tuple[str, Decimal]], remaining: int, policy: RoundingPolicy
) -> Forecast:
    """``marks``: (value, weight) of the marks so far; only numeric values count."""
    sample = [(NUMERIC[v], Decimal(w)) for v, w in marks if v in NUMERIC]
    if not sample:
        return Forecast(None, remaining, {}, True)
    # Students with the same marks so far share the outcome: computed once per school.
    profile = tuple(sorted(Counter(sample).items()))
    current, probabilities, exact = _outcome(profile, max(remaining, 0), policy)
    return Forecast(current, max(remaining, 0), dict(probabilities), exact)


@lru_cache(maxsize=100_000)
def _outcome(
    profile: tuple[tuple[tuple[int, Decimal], int], ...], remaining: int, policy: RoundingPolicy
) -> tuple[Decimal | None, tuple[tuple[int, float], ...], bool]:
    sample = [category for category, count in profile for _ in range(count)]
    current = weighted_average(_as_weighted(sample))
    total = sum((Decimal(v) * w for v, w in sample), Decimal(0))
    weights = sum(w for _, w in sample)
    if remaining <= 0:
        mark = policy.mark_for(total / weights)
        return current, tuple((m, float(m == mark)) for m in OUTCOMES), True
    counts = Counter(sample)
    categories = list(counts)
    n = len(sample)
    thresholds = {5: policy.five, 4: policy.four, 3: policy.three}
    at_least: dict[int, float] = {}
    exact = _combinations(len(categories), remaining) <= EXACT_LIMIT
    if exact:
        at_least = dict.fromkeys(thresholds, 0.0)
        probabilities = [counts[c] / n for c in categories]
        # Exact integer arithmetic: weights have one decimal place, thresholds two.
        points = [(int(v * w * 10), int(w * 10)) for v, w in categories]
        base_s, base_w = int(total * 10), int(weights * 10)
        limits = {m: int(t * 100) for m, t in thresholds.items()}
        factorial = float(math.factorial(remaining))
        for spread in _multisets(len(categories), remaining):
            p, s, ws = factorial, base_s, base_w
            for k, prob, (vw, w) in zip(spread, probabilities, points, strict=True):
                if k:
                    p = p / math.factorial(k) * prob**k
                    s += k * vw
                    ws += k * w
            for mark, limit in limits.items():
                if s * 100 >= limit * ws:
                    at_least[mark] += p
    else:
        for mark, threshold in thresholds.items():
            # average ≥ t  ⇔  Σ w·(v − t) over the remaining marks ≥ t·W0 − S0
            z = [float(w * (v - threshold)) for v, w in sample]
            mean = sum(z) / n
            variance = sum((x - mean) ** 2 for x in z) / n
            need = float(threshold * weights - total)
            if variance == 0:
                at_least[mark] = 1.0 if remaining * mean >= need else 0.0
            else:
                at_least[mark] = _normal_tail(
                    (need - remaining * mean) / math.sqrt(remaining * variance)
                )
    # Monotone by construction for exact counting; guard the approximation.
    p5 = at_least[5]
    p4 = max(at_least[4], p5)
    p3 = max(at_least[3], p4)
    return current, ((5, p5), (4, p4 - p5), (3, p3 - p4), (2, 1.0 - p3)), exact


def _as_weighted(sample: Iterable[tuple[int, Decimal]]) -> list[WeightedMark]:
    return [WeightedMark(str(v), w) for v, w in sample]
