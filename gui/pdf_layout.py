"""Flowing blocks of text, tables and figures down PDF pages, with a header and footer on each.

Blocks are measured first and painted afterwards, so every footer can say "Page X of Y". Text is
drawn with QPainter.drawText on plain strings: nothing a user typed is ever read as markup. Fonts
ship in resources/fonts and are embedded by Qt; Qt's text layout handles right-to-left scripts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPaintDevice, QPainter, QPen

FAMILIES = ["Noto Sans Arabic", "DejaVu Sans"]  # Arabic, Dari, Pashto; then Latin, Greek, Cyrillic
WRAP = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignTop)
INK = QColor("#1f2328")
MUTED = QColor("#57606a")
RULE = QColor("#d0d7de")

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


def font(pixels: float, bold: bool = False) -> QFont:
    load_fonts()
    chosen = QFont()
    chosen.setFamilies(FAMILIES)
    chosen.setPixelSize(round(pixels))
    chosen.setBold(bold)
    # No ligatures: "ﬁ" would break copying and searching the text of a report.
    chosen.setFeature(QFont.Tag("liga"), 0)
    return chosen


@dataclass
class Page:
    blocks: list[tuple[float, Paint]] = field(default_factory=list)


class Flow:
    """Places blocks top to bottom, starting a new page when the next one does not fit."""

    def __init__(
        self, device: QPaintDevice, width: float, height: float, margin: float, header: float, footer: float
    ):
        self.device = device
        self.left = margin
        self.width = width - 2 * margin
        self.top = margin + header
        self.bottom = height - margin - footer
        self.pages = [Page()]
        self.y = self.top
        self.on_new_page: Callable[[], None] | None = None  # e.g. repeat a table's header

    def text_height(self, text: str, text_font: QFont, width: float) -> float:
        metrics = QFontMetricsF(text_font, self.device)
        return metrics.boundingRect(QRectF(0, 0, width, 1e7), WRAP, text).height()

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = self.top
        if self.on_new_page:
            self.on_new_page()

    def place(self, height: float, paint: Paint, keep_with_next: float = 0) -> None:
        if self.y + height + keep_with_next > self.bottom and self.y > self.top:
            self.new_page()
        self.pages[-1].blocks.append((self.y, paint))
        self.y += height

    def space(self, height: float) -> None:
        self.y = min(self.y + height, self.bottom)

    def paragraph(
        self, text: str, text_font: QFont, colour: QColor = INK, indent: float = 0, after: float = 4
    ) -> None:
        width = self.width - indent
        height = self.text_height(text, text_font, width)
        left = self.left + indent

        def paint(painter: QPainter, y: float) -> None:
            painter.setFont(text_font)
            painter.setPen(colour)
            painter.drawText(QRectF(left, y, width, height + 2), WRAP, text)

        self.place(height + after, paint)

    def heading(self, text: str, pixels: float = 17) -> None:
        heading_font = font(pixels, bold=True)
        height = self.text_height(text, heading_font, self.width) + 6
        left, width = self.left, self.width

        def paint(painter: QPainter, y: float) -> None:
            painter.setFont(heading_font)
            painter.setPen(INK)
            painter.drawText(QRectF(left, y, width, height), WRAP, text)
            painter.setPen(QPen(RULE, 1))
            painter.drawLine(int(left), int(y + height - 2), int(left + width), int(y + height - 2))

        self.space(8)
        self.place(height + 6, paint, keep_with_next=60)


@dataclass
class Column:
    title: str
    share: float  # of the table's width


Cell = str | Callable[[QPainter, QRectF], None]  # plain text, or a painter for e.g. a status badge


def table(
    flow: Flow, columns: list[Column], rows: list[list[Cell]], cell_font: QFont, heights: list[float] | None = None,
    header: bool = True,
) -> None:  # fmt: skip
    """A table whose header repeats on every page it spans. `heights` gives painted cells' heights."""
    pad = 4
    total = sum(c.share for c in columns)
    widths = [flow.width * c.share / total for c in columns]
    header_font = font(cell_font.pixelSize(), bold=True)

    def cells_at(
        y: float, painter: QPainter, cells: list[Cell], row_height: float, cell_font_: QFont, fill=None
    ):
        x = flow.left
        if fill is not None:
            painter.fillRect(QRectF(flow.left, y, flow.width, row_height), fill)
        for width, cell in zip(widths, cells, strict=True):
            rect = QRectF(x + pad, y + pad, width - 2 * pad, row_height - 2 * pad)
            if isinstance(cell, str):
                painter.setFont(cell_font_)
                painter.setPen(INK)
                painter.drawText(rect, WRAP, cell)
            else:
                cell(painter, rect)
            x += width
        painter.setPen(QPen(RULE, 0.8))
        painter.drawLine(
            int(flow.left), int(y + row_height), int(flow.left + flow.width), int(y + row_height)
        )

    header_height = (
        max(flow.text_height(c.title, header_font, w - 2 * pad) for c, w in zip(columns, widths, strict=True))
        + 2 * pad
    )

    def place_header() -> None:
        titles = [c.title for c in columns]
        flow.place(
            header_height, lambda p, y: cells_at(y, p, titles, header_height, header_font, QColor("#f0f3f6"))
        )

    if header:
        place_header()
        flow.on_new_page = place_header
    for index, cells in enumerate(rows):
        text_heights = [
            flow.text_height(cell, cell_font, width - 2 * pad)
            if isinstance(cell, str)
            else (heights[index] if heights else 16)
            for cell, width in zip(cells, widths, strict=True)
        ]
        height = max(text_heights) + 2 * pad
        flow.place(height, lambda p, y, cells=cells, height=height: cells_at(y, p, cells, height, cell_font))
    flow.on_new_page = None
    flow.space(6)
