"""The weighted average and the rounding policy: exact cases and properties."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ejournal.journal.averages import (
    DEFAULT_POLICY,
    RoundingPolicy,
    WeightedMark,
    deviates,
    display_average,
    required_marks,
    suggest,
    summarise,
    weighted_average,
)

# 500 examples each; no deadline or slowness check (the suite shares a busy machine).
PROPERTY = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
X6 = RoundingPolicy(Decimal("4.6"), Decimal("3.6"), Decimal("2.6"))

weights = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("10"), places=1)
numeric_marks = st.builds(
    WeightedMark, value=st.sampled_from(["1", "2", "3", "4", "5"]), weight=weights
)
special_marks = st.builds(
    WeightedMark, value=st.sampled_from(["na", "osv", "zach", "nezach", "dot"]), weight=weights
)
policies = st.sampled_from([DEFAULT_POLICY, X6])


def wm(value, weight="1", written=False):
    return WeightedMark(value, Decimal(weight), written)


# --- exact cases ------------------------------------------------------------------------


def test_weighted_average_uses_work_type_weights():
    # 5 for a control work (weight 2) and 3 for an oral answer (weight 1): (10 + 3) / 3.
    avg = weighted_average([wm("5", "2"), wm("3", "1")])
    assert avg == Decimal(13) / Decimal(3)
    assert display_average(avg) == "4,33"


def test_weighted_average_ignores_special_marks_and_debts():
    marks = [wm("4"), wm("na"), wm("osv"), wm("zach"), wm("nezach"), wm("dot"), wm("5")]
    assert weighted_average(marks) == Decimal("4.5")


def test_no_numeric_marks_means_no_average():
    assert weighted_average([wm("na"), wm("dot")]) is None
    assert weighted_average([]) is None
    assert display_average(None) == "—"


def test_summary_counts_marks_debts_and_written_works_separately():
    summary = summarise(
        [wm("5", "2", written=True), wm("dot", "2", written=True), wm("4"), wm("zach")]
    )
    assert summary.numeric_count == 2
    assert summary.debt_count == 1
    assert summary.written_count == 1
    assert summary.average == Decimal(14) / Decimal(3)


@pytest.mark.parametrize(
    ("average", "default", "x6"),
    [
        ("4.5", 5, 4),
        ("4.49", 4, 4),
        ("4.6", 5, 5),
        ("3.5", 4, 3),
        ("3.59", 4, 3),
        ("3.6", 4, 4),
        ("2.5", 3, 2),
        ("2.6", 3, 3),
        ("2.49", 2, 2),
        ("1", 2, 2),
        ("5", 5, 5),
    ],
)
def test_rounding_policy_thresholds(average, default, x6):
    assert DEFAULT_POLICY.mark_for(Decimal(average)) == default
    assert X6.mark_for(Decimal(average)) == x6


def test_exact_half_is_not_lost_to_division():
    # 4 + 5 with equal weights is exactly 4.5 and must round up under the default policy.
    assert DEFAULT_POLICY.mark_for(weighted_average([wm("4", "1.5"), wm("5", "1.5")])) == 5


def test_policy_thresholds_must_increase():
    with pytest.raises(ValueError):
        RoundingPolicy(Decimal("3.5"), Decimal("4.5"), Decimal("2.5"))


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(None, 3), ("0.5", 3), ("1", 3), ("1.5", 3), ("2", 5), ("2.5", 5), ("3", 7), ("6", 7)],
)
def test_required_marks_by_weekly_hours(hours, expected):
    value = Decimal(hours) if hours else None
    assert required_marks(hours_per_week=value, per_1h=3, per_2h=5, per_3h=7) == expected


def test_too_few_marks_suggests_not_attested_with_a_warning():
    summary = summarise([wm("5"), wm("5")])
    s = suggest(summary=summary, policy=DEFAULT_POLICY, required=3, written_required=False)
    assert s.value == "na"
    assert s.policy_mark == 5
    assert any("Мало отметок: 2 из необходимых 3" in w for w in s.warnings)


def test_missing_written_work_suggests_not_attested():
    summary = summarise([wm("5"), wm("5"), wm("4")])
    s = suggest(summary=summary, policy=DEFAULT_POLICY, required=3, written_required=True)
    assert s.value == "na"
    assert any("письменную" in w for w in s.warnings)
    ok = suggest(summary=summary, policy=DEFAULT_POLICY, required=3, written_required=False)
    assert ok.value == "5"
    assert ok.warnings == ()


def test_deviation_of_more_than_one_step():
    assert deviates(value="5", policy_mark=3)
    assert deviates(value="2", policy_mark=4)
    assert not deviates(value="4", policy_mark=3)
    assert not deviates(value="na", policy_mark=5)
    assert deviates(value="4", policy_mark=None)


# --- properties ------------------------------------------------------------------------


@pytest.mark.slow  # hypothesis
@PROPERTY
@given(marks=st.lists(numeric_marks | special_marks, max_size=30), data=st.data())
def test_average_does_not_depend_on_order(marks, data):
    shuffled = data.draw(st.permutations(marks))
    assert weighted_average(shuffled) == weighted_average(marks)


@pytest.mark.slow  # hypothesis
@PROPERTY
@given(
    marks=st.lists(numeric_marks, min_size=1, max_size=30),
    specials=st.lists(special_marks, max_size=10),
    data=st.data(),
)
def test_special_marks_and_debts_are_ignored(marks, specials, data):
    mixed = data.draw(st.permutations(marks + specials))
    assert weighted_average(mixed) == weighted_average(marks)
    assert summarise(mixed).numeric_count == len(marks)
    assert summarise(mixed).debt_count == sum(1 for m in specials if m.value == "dot")


@pytest.mark.slow  # hypothesis
@PROPERTY
@given(marks=st.lists(numeric_marks, min_size=1, max_size=30))
def test_average_lies_between_lowest_and_highest_mark(marks):
    values = [int(m.value) for m in marks]
    avg = weighted_average(marks)
    assert min(values) <= avg <= max(values)


@pytest.mark.slow  # hypothesis
@PROPERTY
@given(
    marks=st.lists(numeric_marks, min_size=1, max_size=30),
    policy=policies,
    required=st.integers(min_value=0, max_value=10),
)
def test_suggested_mark_is_the_policy_applied_to_the_average(marks, policy, required):
    summary = summarise(marks)
    s = suggest(summary=summary, policy=policy, required=required, written_required=False)
    avg = summary.average
    expected = 5 if avg >= policy.five else 4 if avg >= policy.four else 3
    if avg < policy.three:
        expected = 2
    assert s.policy_mark == expected
    if len(marks) >= required:
        assert s.value == str(expected)
    else:
        assert s.value == "na"


@pytest.mark.slow  # hypothesis
@PROPERTY
@given(
    value=st.sampled_from(["1", "2", "3", "4", "5"]),
    weight=weights,
    copies=st.integers(min_value=1, max_value=20),
)
def test_equal_marks_average_to_that_mark(value, weight, copies):
    assert weighted_average([WeightedMark(value, weight)] * copies) == Decimal(value)
