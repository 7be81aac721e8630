"""The one interval function: Student's t over replications, honest about one value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bottrop_sim.statistics import holm, interval, paired_p_value


def test_interval_is_a_t_interval():
    result = interval(np.array([1.0, 2.0, 3.0]))
    assert result.mean - result.low == pytest.approx(result.high - result.mean)
    # t(0.975, df 2) = 4.302652729911275 (tables), sd 1, n 3
    assert result.mean == 2.0 and result.high - result.mean == pytest.approx(4.302652729911275 / math.sqrt(3))
    assert result.n == 3 and result.std == pytest.approx(1.0)


def test_one_value_has_a_mean_but_no_interval():
    result = interval([5.0])
    assert result.mean == 5.0 and math.isnan(result.low) and math.isnan(result.high) and result.n == 1
    assert not result.excludes_zero


def test_identical_values_have_a_zero_width_interval_and_nan_is_left_out():
    result = interval([4.0, 4.0, np.nan, 4.0, np.inf])
    assert (result.mean, result.low, result.high, result.n) == (4.0, 4.0, 4.0, 3)
    assert result.excludes_zero
    empty = interval([np.nan])
    assert empty.n == 0 and all(math.isnan(v) for v in (empty.mean, empty.low, empty.high))


def test_wider_at_higher_confidence_and_a_clear_difference_excludes_zero():
    values = [0.5, 1.5, 1.0, 2.0, 0.8]
    assert interval(values, 0.99).high > interval(values, 0.95).high > interval(values, 0.5).high
    assert interval(values).excludes_zero
    assert not interval([-1.0, 1.0, 0.2, -0.3]).excludes_zero


def test_holm_adjusts_step_down_and_leaves_nan_out():
    # m = 4 finite values: sorted 0.01, 0.02, 0.03, 0.5 -> 4 x 0.01, max(0.04, 3 x 0.02), max(0.06, 2 x 0.03), max(0.06, 0.5)
    adjusted = holm([0.03, np.nan, 0.01, 0.5, 0.02])
    assert adjusted[[2, 4, 0, 3]] == pytest.approx([0.04, 0.06, 0.06, 0.5])
    assert np.isnan(adjusted[1])
    assert holm([0.9, 0.8]).tolist() == [1.0, 1.0]  # capped at 1


def test_paired_p_value_is_the_t_test():
    from scipy import stats

    differences = [0.3, -0.1, 0.5, 0.2, 0.4]
    assert paired_p_value(differences) == pytest.approx(stats.ttest_1samp(differences, 0.0).pvalue)
    assert paired_p_value([2.0, 2.0]) == 0.0 and paired_p_value([0.0, 0.0]) == 1.0
    assert np.isnan(paired_p_value([1.0]))
