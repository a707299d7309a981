import shutil
import subprocess
from datetime import date

import pytest
from PySide6.QtCore import QDate, QSettings

from db.officer_words import words_history
from gui.export_summary_dialog import ExportSummaryDialog

pytestmark = [
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),  # offscreen, shown window
]


def test_export_writes_the_chosen_report_and_remembers_choices(qtbot, desk, settings_folder, tmp_path):
    dialog = ExportSummaryDialog(desk, settings=QSettings())
    qtbot.addWidget(dialog)
    dialog.as_of.setDate(QDate(2021, 9, 1))
    dialog.since.setDate(QDate(2020, 9, 1))
    dialog.marking.setText("SECRET // REL TO DESK")
    dialog.page_size.setCurrentIndex(dialog.page_size.findData("letter"))
    dialog.output.setText(str(tmp_path / "chief.pdf"))
    dialog.open_after.setChecked(False)
    assert _export(qtbot, dialog).path == tmp_path / "chief.pdf"
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "chief.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "SECRET // REL TO DESK" in text and "Status as of" in text and "2021-09-01" in text
    again = ExportSummaryDialog(desk, settings=QSettings())
    qtbot.addWidget(again)
    assert again.marking.text() == "SECRET // REL TO DESK"
    assert again.page_size.currentData() == "letter"


def test_since_after_as_of_is_refused(qtbot, desk, settings_folder, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr("gui.export_summary_dialog.show_error", lambda _parent, message: messages.append(message))
    dialog = ExportSummaryDialog(desk, settings=QSettings())
    qtbot.addWidget(dialog)
    dialog.as_of.setDate(QDate(2020, 1, 1))
    dialog.since.setDate(QDate(2020, 6, 1))
    dialog.output.setText(str(tmp_path / "x.pdf"))
    assert dialog.export() is False
    assert messages == ["The 'changes since' date must come before the as-of date; choose an earlier one."]
    assert not (tmp_path / "x.pdf").exists()
    assert dialog.choices()["since"] == date(2020, 6, 1)


def _export(qtbot, dialog):
    """Export and wait for the file: the dialog is accepted once it is whole."""
    with qtbot.waitSignal(dialog.accepted, timeout=120_000):
        assert dialog.export()
    return dialog.written


def _dialog(qtbot, desk, tmp_path, name="chief.pdf", parent=None, settings=None):
    dialog = ExportSummaryDialog(desk, parent, settings or QSettings())
    qtbot.addWidget(dialog)
    dialog.as_of.setDate(QDate(2021, 9, 1))
    dialog.since.setDate(QDate(2020, 9, 1))
    dialog.output.setText(str(tmp_path / name))
    dialog.open_after.setChecked(False)
    return dialog


def test_the_officers_words_are_shown_verbatim_and_kept_for_the_agreement(qtbot, desk, settings_folder, tmp_path):
    words = 'Releases lagged.\n<b>kept</b> & "literal" — as typed'
    dialog = _dialog(qtbot, desk, tmp_path)
    dialog.words.setPlainText(words)
    written = _export(qtbot, dialog)
    assert written.pages >= 3
    first = subprocess.run(["pdftotext", "-l", "1", str(written.path), "-"], capture_output=True, text=True).stdout
    assert "Releases lagged." in first and '<b>kept</b> & "literal" — as typed' in first
    assert "Prepared by Farida Rahimi, Afghanistan desk" in " ".join(first.split())
    again = _dialog(qtbot, desk, tmp_path)
    assert again.words.toPlainText() == words  # kept for this agreement, in the record
    with desk.store.reading() as session:
        assert [v.text for v in words_history(session, desk.agreement_id)] == [words]


def test_word_is_offered_beside_pdf_and_written_off_the_ui_thread(qtbot, desk, settings_folder, tmp_path, monkeypatch):
    import threading

    from docx import Document

    import gui.report_docx as report_docx

    threads, real = [], report_docx.write_docx
    monkeypatch.setattr(report_docx, "write_docx", lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))
    dialog = _dialog(qtbot, desk, tmp_path)
    dialog.format.setCurrentIndex(dialog.format.findData("docx"))
    assert dialog.output.text().endswith("chief.docx")
    dialog.words.setPlainText("In my words.")
    written = _export(qtbot, dialog)
    assert (written.path.name, written.pages) == ("chief.docx", None)
    assert threads and threads[0] is not threading.main_thread()
    document = Document(str(written.path))
    text = [p.text for p in document.paragraphs]
    assert "Key findings from the record" in text and "In my words." in text
    figures = [s for s in document.inline_shapes]
    assert len(figures) == len(desk.metrics()) and len(figures) > 0  # every figure, drawn on the UI thread


