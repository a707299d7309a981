"""Flowing blocks of text, tables and figures down PDF pages, with a header and footer on each.

Blocks are measured first and painted afterwards, so every footer can say "Page X of Y". Text is
drawn with QPainter.drawText on plain strings: nothing a user typed is ever read as markup. Fonts
ship in resources/fonts and are embedded by Qt; Qt's text layout handles right-to-left scripts.

Each text is measured once (Texts): a report repeats the same obligors, dates, sources and reasons in
thousands of cells, and measuring is a full text layout. A cell's height is what its text needs at its
width, so nothing painted is cut off (tests/gui/test_report_layout.py measures every painted text).

A report's pages can be handed over one by one as they fill (Flow's `on_page`) and its tables' rows taken
from any iterable, so a chronology of a million events is laid out and painted in bounded memory.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import islice

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPaintDevice, QPainter, QPen

from db.errors import ExportCancelled

# Latin, Greek and Cyrillic first; Arabic, Dari and Pashto text gets the Arabic font first (Qt takes a
# line's height from the first family, and Noto Sans Arabic's is twice DejaVu's for its stacked marks).
FAMILIES = ["DejaVu Sans", "Noto Sans Arabic"]
ARABIC_FAMILIES = ["Noto Sans Arabic", "DejaVu Sans"]
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
WRAP = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignTop)
# A word wider than its cell (a hash, a long address) breaks where it must instead of running over.
WRAP_ANYWHERE = WRAP | int(Qt.TextFlag.TextWrapAnywhere)
INK = QColor("#1f2328")
MUTED = QColor("#57606a")
RULE = QColor("#d0d7de")
PAD = 4  # inside every table cell
MEASURES_KEPT = 4096  # texts measured and remembered: the repeated ones (dates, sources, places) recur nearby

Paint = Callable[[QPainter, float], None]  # paints a block whose top is at y


@cache
def load_fonts() -> tuple[str, ...]:
    """Register the bundled fonts once; returns the families Qt now knows."""
    families = []
    for name in (
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "NotoSansArabic-Regular.ttf",
        "NotoSansArabic-Bold.ttf",
    ):
        data = resources.files("resources.fonts").joinpath(name).read_bytes()
        font_id = QFontDatabase.addApplicationFontFromData(data)
        families += QFontDatabase.applicationFontFamilies(font_id)
    return tuple(dict.fromkeys(families))


@cache
def font(pixels: float, bold: bool = False, arabic: bool = False) -> QFont:
    """One QFont per size, weight and script (callers never change it)."""
    load_fonts()
    chosen = QFont()
    chosen.setFamilies(ARABIC_FAMILIES if arabic else FAMILIES)
    chosen.setPixelSize(round(pixels))
    chosen.setBold(bold)
    # No ligatures: "ﬁ" would break copying and searching the text of a report.
    chosen.setFeature(QFont.Tag("liga"), 0)
    return chosen


def script_font(text: str, text_font: QFont) -> QFont:
    """The font for a text's script: the Arabic-first one where it holds Arabic letters."""
    if _ARABIC.search(text) is None:
        return text_font
    return font(text_font.pixelSize(), text_font.bold(), arabic=True)


