"""Benchmark: the PDF summary of a generated agreement (500 obligations, 5,000 linked events).

Run by hand (not collected by pytest):  QT_QPA_PLATFORM=offscreen python -m tests.bench_report [--runs 5]

Prints, as medians of the runs:
- the report's content assembled from the database (db.report_content), and
- the report painted (gui.report_pdf.write_report, with its figures, badges and rules), beside
- the same texts painted raw: every string the report paints, in its font, at its place and on its page,
  each measured with QPainter.boundingRect and drawn with QPainter.drawText, cell by cell, as a painter
  without a layout of its own would (the issue's target: the report within 1.5x of this).
The raw texts are recorded from the report itself, so both paint exactly the same content. Then the
same report exported as the window does it (File > Export summary), with the longest UI-thread stall.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def window_export(store, folder: Path, as_of: date) -> tuple[float, float, int]:
    """File > Export summary of the same report, as the window runs it: how long it took, the longest the
    UI thread went without turning (a 5 ms heartbeat), and how many times it went over 50 ms."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from gui.desk import Desk
    from gui.export_summary_dialog import ExportSummaryDialog

    desk = Desk(store, as_of=as_of)  # not closed: the store is the benchmark's
    dialog = ExportSummaryDialog(desk, settings=QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    dialog.use_since.setChecked(False)
    dialog.open_after.setChecked(False)
    dialog.output.setText(str(folder / "window.pdf"))
    beats = [time.perf_counter()]
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    heartbeat.start(5)
    loop = QEventLoop()
    dialog.accepted.connect(loop.quit)
    assert dialog.export()
    loop.exec()
    end = time.perf_counter()
    heartbeat.stop()
    gaps = [later - earlier for earlier, later in zip(beats, [*beats[1:], end], strict=True)]
    return end - beats[0], max(gaps), sum(gap > 0.05 for gap in gaps)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter
    from PySide6.QtWidgets import QApplication

    import gui.report_pdf as report_pdf
    from db.agreement_document import parse_document
    from db.agreement_load import import_document
    from db.examples import create_database
    from gui import pdf_layout
    from tests.reports import content_read
    from tests.synthetic import agreement_document

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp())
    store = create_database(folder / "generated.sqlite", None)
    document = parse_document(agreement_document(level_sizes=(5, 45, 450), events=5000))
    with store.writing("Import generated agreement") as session:
        agreement_id = import_document(session, document)
    as_of = date(2023, 1, 1)  # after the last generated event, so all 5,000 are in the chronology

    def content():  # the chronology read whole here, so "painted" below times the painting alone
        return content_read(store, agreement_id, as_of, prepared_by="Bench Officer, Desk")

    # Record what the report paints: each text with its font, rectangle and flags, page by page.
    pages: list[list[tuple]] = []
    draw, aligned, furniture = pdf_layout.Texts.draw, pdf_layout.Texts.draw_aligned, report_pdf._header_footer

    def recording_draw(self, painter, text, text_font, cell, colour=pdf_layout.INK):
        _, flags, _, used = self._measure(text, text_font, cell.width())
        pages[-1].append((text, used, QRectF(cell), flags))
        draw(self, painter, text, text_font, cell, colour)

    def recording_aligned(self, painter, text, text_font, rect, alignment, colour=pdf_layout.INK):
        pages[-1].append((text, pdf_layout.script_font(text, text_font), QRectF(rect), int(alignment)))
        aligned(self, painter, text, text_font, rect, alignment, colour)

    def recording_furniture(*args):
        pages.append([])
        furniture(*args)

    pdf_layout.Texts.draw, pdf_layout.Texts.draw_aligned = recording_draw, recording_aligned
    report_pdf._header_footer = recording_furniture
    report_pdf.write_report(content(), folder / "recorded.pdf", marking="UNCLASSIFIED")
    pdf_layout.Texts.draw, pdf_layout.Texts.draw_aligned, report_pdf._header_footer = draw, aligned, furniture
    texts = sum(len(page) for page in pages)

    def raw() -> int:
        writer = QPdfWriter(str(folder / "raw.pdf"))
        writer.setResolution(96)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                         report_pdf.QMarginsF()))  # fmt: skip
        painter = QPainter(writer)
        for number, page in enumerate(pages):
            if number:
                writer.newPage()
            for text, text_font, rect, flags in page:
                painter.setFont(text_font)
                needed = painter.boundingRect(QRectF(rect.left(), rect.top(), rect.width(), 1e6), flags, text)
                painter.drawText(QRectF(rect.topLeft(), needed.size()).united(rect), flags, text)
        painter.end()
        return len(pages)

    def timed(work, walls: list, cpus: list):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        return result

    assembled, painted, raws = [], [], []
    cpu_assembled, cpu_painted, cpu_raws = [], [], []  # CPU time: what a shared, loaded machine distorts least
    for _ in range(runs):
        raw_pages = timed(raw, raws, cpu_raws)
        made = timed(content, assembled, cpu_assembled)
        report_pages = timed(lambda made=made: report_pdf.write_report(made, folder / "report.pdf", marking="UNCLASSIFIED"),
                             painted, cpu_painted)  # fmt: skip
    a, p, r = (statistics.median(x) for x in (assembled, painted, raws))
    ca, cp, cr = (statistics.median(x) for x in (cpu_assembled, cpu_painted, cpu_raws))
    print(f"{len(made.rows)} tree rows, {len(made.chronology):,} linked events, {texts:,} texts painted, {runs} runs")
    print(f"content assembled          {a * 1000:7.0f} ms")
    print(f"report painted             {p * 1000:7.0f} ms   {report_pages} pages")
    print(f"the same texts, raw        {r * 1000:7.0f} ms   {raw_pages} pages")
    print(f"painted / raw              {p / r:7.2f}x   (target <= 1.5x; run by run: "
          + ", ".join(f"{x / y:.2f}" for x, y in zip(painted, raws, strict=True)) + ")")
    print(f"content + painted / raw    {(a + p) / r:7.2f}x")
    print(f"CPU time: content {ca * 1000:.0f} ms, painted {cp * 1000:.0f} ms, raw {cr * 1000:.0f} ms: "
          f"painted / raw {cp / cr:.2f}x, content + painted / raw {(ca + cp) / cr:.2f}x")
    took, stall, stalls = window_export(store, folder, as_of)
    print(f"window export              {took * 1000:7.0f} ms   longest UI-thread stall {stall * 1000:.0f} ms, "
          f"{stalls} over 50 ms (one page is painted per turn of the event loop)")
    print(f"peak memory (VmHWM)        {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MB")
    store.close()
    app.quit()


if __name__ == "__main__":
    main()
