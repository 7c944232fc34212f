"""Markov removal effects against a closed-form hand calculation."""

import pytest

from throughline.markov import conversion_probability, removal_effects, shares


def test_removal_effects_of_a_small_chain() -> None:
    # Paths: start>A>B>conversion, start>A>null, start>B>conversion.
    # P(start>A)=2/3, P(start>B)=1/3, P(A>B)=1/2, P(A>null)=1/2, P(B>conversion)=1.
    # P(conversion) = 2/3*1/2 + 1/3 = 2/3.
    # Without A: 1/3 -> effect 1 - (1/3)/(2/3) = 1/2. Without B: 0 -> effect 1.
    rows = [
        ("start", "A", 2),
        ("start", "B", 1),
        ("A", "B", 1),
        ("A", "null", 1),
        ("B", "conversion", 2),
    ]
    counts = {(a, b): float(n) for a, b, n in rows}
    assert conversion_probability(counts) == pytest.approx(2 / 3)
    effects = removal_effects(rows)
    assert effects == pytest.approx({"A": 0.5, "B": 1.0})
    assert shares(effects) == pytest.approx({"A": 1 / 3, "B": 2 / 3})


def test_a_cycle_is_solved_not_truncated() -> None:
    # start>A, A>B, B>A, B>conversion, A>null each once (a loop A<->B).
    # From A: x_A = 1/2 x_B; from B: x_B = 1/2 x_A + 1/2 -> x_B = 2/3, x_A = 1/3.
    rows = [
        ("start", "A", 1),
        ("A", "B", 1),
        ("A", "null", 1),
        ("B", "A", 1),
        ("B", "conversion", 1),
    ]
    assert conversion_probability({(a, b): float(n) for a, b, n in rows}) == pytest.approx(1 / 3)
    # Removing B leaves no way to convert; removing A leaves none either (start only goes to A).
    assert removal_effects(rows) == pytest.approx({"A": 1.0, "B": 1.0})


def test_no_conversions_means_no_effect() -> None:
    assert removal_effects([("start", "A", 3), ("A", "null", 3)]) == {"A": 0.0}