def test_words_the_record_cannot_hold_are_refused(qtbot, desk, settings_folder, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr("gui.export_summary_dialog.show_error", lambda _parent, message: messages.append(message))
    dialog = _dialog(qtbot, desk, tmp_path)
    dialog.words.setPlainText("a\x00b")
    assert dialog.export() is False
    assert messages == ["Your assessment holds a NUL character at position 2; remove it."]
    assert not (tmp_path / "chief.pdf").exists()


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def out(tmp_path):
    """A folder of its own for the reports: what else lands there is a left-over temporary file."""
    (tmp_path / "out").mkdir()
    return tmp_path / "out"


def test_the_export_runs_off_the_ui_thread_with_progress_on_the_window(qtbot, window, out, monkeypatch):
    """File > Export summary on the real window: the record is read, the pages laid out and painted in
    worker threads while the UI thread keeps turning; only the figures are drawn on it, a step per turn;
    the progress advances figure by figure, then page by page to the last; the file is whole."""
    import threading

    from PySide6.QtCore import QTimer

    import gui.export_summary_dialog as module
    import gui.report_pdf as report_pdf
    import gui.trajectory_plot as trajectory_plot

    threads, real = [], module.report_content
    painters, real_page = set(), report_pdf._header_footer
    drawers, real_figure = set(), trajectory_plot._record

    def reading_in(*args, **kwargs):  # the real content, noting which thread assembles it
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    def painting_in(*args):
        painters.add(threading.current_thread())
        return real_page(*args)

    def drawing_in(*args):
        drawers.add(threading.current_thread())
        return real_figure(*args)

    monkeypatch.setattr(module, "report_content", reading_in)
    monkeypatch.setattr(report_pdf, "_header_footer", painting_in)
    monkeypatch.setattr(trajectory_plot, "_record", drawing_in)
    beats = []
    heartbeat = QTimer(window)
    heartbeat.timeout.connect(lambda: beats.append(1))
    heartbeat.start(5)
    dialog = _dialog(qtbot, window.desk, out, parent=window, settings=window.settings)
    dialog.words.setPlainText("Releases lag behind the agreed pace.")
    shown = []
    dialog.progress.valueChanged.connect(lambda value: shown.append((dialog.progress_label.text()[:7], value)))
    with qtbot.waitSignal(dialog.accepted, timeout=120_000):
        assert dialog.export()
        assert dialog.exporting and not dialog.buttons.button(dialog.buttons.StandardButton.Save).isEnabled()
    heartbeat.stop()
    assert threads and threads[0] is not threading.main_thread()
    assert painters and threading.main_thread() not in painters
    assert drawers == {threading.main_thread()}  # pyqtgraph's scenes: the UI thread's
    assert beats  # the window's own timers ran while the export was under way
    pages = dialog.written.pages
    figures = len(window.desk.metrics())
    assert [v for what, v in shown if what == "Drawing" and v > 0] == list(range(1, figures + 1))
    painted = [v for what, v in shown if what == "Painted"]
    assert painted == sorted(painted) and painted[-1] == pages  # page by page, to the last
    assert _files(out) == ["chief.pdf"]
    data = (out / "chief.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    text = subprocess.run(["pdftotext", str(out / "chief.pdf"), "-"], capture_output=True, text=True).stdout
    assert f"Page {pages} of {pages}" in text and "Releases lag behind the agreed pace." in text
    # The words were saved as a change of the record: the window can undo it.
    assert window.desk.undo_stack.undoText() == "Save the officer's assessment in words"
    assert window.desk.undo()
    with window.desk.store.reading() as session:
        assert words_history(session, window.desk.agreement_id) == []


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
@pytest.mark.parametrize("when", ["laying out", "drawing figures", "writing"])
def test_cancel_leaves_no_file_and_the_dialog_open(qtbot, window, out, when, suffix, monkeypatch):
    """Cancel at each stage: the file as it was, nothing beside it, the dialog ready again. "writing" holds
    the worker painting the PDF's second page (or saving the Word copy) until Cancel is pressed."""
    import threading

    import gui.report_docx as report_docx
    import gui.report_pdf as report_pdf

    pressed, real_page, real_save = threading.Event(), report_pdf._header_footer, report_docx.Document

    def page_waiting(painter, texts, writer, content, marking, page, pages):
        if page == 2:
            pressed.wait(30)
        return real_page(painter, texts, writer, content, marking, page, pages)

    def document_waiting():  # python-docx's document, whose save waits for the Cancel
        document = real_save()
        save = document.save
        document.save = lambda path: (pressed.wait(30), save(path))
        return document

    if when == "writing":
        monkeypatch.setattr(report_pdf, "_header_footer", page_waiting)
        monkeypatch.setattr(report_docx, "Document", document_waiting)
    name = f"chief.{suffix}"
    (out / name).write_bytes(b"the previous report")
    dialog = _dialog(qtbot, window.desk, out, name, parent=window, settings=window.settings)
    dialog.format.setCurrentIndex(dialog.format.findData(suffix))
    dialog.show()
    rejected = []
    dialog.rejected.connect(lambda: rejected.append(1))
    assert dialog.export()
    if when == "drawing figures":
        qtbot.waitUntil(lambda: dialog.progress.value() >= 1, timeout=60_000)
        assert dialog.progress_label.text().startswith("Drawing figure")
    if when == "writing":
        qtbot.waitUntil(lambda: dialog.progress_label.text().startswith(("Painted", "Writing")), timeout=60_000)
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    pressed.set()
    qtbot.waitUntil(lambda: not dialog.exporting, timeout=60_000)
    assert dialog.isVisible() and not rejected and dialog.written is None
    assert _files(out) == [name] and (out / name).read_bytes() == b"the previous report"
    assert dialog.output.isEnabled()  # ready to export again
    monkeypatch.undo()
    written = _export(qtbot, dialog)
    assert written.path == out / name and (out / name).read_bytes() != b"the previous report"


def test_words_kept_in_the_settings_move_into_the_record_once(qtbot, desk, settings_folder, tmp_path):
    from db.history import TrailFilter, trail
    from gui.settings_words import MOVED, move_words_from_settings, summary_key

    settings = QSettings()
    settings.setValue(summary_key(desk.agreement_id), "Words of the last session.")
    settings.setValue(summary_key("an-agreement-of-another-database"), "Not this record's.")
    assert move_words_from_settings(desk, settings) == 1
    with desk.store.reading() as session:
        (kept,) = words_history(session, desk.agreement_id)
        entries, _ = trail(session, TrailFilter(table="officerwords"))
    assert (kept.text, kept.written_by) == ("Words of the last session.", desk.store.user)
    assert [e.action for e in entries] == [MOVED]
    assert not settings.contains(summary_key(desk.agreement_id))
    assert settings.value(summary_key("an-agreement-of-another-database")) == "Not this record's."
    assert move_words_from_settings(desk, settings) == 0  # once
    assert _dialog(qtbot, desk, tmp_path).words.toPlainText() == "Words of the last session."


def test_earlier_words_can_be_taken_up_again(qtbot, desk, settings_folder, tmp_path):
    for words in ("First words.", "Second words."):
        dialog = _dialog(qtbot, desk, tmp_path)
        dialog.words.setPlainText(words)
        _export(qtbot, dialog)
    dialog = _dialog(qtbot, desk, tmp_path)
    assert dialog.words.toPlainText() == "Second words." and dialog.earlier.count() == 2
    dialog.earlier.setCurrentIndex(1)
    dialog.earlier.activated.emit(1)
    assert dialog.words.toPlainText() == "First words."
    _export(qtbot, dialog)
    with desk.store.reading() as session:
        assert [v.text for v in words_history(session, desk.agreement_id)] == ["First words.", "Second words.", "First words."]


def test_no_full_collection_while_the_figures_are_drawn_between_the_jobs(qtbot, desk, settings_folder, tmp_path, monkeypatch):
    """Between the worker's jobs the UI thread draws the figures; a full collection then walked the report's
    content and layout (215 ms of the UI thread at 20,000 events): it waits for the export's end."""
    import gc

    import gui.trajectory_plot as trajectory_plot
    from gui.background import collect_garbage

    collected, real = [], trajectory_plot._record

    def note(phase, info):
        if phase == "start":
            collected.append(info["generation"])

    def drawing(*args):
        for _ in range(3 * gc.get_threshold()[2]):  # well past what makes the oldest generation due
            gc.collect(1)
        gc.callbacks.append(note)
        try:
            collect_garbage()
        finally:
            gc.callbacks.remove(note)
        due.append(gc.get_count()[2] > gc.get_threshold()[2])
        return real(*args)

    due = []
    monkeypatch.setattr(trajectory_plot, "_record", drawing)
    _export(qtbot, _dialog(qtbot, desk, tmp_path))
    assert due and all(due) and 2 not in collected  # due, and left for later


def test_each_step_of_the_figures_has_a_turn_of_the_event_loop_of_its_own(qtbot, desk, settings_folder, tmp_path, monkeypatch):
    """A timer of the window's due meanwhile (its repaint, a heartbeat) runs between two steps of the figures:
    on zero timers, which are posted events, two steps ran in one turn (75 ms of the UI thread, a stall)."""
    from PySide6.QtCore import QTimer

    from gui import export_summary_dialog

    turns, steps = [0], []
    real = export_summary_dialog.ExportSummaryDialog._record_next

    def step(self, *args):
        steps.append(turns[0])
        return real(self, *args)

    monkeypatch.setattr(export_summary_dialog.ExportSummaryDialog, "_record_next", step)
    beat = QTimer()
    beat.setInterval(0)
    beat.timeout.connect(lambda: turns.__setitem__(0, turns[0] + 1))
    beat.start()
    try:
        assert _export(qtbot, _dialog(qtbot, desk, tmp_path)).path.exists()
    finally:
        beat.stop()
    assert len(steps) > 3  # the three figures, each in steps
    assert len(set(steps)) == len(steps), steps  # never two steps without a beat between them
