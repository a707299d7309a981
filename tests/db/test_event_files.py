"""Event files as they really arrive (issue 12): one sample file per quirk in tests/data, each imported
into the example record and checked in the database."""

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from db.actor_roster import list_actors
from db.actors import actor_completions
from db.errors import DateOrderUnknown, ImportFileError
from db.event_file import read_event_file
from db.event_import import import_events
from db.events import event_actor_roles
from db.ids import alias_id
from db.integrity import check_record
from db.models import Actor, ActorAlias, AuditEntry, Event
from tests.db.test_event_import import _events
from tests.record_digest import store_digest

DATA = Path(__file__).parent.parent / "data"


def _without(source: Path, column: str, target: Path) -> Path:
    """The CSV file without one of its columns."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    at = table[0].index(column)
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([cells[:at] + cells[at + 1 :] for cells in table])
    return target


def _actor_names(store, external_id) -> list[tuple[str, str]]:
    with store.reading() as session:
        event_id = session.exec(select(Event.id).where(Event.external_id == external_id)).one()
        return sorted((name, role) for role, name in event_actor_roles(session, event_id))


def _actor_count(store) -> int:
    with store.reading() as session:
        return len(session.exec(select(Actor.id)).all())


def test_an_hdx_edition_skips_its_row_of_hxl_hashtags(example_store):
    report = import_events(example_store, DATA / "acled_hdx_benin.csv")
    assert (report.format, report.added, report.how.hashtag_line) == ("acled-pre-2023", ["BEN1001", "BEN1002"], 2)
    assert "Line 2 holds HXL hashtags (an HDX edition): skipped." in report.lines()
    protest = _events(example_store)["BEN1001"]
    assert (protest.occurred_on, protest.location, protest.fatalities) == (date(2020, 5, 9), "Cotonou", 0)


def test_excel_in_a_european_locale_semicolons_windows_1252_crlf_decimal_commas(example_store):
    report = import_events(example_store, DATA / "acled_excel_semicolon_cp1252.csv")
    assert (report.how.encoding, report.how.separator, report.how.date_order) == ("cp1252", ";", "dmy")
    assert report.how.ignored == ("countycode",)
    assert "Columns not in the layout, ignored: countycode." in report.lines()
    clash = _events(example_store)["MLI2001"]
    assert (clash.occurred_on, clash.admin2, clash.location) == (date(2020, 5, 13), "Djenné", "Ségou-Koura")
    assert (clash.latitude, clash.longitude) == (14.45, -4.2)
    assert clash.notes == "Combats près de Djenné; l'armée dit avoir « neutralisé » 5 assaillants."
    assert _events(example_store)["MLI2002"].occurred_on == date(2020, 6, 5)  # 05/06: day first, as 13/05 tells


def test_dates_excel_rewrote_need_the_order_when_no_row_tells(example_store):
    path = DATA / "acled_excel_dates.csv"
    before = store_digest(example_store)
    with pytest.raises(DateOrderUnknown, match=r"'05/09/2020' read as day/month or month/day and no row tells"):
        import_events(example_store, path)
    assert store_digest(example_store) == before
    import_events(example_store, path, date_order="mdy")
    on = {key: event.occurred_on for key, event in _events(example_store).items()}
    assert on == {
        "AFG60001": date(2020, 5, 9), "AFG60002": date(2020, 5, 10), "AFG60003": date(2020, 5, 9),
        "AFG60004": date(2020, 6, 10), "AFG60005": date(2020, 5, 9),
    }  # fmt: skip


def test_the_day_first_order_is_decided_by_the_unambiguous_rows(example_store):
    report = import_events(example_store, DATA / "acled_excel_day_first.csv")
    assert report.how.date_order == "dmy" and report.how.order_given is None
    on = {key: event.occurred_on for key, event in _events(example_store).items()}
    assert on == {"AFG61001": date(2019, 12, 31), "AFG61002": date(2020, 9, 5), "AFG61003": date(2020, 2, 1)}


def test_contradicting_dates_are_refused_with_the_lines_that_disagree(example_store):
    before = store_digest(example_store)
    with pytest.raises(ImportFileError) as refused:
        import_events(example_store, DATA / "acled_excel_contradicting_dates.csv", date_order="dmy")
    text = str(refused.value)
    assert "day first on line 2 '13/05/2020', line 5 '25/05/2020' but month first on line 3 '05/14/2020'" in text
    assert not isinstance(refused.value, DateOrderUnknown) and "\n" not in text
    assert store_digest(example_store) == before


def test_a_last_record_cut_off_mid_field_is_an_invalid_row_never_half_an_event(example_store):
    path = DATA / "acled_excel_truncated.csv"
    before = store_digest(example_store)
    with pytest.raises(ImportFileError, match="line 3: the last record is cut off inside a quoted value"):
        import_events(example_store, path)
    assert store_digest(example_store) == before
    report = import_events(example_store, path, skip_invalid=True)
    assert report.added == ["AFG63001"] and [p.line for p in report.skipped] == [3]
    assert set(_events(example_store)) == {"AFG63001"}


def test_mojibake_is_repaired_by_ftfy_and_counted_quotes_kept(example_store):
    report = import_events(example_store, DATA / "acled_mojibake.csv")
    assert report.how.repaired == 5
    assert "Repaired garbled text (mojibake) in 5 distinct values." in report.lines()
    attack, militia = _events(example_store)["MLI3001"], _events(example_store)["MLI3002"]
    assert (attack.admin1, attack.location) == ("Ségou", "Diabaly Région")
    assert attack.notes == "Attaque à Diabaly — l'armée « repousse » les assaillants."  # guillemets untouched
    assert (militia.admin2, militia.source_name) == ("Djenné", "Le Républicain")


def test_missing_values_of_r_pandas_and_stata_are_empty_and_no_actor_is_named_na(example_store):
    actors = _actor_count(example_store)
    import_events(example_store, DATA / "acled_r_missing_values.csv")
    attack, protest = _events(example_store)["BEN2001"], _events(example_store)["BEN2002"]
    assert _actor_names(example_store, "BEN2001") == [("Unidentified Armed Group (Benin)", "actor1")]
    assert _actor_names(example_store, "BEN2002") == [("Protesters (Benin)", "actor1")]
    assert (attack.admin3, attack.fatalities) == (None, None)
    assert (protest.admin2, protest.admin3, protest.fatalities, protest.notes) == (None, None, None, None)
    assert (protest.latitude, protest.longitude, protest.geo_precision) == (None, None, None)
    assert _actor_count(example_store) == actors + 2
    with example_store.reading() as session:
        assert session.exec(select(Actor).where(Actor.name.in_(["NA", "N/A", "NULL", "nan", "."]))).all() == []


def test_dropped_and_reordered_columns_import_empty_and_are_reported(example_store):
    report = import_events(example_store, DATA / "acled_dropped_columns.csv")
    assert report.how.absent == ("admin3", "geo_precision", "actor2", "assoc_actor_2")
    assert "Columns absent, imported empty: admin3, geo_precision, actor2, assoc_actor_2." in report.lines()
    blast = _events(example_store)["SOM4001"]
    assert (blast.occurred_on, blast.event_type, blast.location, blast.fatalities) == (
        date(2022, 1, 15), "Explosions/Remote violence", "Mogadishu", 4
    )  # fmt: skip
    assert (blast.admin3, blast.geo_precision) == (None, None)
    assert _actor_names(example_store, "SOM4001") == [("Al Shabaab", "actor1")]


@pytest.mark.parametrize("absent", ["event_id_cnty", "event_date", "event_type", "actor1", "country"])
def test_only_the_columns_an_event_needs_are_required(example_store, tmp_path, absent):
    path = _without(DATA / "acled_dropped_columns.csv", absent, tmp_path / "dropped.csv")
    with pytest.raises(ImportFileError, match=f"the header lacks the column {absent}, without which an ACLED"):
        import_events(example_store, path)


def test_an_update_from_a_file_that_lacks_a_column_keeps_that_column(example_store, tmp_path):
    full = DATA / "acled_afghanistan.csv"
    import_events(example_store, full)
    report = import_events(example_store, _without(full, "notes", tmp_path / "no_notes.csv"))
    assert report.updated == [] and len(report.unchanged) == 7
    assert _events(example_store)["AFG40001"].notes.startswith("On 3 March 2020")


def test_the_2015_era_upper_case_layout(example_store):
    report = import_events(example_store, DATA / "acled_2015_layout.csv")
    assert report.format == "acled-2015" and "(an ACLED export (2015-era layout)" in report.lines()[0]
    clash, abduction = _events(example_store)["MLI1"], _events(example_store)["MLI2"]
    assert (clash.occurred_on, clash.date_precision, clash.event_type) == (
        date(2015, 1, 1), "day", "Battle-No change of territory"
    )  # fmt: skip
    assert clash.notes == "Clashes near Tessalit.\nThe army lost two soldiers."
    assert clash.source_name == "AFP; Reuters"  # the no-break spaces of the 2015 files made plain
    assert (abduction.date_precision, abduction.sub_event_type) == ("week", None)
    assert _actor_names(example_store, "MLI2") == [
        ("Civilians (Mali)", "actor2"), ("Teachers (Mali)", "assoc2"), ("Unidentified Armed Group (Mali)", "actor1"),
    ]  # fmt: skip


def test_actor_names_with_year_ranges_fold_only_an_open_range_into_the_same_start(example_store):
    import_events(example_store, DATA / "acled_actor_ranges.csv")
    with example_store.reading() as session:
        names = set(session.exec(select(Actor.name)))
    # (2014-) is the example's "Military Forces of Afghanistan (2014-2021)", one of the Afghan government's group
    military, police = "Military Forces of Afghanistan (2014-2021)", "Police Forces of Afghanistan (2014-2021)"
    assert _actor_names(example_store, "AFG64001") == [(military, "actor2"), ("Taliban", "actor1")]
    assert _actor_names(example_store, "AFG64002") == [("Government of Afghanistan (2014-2021)", "actor1"), (police, "actor2")]
    assert not names & {"Military Forces of Afghanistan (2014-)", "Police Forces of Afghanistan (2014-)"}
    # (2021-) names the forces after August 2021: never folded into (2014-2021)
    assert ("Military Forces of Afghanistan (2021-)", "actor1") in _actor_names(example_store, "AFG64003")
    assert "Military Forces of Afghanistan (2021-)" in names


def test_ucdp_ged_holds_its_date_ranges_and_precision(example_store):
    report = import_events(example_store, DATA / "ucdp_ged_afghanistan.csv")
    assert report.format == "ucdp-ged" and report.added == [f"ucdp-ged:33000{n}" for n in range(1, 5)]
    events = _events(example_store)
    day, days, month, year = (events[f"ucdp-ged:33000{n}"] for n in range(1, 5))
    assert (day.occurred_on, day.occurred_until, day.date_precision) == (date(2020, 3, 4), None, "day")
    assert (days.occurred_on, days.occurred_until, days.date_precision) == (date(2020, 3, 2), date(2020, 3, 6), "week")
    assert (month.occurred_until, month.date_precision, month.event_type) == (
        date(2020, 4, 30), "month", "One-sided violence"
    )  # fmt: skip
    assert (year.occurred_on, year.occurred_until, year.date_precision) == (date(2020, 1, 1), date(2020, 12, 31), "year")
    assert (day.event_type, day.sub_event_type, day.fatalities, day.location) == (
        "State-based violence", "Afghanistan: Government", 7, "Imam Sahib town"
    )  # fmt: skip
    assert (day.source_name, day.notes, day.geo_precision) == (
        "Pajhwok Afghan News", "Taliban attack checkpoints in Kunduz", 1
    )  # fmt: skip
    # UCDP's names map through the example's aliases: Government of Afghanistan, Taleban
    assert _actor_names(example_store, "ucdp-ged:330001") == [("Afghan government", "actor1"), ("Taliban", "actor2")]


def test_ucdp_ged_is_idempotent_on_its_id_and_a_newer_release_updates(example_store):
    import_events(example_store, DATA / "ucdp_ged_afghanistan.csv")
    again = import_events(example_store, DATA / "ucdp_ged_afghanistan.csv")
    assert (again.added, again.updated, len(again.unchanged)) == ([], [], 4)
    newer = import_events(example_store, DATA / "ucdp_ged_afghanistan_newer.csv")
    assert (newer.added, newer.updated) == (["ucdp-ged:330005"], ["ucdp-ged:330001"])
    assert _events(example_store)["ucdp-ged:330001"].fatalities == 8


def test_an_acled_and_a_ucdp_id_never_collide(example_store, tmp_path):
    """ACLED ids are kept as ACLED writes them; UCDP's are namespaced, so the same digits are two events."""
    ucdp = (DATA / "ucdp_ged_afghanistan.csv").read_text(encoding="utf-8")
    acled = (DATA / "acled_dropped_columns.csv").read_text(encoding="utf-8").replace("SOM4001", "330001")
    (tmp_path / "acled.csv").write_text(acled, encoding="utf-8")
    (tmp_path / "ucdp.csv").write_text(ucdp, encoding="utf-8")
    import_events(example_store, tmp_path / "acled.csv")
    import_events(example_store, tmp_path / "ucdp.csv")
    events = _events(example_store)
    assert events["330001"].event_type == "Explosions/Remote violence"
    assert events["ucdp-ged:330001"].event_type == "State-based violence"


