"""ACLED's renamed actors (db.actors.fold_ranges): an open range folds into the closed one of the same start."""

import pytest

from db.actors import fold_ranges

KNOWN = {
    "military forces of afghanistan (2014-2021)": "andsf",
    "afghan government": "andsf",
    "police forces of afghanistan (2014-)": "police",
    "military forces of mali (2013-2019)": "mali-a",
    "military forces of mali (2013-2021)": "mali-b",
}


@pytest.mark.parametrize(
    ("names", "folded"),
    [
        (["Military Forces of Afghanistan (2014-)"], {"military forces of afghanistan (2014-)": "military forces of afghanistan (2014-2021)"}),
        (["Military Forces of Afghanistan (2021-)"], {}),  # after August 2021: another actor
        (["Military Forces of Afghanistan (2004-2014)"], {}),  # another start year
        (["Police Forces of Afghanistan (2014-2021)"], {"police forces of afghanistan (2014-2021)": "police forces of afghanistan (2014-)"}),
        (["Military Forces of Mali (2013-)"], {}),  # two closed ranges to choose from: not folded
        (["Militia (Commander 2014-)"], {}),  # not a range in brackets after a name
        (["X Forces (2019-)", "X Forces (2019-2022)"], {"x forces (2019-)": "x forces (2019-2022)"}),  # both new
        (["X Forces (2019-2022)", "X Forces (2019-)"], {"x forces (2019-)": "x forces (2019-2022)"}),
        (["X Forces (2019-2022)", "X Forces (2019-2023)"], {}),  # closed ranges never fold into each other
        (["Military Forces of Afghanistan (2014-2021)"], {}),  # known as it is
    ],
)  # fmt: skip
def test_fold_ranges(names, folded):
    assert fold_ranges(names, KNOWN) == folded
