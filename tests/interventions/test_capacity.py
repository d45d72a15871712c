"""Capacity model of the acute / sub-acute outpatient clinic: the simulation agrees with Erlang B
when open 24/7 with exponential work-up, the diverted share behaves sensibly in places, demand and
rule, it is reproducible from the seed, and bad arguments are refused with a clear message."""

import math

import numpy as np
import pytest

from naerhed.interventions.capacity import (
    ClinicResult,
    diverted_fraction,
    diverted_fraction_curve,
    erlang_b,
    plot_diverted_curve,
    same_day_result,
    simulate_clinic,
)

WEEKDAYS_10 = (10, 10, 10, 10, 10, 0, 0)  # 10 eligible referrals per weekday, none at weekends
ALWAYS_OPEN = {"open_hours": (0, 24), "open_weekdays": range(7), "service_distribution": "exponential"}


# ---------------------------------------------------------------------------------------------
# Erlang B


def test_erlang_b_known_values():
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(1, 0.5) == pytest.approx(0.5 / 1.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_b(5, 0.0) == 0.0
    # against the direct formula A^c/c! / sum_k A^k/k!
    for c, a in [(3, 2.0), (8, 6.0), (20, 15.0)]:
        direct = a**c / math.factorial(c) / sum(a**k / math.factorial(k) for k in range(c + 1))
        assert erlang_b(c, a) == pytest.approx(direct, rel=1e-12)
    # stable for many servers and a large load (the direct formula overflows there)
    assert 0 < erlang_b(2000, 1900.0) < 0.05


@pytest.mark.parametrize("places, load", [(1, 0.5), (2, 1.5), (4, 3.0), (8, 6.0), (3, 5.0)])
def test_simulated_blocking_matches_erlang_b(places, load):
    """Open 24/7, Poisson arrivals, exponential work-up (mean 3 h), rule same_day: the admitted
    (blocked) fraction is Erlang B(places, load) with load = arrivals per hour x 3 h.

    The standard error is derived from the number of simulated arrivals, sqrt(B (1 - B) / n). The
    blocking of successive arrivals is positively correlated, which makes that binomial standard
    error too small (by a factor 1.3 to 1.7 here, measured over 200 seeds), so the test uses the
    larger of it and the standard error between 8 independent replications."""
    per_day = load / 3.0 * 24.0
    runs = [simulate_clinic(places, [per_day] * 7, days=120, service_mean_hours=3.0, seed=seed, **ALWAYS_OPEN)
            for seed in range(8)]
    n = sum(r.arrivals for r in runs)
    blocked = sum(r.admitted for r in runs) / n
    expected = erlang_b(places, load)
    se_binomial = math.sqrt(expected * (1 - expected) / n)
    se_replications = np.std([r.admitted_fraction for r in runs], ddof=1) / math.sqrt(len(runs))
    se = max(se_binomial, se_replications)
    assert abs(blocked - expected) < 4 * se, (blocked, expected, se_binomial, se_replications)
    # utilisation = carried load per place, A (1 - B) / c
    utilisation = np.mean([r.utilisation for r in runs])
    assert utilisation == pytest.approx(load * (1 - expected) / places, abs=0.03)
    # open 24/7: no work-up after closing
    assert all(r.overtime_place_hours == pytest.approx(0.0, abs=1e-6) for r in runs)


# ---------------------------------------------------------------------------------------------
# Behaviour of the diverted share


@pytest.mark.parametrize("rule", ["same_day", "next_day"])
def test_diverted_share_rises_with_places(rule):
    curve = diverted_fraction_curve(range(0, 13), WEEKDAYS_10, rule=rule, days=364, seed=1)
    assert curve[0] == 0.0
    assert np.all(np.diff(curve) >= -0.002), curve  # weakly rising (common random numbers)
    assert curve[-1] > 0.95
    assert np.all((curve >= 0) & (curve <= 1))


@pytest.mark.parametrize("rule", ["same_day", "next_day"])
def test_diverted_share_falls_with_demand(rule):
    shares = [simulate_clinic(3, (d,) * 5 + (0, 0), rule=rule, days=364, seed=2).diverted_fraction
              for d in (2, 5, 10, 20, 40)]
    assert all(a >= b for a, b in zip(shares, shares[1:])), shares  # next_day: 100 % at low demand
    assert all(a > b for a, b in zip(shares[2:], shares[3:])), shares  # beyond capacity: strictly
    assert shares[-1] < 0.5 * shares[0]


def test_next_day_diverts_at_least_as_many_as_same_day():
    for places in (1, 2, 3, 4, 6, 8):
        same = simulate_clinic(places, WEEKDAYS_10, rule="same_day", seed=3)
        nxt = simulate_clinic(places, WEEKDAYS_10, rule="next_day", seed=3)
        assert nxt.diverted >= same.diverted, places
        assert same.diverted_next_day == 0 and same.booked == 0
        assert nxt.diverted_next_day <= nxt.booked
        for r in (same, nxt):
            assert r.diverted_same_day + r.diverted_next_day + r.admitted == r.arrivals
            assert r.diverted_fraction == pytest.approx(r.same_day_fraction + r.next_day_fraction)
            assert 0 <= r.utilisation <= 1


@pytest.mark.parametrize("rule", ["same_day", "next_day"])
def test_zero_places_diverts_nothing(rule):
    r = simulate_clinic(0, WEEKDAYS_10, rule=rule, seed=4)
    assert r.arrivals > 0
    assert (r.diverted_same_day, r.diverted_next_day, r.admitted) == (0, 0, r.arrivals)
    assert r.diverted_fraction == 0.0 and r.utilisation == 0.0


@pytest.mark.parametrize("rule", ["same_day", "next_day"])
def test_huge_capacity_diverts_every_arrival_in_opening_hours(rule):
    demand = (20, 20, 20, 20, 20, 6, 6)  # weekend referrals: the clinic is closed, admitted
    r = simulate_clinic(500, demand, rule=rule, seed=5)
    assert r.arrivals_closed > 0
    assert r.diverted_same_day == r.arrivals - r.arrivals_closed
    assert r.diverted_next_day == 0 and r.booked == 0
    assert r.admitted == r.arrivals_closed
    # open 24/7 nothing is lost at all
    r = simulate_clinic(500, demand, rule=rule, seed=5, **ALWAYS_OPEN)
    assert r.diverted_fraction == 1.0 and r.admitted == 0


def test_booking_friday_to_monday_and_wait_limit():
    """With one place and a short wait, booked patients queue at opening: a longer permitted wait
    diverts at least as many of them; with no wait allowed only the free places at opening count."""
    results = [simulate_clinic(1, WEEKDAYS_10, rule="next_day", seed=6, max_wait_hours=w) for w in (0, 2, 8)]
    assert [r.diverted_next_day for r in results] == sorted(r.diverted_next_day for r in results)
    assert results[0].diverted_next_day > 0
    with pytest.raises(ValueError, match="max_wait_hours"):
        simulate_clinic(1, WEEKDAYS_10, rule="next_day", max_wait_hours=9)


# ---------------------------------------------------------------------------------------------
# Reproducibility


@pytest.mark.parametrize("rule", ["same_day", "next_day"])
def test_same_seed_same_result_different_seed_differs(rule):
    a = simulate_clinic(3, WEEKDAYS_10, rule=rule, seed=11)
    b = simulate_clinic(3, WEEKDAYS_10, rule=rule, seed=11)
    c = simulate_clinic(3, WEEKDAYS_10, rule=rule, seed=12)
    assert isinstance(a, ClinicResult)
    assert a == b
    assert a != c and a.arrivals != c.arrivals


def test_global_numpy_state_is_untouched():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    simulate_clinic(2, WEEKDAYS_10, seed=0)
    assert np.random.random() == expected


@pytest.mark.parametrize("places,demand,options", [
    (1, (3,) * 7, {}),
    (4, WEEKDAYS_10, {}),
    (8, (40,) * 7, {"service_distribution": "lognormal", "service_cv": 0.8}),
    (3, (6,) * 7, ALWAYS_OPEN),
    (0, WEEKDAYS_10, {}),
])
def test_fast_same_day_path_equals_the_simpy_model(places, demand, options):
    """The heap-based loss system the microsimulation uses gives the simpy model's counts exactly."""
    reference = simulate_clinic(places, demand, rule="same_day", days=364, seed=5, **options)
    diverted, arrivals = same_day_result(places, demand, days=364, seed=5, **options)
    assert (diverted, arrivals) == (reference.diverted_same_day, reference.arrivals)
    cached = diverted_fraction(places, demand, "same_day", days=364, seed=5, **options)
    assert cached == pytest.approx(reference.diverted_fraction, abs=1e-15)


# ---------------------------------------------------------------------------------------------
# Cached entry point and figure


def test_diverted_fraction_cached_and_rounded():
    diverted_fraction.cache_clear()
    x = diverted_fraction(3, 7.0, "same_day", days=364)
    # 7.02 rounds to 7.0 persons/day: same cache entry, same value
    assert diverted_fraction(3, 7.02, "same_day", days=364) == x
    assert diverted_fraction.cache_info().hits == 1
    # one number means the same demand on every day of the week
    assert diverted_fraction(3, [7.0] * 7, "same_day", days=364) == x
    assert isinstance(x, float) and 0 < x < 5 / 7  # weekend referrals are admitted
    assert diverted_fraction(3, 7.0, "next_day", days=364) >= x
    assert diverted_fraction(0, 7.0, days=364) == 0.0
    assert diverted_fraction(3, 0.0, days=364) == 0.0  # no demand: nothing to divert


def test_plot_writes_png(tmp_path):
    path = plot_diverted_curve(tmp_path / "clinic.png", 10, places_max=4, days=70)
    assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------
# Bad arguments


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"places": -1}, "places must be >= 0"),
        ({"places": 2.5}, "places must be a whole number"),
        ({"arrivals_per_day": (10,) * 6}, "7 numbers"),
        ({"arrivals_per_day": (10,) * 8}, "7 numbers"),
        ({"arrivals_per_day": (10, 10, 10, 10, -1, 0, 0)}, ">= 0"),
        ({"rule": "tomorrow"}, "unknown rule 'tomorrow'"),
        ({"days": 0}, "days must be"),
        ({"service_mean_hours": 0}, "service_mean_hours"),
        ({"service_cv": -0.5}, "service_cv"),
        ({"open_hours": (16, 8)}, "open_hours"),
        ({"open_weekdays": (0, 7)}, "open_weekdays"),
        ({"service_distribution": "uniform"}, "unknown service_distribution"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    args = {"places": 2, "arrivals_per_day": WEEKDAYS_10, **kwargs}
    with pytest.raises(ValueError, match=message):
        simulate_clinic(**args)


def test_bad_arguments_of_the_other_entry_points():
    with pytest.raises(ValueError, match="places must be >= 0"):
        diverted_fraction(-2, 10.0)
    with pytest.raises(ValueError, match="7 numbers or one number"):
        diverted_fraction(2, [10.0] * 6)
    with pytest.raises(ValueError, match="unknown rule"):
        diverted_fraction(2, 10.0, "whenever")
    with pytest.raises(ValueError, match="unknown rule"):
        diverted_fraction_curve(range(3), WEEKDAYS_10, rule="whenever")
    with pytest.raises(ValueError, match="offered_load"):
        erlang_b(2, -1.0)
    with pytest.raises(ValueError, match="servers must be >= 0"):
        erlang_b(-1, 1.0)