class Texts:
    """Measures each (text, font, width) once and paints it with what the measure found."""

    def __init__(self, device: QPaintDevice):
        self.device = device
        self._metrics: dict[QFont, QFontMetricsF] = {}
        self._measured: dict[tuple[str, str, float], tuple[float, int]] = {}
        self._fonts: dict[int, tuple[QFont, str]] = {}  # QFont.key() is slow; the font is kept, so its id is

    def _measure(self, text: str, text_font: QFont, width: float) -> tuple[float, int, float | None, QFont]:
        """Height, flags, the baseline of a text that fits on one line (None if it wraps), and the font
        for its script."""
        known = self._fonts.get(id(text_font))
        if known is None:
            known = self._fonts[id(text_font)] = (text_font, text_font.key())
        key = (text, known[1], width)
        found = self._measured.get(key)
        if found is None:
            if len(self._measured) >= MEASURES_KEPT:  # a chronology's notes are each new: keep the memory flat
                self._measured.clear()
            text_font = script_font(text, text_font)
            metrics = self.metrics(text_font)
            if "\n" not in text and metrics.horizontalAdvance(text) <= width:
                # One line: drawn at its baseline, which spares the painter a second layout.
                found = self._measured[key] = (metrics.height(), WRAP, metrics.ascent(), text_font)
                return found
            flags = WRAP
            needed = metrics.boundingRect(QRectF(0, 0, width, 1e7), flags, text)
            if needed.width() > width:
                flags = WRAP_ANYWHERE
                needed = metrics.boundingRect(QRectF(0, 0, width, 1e7), flags, text)
            found = self._measured[key] = (needed.height(), flags, None, text_font)
        return found

    def height(self, text: str, text_font: QFont, width: float) -> float:
        return self._measure(text, text_font, width)[0]

    def metrics(self, text_font: QFont) -> QFontMetricsF:
        metrics = self._metrics.get(text_font)
        if metrics is None:
            metrics = self._metrics[text_font] = QFontMetricsF(text_font, self.device)
        return metrics

    def width(self, text: str, text_font: QFont) -> float:
        """The width of one line of text."""
        return self.metrics(script_font(text, text_font)).horizontalAdvance(text)

    def elided(self, text: str, text_font: QFont, width: float) -> str:
        return self.metrics(script_font(text, text_font)).elidedText(text, Qt.TextElideMode.ElideRight, width)

    def draw(self, painter: QPainter, text: str, text_font: QFont, cell: QRectF, colour: QColor = INK) -> None:
        """Paint text wrapped as measured at the cell's width, from the cell's top left."""
        _, flags, baseline, text_font = self._measure(text, text_font, cell.width())
        painter.setFont(text_font)
        painter.setPen(colour)
        if baseline is None:
            painter.drawText(cell, flags, text)
        else:
            painter.drawText(QPointF(cell.left(), cell.top() + baseline), text)

    def draw_aligned(self, painter: QPainter, text: str, text_font: QFont, rect: QRectF, alignment,
                     colour: QColor = INK) -> None:  # fmt: skip
        """One line aligned in a rectangle (a header, a footer, a badge's label)."""
        painter.setFont(script_font(text, text_font))
        painter.setPen(colour)
        painter.drawText(rect, int(alignment), text)


@dataclass
class Block:
    y: float
    paint: Paint
    tag: tuple = ()  # e.g. ("row", table number, row index, row count): what tests and keep rules ask about


@dataclass
class Page:
    blocks: list[Block] = field(default_factory=list)