def test_a_range_counts_from_its_last_day_as_of(example_store):
    from db.as_of import happened_by

    import_events(example_store, DATA / "ucdp_ged_afghanistan.csv")
    month = _events(example_store)["ucdp-ged:330003"]
    cases = [(date(2020, 4, 29), False), (date(2020, 4, 30), True)]
    for as_of, known in cases:
        assert happened_by(month.occurred_on, month.date_precision, as_of, month.occurred_until) is known


def test_the_check_lists_every_problem_of_a_row(example_store, tmp_path):
    text = (DATA / "acled_afghanistan.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = text[1].split(",")
    cells[header.index("event_date")] = "2020-02-30"
    cells[header.index("time_precision")] = "7"
    path = tmp_path / "two_problems.csv"
    path.write_text("\n".join([text[0], ",".join(cells)]) + "\n", encoding="utf-8")
    checked = read_event_file(path)
    assert list(checked.chunks())  # its rows are checked as they are read
    assert [(p.line, p.column) for p in checked.problems] == [(2, "event_date"), (2, "time_precision")]
    with pytest.raises(ImportFileError, match="February 2020 has 29 days; the row has 1 more; correct the file"):
        import_events(example_store, path)
    report = import_events(example_store, path, dry_run=True, skip_invalid=True)
    assert "Skipped 1 invalid row:" in report.lines()
    assert sum("line 2, column" in line for line in report.lines()) == 2


def test_a_garbled_byte_order_mark_trailing_empty_cells_and_blank_lines(example_store, tmp_path):
    """A UTF-8 file with its BOM read as Windows-1252 and saved again ('ï»¿event_id_cnty'), a spreadsheet's
    empty cells past the last column, blank lines, and HDX's hashtags under the current layout."""
    lines = (DATA / "acled_afghanistan.csv").read_text(encoding="utf-8").splitlines()
    hashtags = ",".join("#" + name for name in lines[0].split(","))
    text = "\r\n".join(["ï»¿" + lines[0], hashtags, lines[1] + ",,", "", lines[2], ""])
    path = tmp_path / "resaved.csv"
    path.write_text(text, encoding="utf-8")
    report = import_events(example_store, path)
    assert (report.added, report.how.hashtag_line) == (["AFG40001", "AFG40002"], 2)


@pytest.mark.parametrize("marker", ["NA", "NULL", "."])
def test_a_missing_value_is_no_event_id(example_store, tmp_path, marker):
    lines = (DATA / "acled_afghanistan.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "no_id.csv"
    path.write_text("\n".join([lines[0], lines[1].replace("AFG40001", marker, 1)]) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 2, column event_id_cnty: the cell is empty"):
        import_events(example_store, path)


def test_ranges_travel_in_accord_desks_own_csv_and_older_exports_still_read(example_store, empty_store, tmp_path):
    from db.event_export import export_events
    from db.event_log import EventFilter

    import_events(example_store, DATA / "ucdp_ged_afghanistan.csv")
    path = tmp_path / "events.csv"
    with example_store.reading() as session:
        assert export_events(session, path, EventFilter(text="ucdp-ged:")) == 4
    import_events(empty_store, path)
    moved = _events(empty_store)
    assert (moved["ucdp-ged:330003"].occurred_on, moved["ucdp-ged:330003"].occurred_until) == (
        date(2020, 4, 1), date(2020, 4, 30)
    )  # fmt: skip
    assert moved["ucdp-ged:330001"].occurred_until is None
    report = import_events(empty_store, _without(path, "occurred_until", tmp_path / "older.csv"))
    assert report.updated == [] and _events(empty_store)["ucdp-ged:330003"].occurred_until == date(2020, 4, 30)


def _aliases(store) -> list[tuple[str, str]]:
    with store.reading() as session:
        found = session.exec(select(ActorAlias.alias, Actor.name).join(Actor, Actor.id == ActorAlias.actor_id))
        return sorted(tuple(row) for row in found)


def test_a_folded_name_is_saved_as_an_alias_of_the_actor_it_folded_into(example_store):
    before = _aliases(example_store)
    report = import_events(example_store, DATA / "acled_actor_ranges.csv")
    saved = sorted(set(_aliases(example_store)) - set(before))
    assert saved == [
        ("Military Forces of Afghanistan (2014-)", "Military Forces of Afghanistan (2014-2021)"),
        ("Police Forces of Afghanistan (2014-)", "Police Forces of Afghanistan (2014-2021)"),
    ]
    assert "Saved as aliases: 'Military Forces of Afghanistan (2014-)' of Military Forces of Afghanistan (2014-2021), " \
        "'Police Forces of Afghanistan (2014-)' of Police Forces of Afghanistan (2014-2021)." in report.lines()
    with example_store.reading() as session:
        # offered for completion, shown on the Actors screen, audited in the import's one action
        assert ("Military Forces of Afghanistan (2014-)", "Military Forces of Afghanistan (2014-2021)") in actor_completions(session)
        police = next(a for a in list_actors(session) if a.name == "Police Forces of Afghanistan (2014-2021)")
        assert "Police Forces of Afghanistan (2014-)" in police.aliases
        entries = session.exec(
            select(AuditEntry.action).where(AuditEntry.table_name == "actoralias", AuditEntry.operation == "insert")
        ).all()
    assert entries.count("Import events acled_actor_ranges.csv") == 2
    with example_store.reading() as session:  # the same id on every desk that imports the file (db.ids)
        saved_id = session.exec(select(ActorAlias.id).where(ActorAlias.alias == "Police Forces of Afghanistan (2014-)")).one()
    assert saved_id == alias_id("police forces of afghanistan (2014-)")
    assert check_record(example_store).whole
    again = import_events(example_store, DATA / "acled_actor_ranges.csv")  # idempotent: no alias twice
    assert (again.added, again.updated, len(_aliases(example_store))) == ([], [], len(before) + 2)
    assert not any(line.startswith("Saved as aliases") for line in again.lines())


def test_a_name_folded_into_a_new_actor_of_the_same_file_is_its_alias(example_store, tmp_path):
    text = (DATA / "acled_actor_ranges.csv").read_text(encoding="utf-8").splitlines()
    rows = [text[0], text[1].replace("Military Forces of Afghanistan (2014-)", "X Forces (2019-)"),
            text[2].replace("Government of Afghanistan (2014-2021)", "X Forces (2019-2022)")]  # fmt: skip
    path = tmp_path / "new_range.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    dry = import_events(example_store, path, dry_run=True)
    assert "Would save as aliases: 'X Forces (2019-)' of X Forces (2019-2022), 'Police Forces of Afghanistan " \
        "(2014-)' of Police Forces of Afghanistan (2014-2021)." in dry.lines()
    assert ("X Forces (2019-)", "X Forces (2019-2022)") not in _aliases(example_store)
    report = import_events(example_store, path)
    assert report.new_actors == ["X Forces (2019-2022)"]
    assert ("X Forces (2019-)", "X Forces (2019-2022)") in _aliases(example_store)
    assert _actor_names(example_store, "AFG64001")[1] == ("X Forces (2019-2022)", "actor2")


@pytest.mark.parametrize(("name", "line"), [("acled_afghanistan.csv", 8), ("acled_excel_day_first.csv", 4)])
def test_a_file_cut_exactly_at_the_end_of_a_value_is_told_by_its_missing_line_break(example_store, tmp_path, name, line):
    """Cut after the first digits of its last value, the last record still has every value, each well formed;
    only the line break that ends every other line (LF or Excel's CRLF) is missing."""
    whole = (DATA / name).read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(whole.rstrip(b"\r\n")[:-3])
    before = store_digest(example_store)
    message = f"line {line}: the last record lacks the line break that ends every other line, so the file may be cut off"
    with pytest.raises(ImportFileError, match=message):
        import_events(example_store, path)
    assert store_digest(example_store) == before
    report = import_events(example_store, path, skip_invalid=True)
    assert [p.line for p in report.skipped] == [line] and len(report.added) == line - 2
    path.write_bytes(whole)  # the whole file, line break and all, brings the last event too
    assert len(import_events(example_store, path).added) == 1


def _ucdp_dates(tmp_path, dates: dict[str, tuple[str, str]]) -> Path:
    """The UCDP sample with its date_start and date_end rewritten, by UCDP id."""
    with (DATA / "ucdp_ged_afghanistan.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    start, end = table[0].index("date_start"), table[0].index("date_end")
    for cells in table[1:]:
        cells[start], cells[end] = dates[cells[0]]
    path = tmp_path / "ucdp_resaved.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    return path


def test_ucdp_date_start_and_date_end_decide_their_day_month_order_together(example_store, tmp_path):
    """date_start alone cannot tell (04/03, 02/03, 01/04, 01/01); date_end can (30/04, 31/12)."""
    path = _ucdp_dates(tmp_path, {
        "330001": ("04/03/2020", "04/03/2020"), "330002": ("02/03/2020", "06/03/2020"),
        "330003": ("01/04/2020", "30/04/2020"), "330004": ("01/01/2020", "31/12/2020"),
    })  # fmt: skip
    report = import_events(example_store, path)
    assert report.how.date_order == "dmy" and "Dates read day first, as the file's unambiguous dates tell." in report.lines()
    events = _events(example_store)
    assert [(events[f"ucdp-ged:33000{n}"].occurred_on, events[f"ucdp-ged:33000{n}"].occurred_until) for n in range(1, 5)] == [
        (date(2020, 3, 4), None), (date(2020, 3, 2), date(2020, 3, 6)), (date(2020, 4, 1), date(2020, 4, 30)),
        (date(2020, 1, 1), date(2020, 12, 31)),
    ]  # fmt: skip


def test_ucdp_date_columns_that_disagree_on_the_order_are_refused_with_the_lines(example_store, tmp_path):
    """date_start day first (13/03), date_end month first (03/16): refused as a file, not as invalid rows."""
    path = _ucdp_dates(tmp_path, {
        "330001": ("13/03/2020", "2020-03-13"), "330002": ("2020-03-02", "03/16/2020"),
        "330003": ("2020-04-01", "2020-04-30"), "330004": ("2020-01-01", "2020-12-31"),
    })  # fmt: skip
    before = store_digest(example_store)
    with pytest.raises(ImportFileError) as refused:
        import_events(example_store, path, skip_invalid=True)
    assert "columns date_start and date_end: the dates contradict each other, day first on line 2 date_start " \
        "'13/03/2020' but month first on line 3 date_end '03/16/2020'" in str(refused.value)
    assert store_digest(example_store) == before


def _rewritten(source: Path, target: Path, change: dict[str, dict[str, str]]) -> Path:
    """The CSV with some cells replaced: by the row's first cell, column → new text."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    for cells in table[1:]:
        for column, text in change.get(cells[0], {}).items():
            cells[table[0].index(column)] = text
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    return target


def test_a_ucdp_file_is_validated_as_a_whole_every_problem_of_a_row_listed(example_store, tmp_path):
    path = _rewritten(DATA / "ucdp_ged_afghanistan.csv", tmp_path / "ucdp_bad.csv", {
        "330002": {"date_end": "2020-03-01", "date_prec": "7"}, "330003": {"best": "-4"},
    })  # fmt: skip
    before = store_digest(example_store)
    with pytest.raises(ImportFileError, match="line 3, column date_prec: '7' is not a date precision; UCDP writes 1"):
        import_events(example_store, path)
    assert store_digest(example_store) == before
    checked = read_event_file(path)
    assert list(checked.chunks())  # its rows are checked as they are read
    assert [(p.line, p.column) for p in checked.problems] == [(3, "date_prec"), (3, "date_end"), (4, "best")]
    assert "the last day 2020-03-01 is before the first, 2020-03-02" in checked.problems[1].message
    report = import_events(example_store, path, skip_invalid=True)
    assert report.added == ["ucdp-ged:330001", "ucdp-ged:330004"]


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("acled_afghanistan.csv", {"inter1": "2", "inter2": "1", "interaction": "12"}),  # numeric, current header
        ("acled_afghanistan_pre2023.csv", {"inter1": "Rebel group", "inter2": "External/Other forces"}),  # text, old
    ],
)
def test_inter_codes_of_either_kind_under_either_header_import_alike(example_store, empty_store, tmp_path, name, codes):
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = [cells[0] for cells in csv.reader(handle)][1:]  # each row's first cell, as _rewritten finds it
    path = _rewritten(DATA / name, tmp_path / "codes.csv", dict.fromkeys(rows, codes))
    changed = import_events(example_store, path)
    original = import_events(empty_store, DATA / name)
    assert changed.added == original.added and changed.skipped == [] and len(changed.added) > 1
    assert {k: e.notes for k, e in _events(example_store).items()} == {k: e.notes for k, e in _events(empty_store).items()}
