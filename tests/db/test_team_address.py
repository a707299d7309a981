"""Issue 17: File ▸ Connect to a team database… makes the address from three fields (db.team_address)."""

import pytest

from db.errors import DatabaseError
from db.team_address import address


@pytest.mark.parametrize(
    ("server", "database", "user", "url"),
    [
        ("db.example.org", "accord", "amina", "postgresql://amina@db.example.org/accord"),
        ("db.example.org:6543", "accord", "amina", "postgresql://amina@db.example.org:6543/accord"),
        ("", "accord", "amina", "postgresql://amina@/accord"),
        ("/tmp/pg", "accord", "amina", "postgresql://amina@/accord?host=%2Ftmp%2Fpg"),
        ("  db  ", " accord ", " amina ", "postgresql://amina@db/accord"),
        ("db", "team hq", "o'neil", "postgresql://o%27neil@db/team hq"),
    ],
)
def test_the_address_of_a_team_database(server, database, user, url):
    assert address(server, database, user) == url


@pytest.mark.parametrize(
    ("server", "database", "user", "said"),
    [
        ("db", "", "amina", "Name the database"),
        ("db", "accord", "", "Name the user"),
        ("db:port", "accord", "amina", "not a number from 1 to 65535"),
        ("db:70000", "accord", "amina", "not a number from 1 to 65535"),
    ],
)
def test_a_missing_or_wrong_field_is_one_sentence(server, database, user, said):
    with pytest.raises(DatabaseError, match=said):
        address(server, database, user)