class Flow:
    """Places blocks top to bottom, starting a new page when the next one does not fit. With `on_page`, each
    page is handed to it once full (and at `end`) and not kept; without, `pages` keeps them all."""

    def __init__(
        self, device: QPaintDevice, width: float, height: float, margin: float, header: float, footer: float,
        stop: Callable[[], bool] | None = None, on_page: Callable[[Page], None] | None = None,
    ):  # fmt: skip
        self.device = device
        self.stop = stop  # asked at each block: True cancels the layout (ExportCancelled)
        self.on_page = on_page
        self.texts = Texts(device)
        self.left = margin
        self.width = width - 2 * margin
        self.top = margin + header
        self.bottom = height - margin - footer
        self.pages = [Page()]
        self.page_count = 1
        self.y = self.top
        self.tables = 0
        self.on_new_page: Callable[[], None] | None = None  # e.g. repeat a table's header

    def text_height(self, text: str, text_font: QFont, width: float) -> float:
        return self.texts.height(text, text_font, width)

    def new_page(self) -> None:
        if self.on_page is not None:
            self.on_page(self.pages.pop())
        self.pages.append(Page())
        self.page_count += 1
        self.y = self.top
        if self.on_new_page:
            self.on_new_page()

    def end(self) -> int:
        """Hand over the last page; the page count."""
        if self.on_page is not None and self.pages:
            self.on_page(self.pages.pop())
        return self.page_count

    def place(self, height: float, paint: Paint, keep_with_next: float = 0, tag: tuple = ()) -> None:
        if self.stop is not None and self.stop():
            raise ExportCancelled()
        if self.y + height + keep_with_next > self.bottom and self.y > self.top:
            self.new_page()
        self.pages[-1].blocks.append(Block(self.y, paint, tag))
        self.y += height

    def space(self, height: float) -> None:
        self.y = min(self.y + height, self.bottom)

    def paragraph(
        self, text: str, text_font: QFont, colour: QColor = INK, indent: float = 0, after: float = 4
    ) -> None:
        width = self.width - indent
        left = self.left + indent
        texts = self.texts
        height = texts.height(text, text_font, width)
        if height > self.bottom - self.top and len(text) > 1:
            # Taller than a page (an officer's long text): split near the middle, at a space if there is one.
            middle = text.rfind(" ", 0, len(text) // 2 + 1)
            cut = middle if middle > 0 else len(text) // 2
            self.paragraph(text[:cut], text_font, colour, indent, after=0)
            self.paragraph(text[cut:].removeprefix(" ") if middle > 0 else text[cut:], text_font, colour, indent, after)
            return

        def paint(painter: QPainter, y: float) -> None:
            texts.draw(painter, text, text_font, QRectF(left, y, width, height), colour)

        self.place(height + after, paint)

    def heading(self, text: str, pixels: float = 17) -> None:
        heading_font = font(pixels, bold=True)
        left, width, texts = self.left, self.width, self.texts
        height = texts.height(text, heading_font, width) + 6

        def paint(painter: QPainter, y: float) -> None:
            texts.draw(painter, text, heading_font, QRectF(left, y, width, height))
            painter.setPen(QPen(RULE, 1))
            painter.drawLine(int(left), int(y + height - 2), int(left + width), int(y + height - 2))

        self.space(8)
        self.place(height + 6, paint, keep_with_next=60)


@dataclass
class Column:
    title: str
    share: float  # of the table's width


@dataclass
class Painted:
    """A cell that paints itself (a status badge): its height at a width, and how to paint it."""

    height: Callable[[Texts, float], float]
    paint: Callable[[QPainter, Texts, QRectF], None]


Cell = str | Painted


def table(
    flow: Flow, columns: list[Column], rows: Iterable[list[Cell]], cell_font: QFont, header: bool = True
) -> None:
    """A table whose header repeats on every page it spans. A row's height is what its tallest cell
    needs; the header keeps with the first rows, and the last row never stands alone on a page. The rows
    are taken as they come, two ahead of the one placed: none is kept once placed."""
    total = sum(c.share for c in columns)
    widths = [flow.width * c.share / total for c in columns]
    inner = [width - 2 * PAD for width in widths]
    header_font = font(cell_font.pixelSize(), bold=True)
    texts = flow.texts
    flow.tables += 1
    number = flow.tables

    def cells_at(y: float, painter: QPainter, cells: list[Cell], row_height: float, cell_font_: QFont, fill=None):
        x = flow.left
        if fill is not None:
            painter.fillRect(QRectF(flow.left, y, flow.width, row_height), fill)
        for width, cell in zip(widths, cells, strict=True):
            inside = QRectF(x + PAD, y + PAD, width - 2 * PAD, row_height - 2 * PAD)
            if isinstance(cell, str):
                texts.draw(painter, cell, cell_font_, inside)
            else:
                cell.paint(painter, texts, inside)
            x += width
        painter.setPen(QPen(RULE, 0.8))
        painter.drawLine(int(flow.left), int(y + row_height), int(flow.left + flow.width), int(y + row_height))

    def height_of(cells: list[Cell], cell_font_: QFont) -> float:
        return max(
            texts.height(cell, cell_font_, width) if isinstance(cell, str) else cell.height(texts, width)
            for cell, width in zip(cells, inner, strict=True)
        ) + 2 * PAD

    titles: list[Cell] = [c.title for c in columns]
    header_height = height_of(titles, header_font)
    measured = ((cells, height_of(cells, cell_font)) for cells in rows)
    ahead = list(islice(measured, 2))

    def place_header(keep: float = 0) -> None:
        flow.place(
            header_height, lambda p, y: cells_at(y, p, titles, header_height, header_font, QColor("#f0f3f6")),
            keep_with_next=keep, tag=("header", number),
        )  # fmt: skip

    if header:  # with the first two rows: neither the header nor a first row ends a page alone
        place_header(sum(height for _, height in ahead))
        flow.on_new_page = place_header
    index = 0
    while ahead:
        ahead.extend(islice(measured, 1))  # the row placed now and the two after it, where there are
        cells, height = ahead.pop(0)
        # Keep-with-previous for the last row: the one before it moves along rather than leave it alone.
        keep = ahead[0][1] if len(ahead) == 1 else 0
        flow.place(
            height, lambda p, y, cells=cells, height=height: cells_at(y, p, cells, height, cell_font),
            keep_with_next=keep, tag=("row", number, index),
        )  # fmt: skip
        index += 1
    flow.on_new_page = None
    flow.space(6)
