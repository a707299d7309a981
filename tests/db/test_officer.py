"""Who the officer is: what a name and unit may be, and the one saved identity (db.officer)."""

import pytest

from db.officer import Officer, officer, officer_file, officer_problem, save_officer, saved_officer


@pytest.mark.parametrize(
    ("name", "unit", "problem"),
    [
        ("Farida Rahimi", "Afghanistan desk", ""),
        ("Farida Rahimi", "", ""),
        ("  ", "Afghanistan desk", "Give your name: reports say who prepared them and the record says who changed it."),
        ("Farida\nRahimi", "", "Write the name on one line."),
        ("x" * 201, "", "The name is 201 characters long; the limit is 200."),
        ("Farida", "a\x00b", "The unit holds a NUL character at position 2; remove it."),
    ],
)
def test_what_a_name_and_unit_may_be(name, unit, problem):
    assert officer_problem(name, unit) == problem


def test_the_label_is_name_and_unit():
    assert Officer("Farida Rahimi", "Afghanistan desk").label == "Farida Rahimi, Afghanistan desk"
    assert Officer("Farida Rahimi").label == "Farida Rahimi"


def test_saved_and_read_back_else_the_os_full_name(monkeypatch):
    monkeypatch.setattr("db.officer.full_name", lambda: "Farida Rahimi")
    assert saved_officer() is None and officer() == Officer("Farida Rahimi")
    save_officer(Officer("Jawad Karimi", "Political section"))
    assert officer().label == "Jawad Karimi, Political section"


@pytest.mark.parametrize("spoilt", ["", "[]", '{"unit": "x"}', '{"name": "a\\u0000b"}', "\x00"])
def test_a_spoilt_settings_file_is_as_none_saved(spoilt, monkeypatch):
    monkeypatch.setattr("db.officer.full_name", lambda: "Farida Rahimi")
    officer_file().parent.mkdir(parents=True, exist_ok=True)
    officer_file().write_text(spoilt)
    assert officer() == Officer("Farida Rahimi")
