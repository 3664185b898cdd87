"""``molxtal.results``: how a number and its convergence status are shown to a person."""

from molxtal.results import number, status, with_status


def test_a_number_is_shown_with_its_status_and_reasons():
    assert with_status("68.3", status([])) == "68.3"
    assert with_status("68.3", None) == "68.3"
    short = status(["production 0.3 ps < 5 ps", "64 molecules"])
    assert with_status("2.71", short) == "2.71 [indicative: production 0.3 ps < 5 ps; 64 molecules]"
    # a number that was not computed is never shown, only why
    caged = status(["log-log slope 0.47: caged"], computed=False)
    assert with_status("2.3e-05", caged) == "not computed: log-log slope 0.47: caged"


def test_missing_and_non_finite_numbers_print_as_a_dash():
    assert number(None, ".2f") == number(float("nan"), ".2f") == "-"
    assert number(1.23456, ".2f") == "1.23"
