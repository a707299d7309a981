"""The status badge: a glyph and the status label in a tinted pill, so a status never relies on
colour alone. Painted by the tree's status column delegate and by the detail panel's badge widget.
"""

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from db.compliance import Standing
from db.vocabulary import Status
from gui.labels import computed_note


@dataclass(frozen=True)
class StatusStyle:
    glyph: str
    colour: str  # dark enough for text on white and on its own 12 % tint


STATUS_STYLES = {
    Status.MET: StatusStyle("✓", "#1a7f37"),
    Status.MET_LATE: StatusStyle("✓", "#6a5d00"),
    Status.ON_TRACK: StatusStyle("→", "#0b5cad"),
    Status.NOT_DUE: StatusStyle("◷", "#57606a"),
    Status.AT_RISK: StatusStyle("▲", "#9a4d00"),
    Status.OVERDUE: StatusStyle("!", "#c2410c"),
    Status.BREACHED: StatusStyle("✕", "#b3141f"),
    Status.SUSPENDED: StatusStyle("‖", "#6639ba"),
    Status.DISPUTED: StatusStyle("≠", "#a3246a"),
    Status.UNKNOWN: StatusStyle("?", "#57606a"),
}

_PAD_X, _GAP = 6, 6


def badge_text(status: Status) -> str:
    return f"{STATUS_STYLES[status].glyph} {status.label}"


def _fonts(font: QFont) -> tuple[QFont, QFont]:
    glyph = QFont(font)
    glyph.setBold(True)
    return glyph, font


def badge_size(font: QFont, standing: Standing) -> QSize:
    glyph_font, label_font = _fonts(font)
    metrics = QFontMetrics(label_font)
    width = _pill_width(glyph_font, label_font, standing.status)
    suffix = computed_note(standing)
    if suffix:
        width += _GAP + metrics.horizontalAdvance(suffix)
    return QSize(width, metrics.height() + 4)


def _pill_width(glyph_font: QFont, label_font: QFont, status: Status) -> int:
    glyph = QFontMetrics(glyph_font).horizontalAdvance(STATUS_STYLES[status].glyph)
    return glyph + QFontMetrics(label_font).horizontalAdvance(f" {status.label}") + 2 * _PAD_X


def paint_badge(painter: QPainter, rect: QRect, font: QFont, standing: Standing, text_colour: QColor) -> None:
    """The pill at the left of `rect`, vertically centred, then "(computed: …)" when assessed otherwise."""
    style = STATUS_STYLES[standing.status]
    colour = QColor(style.colour)
    glyph_font, label_font = _fonts(font)
    height = QFontMetrics(label_font).height() + 2
    top = rect.center().y() - height / 2 + 1
    pill = QRectF(rect.left() + 1, top, _pill_width(glyph_font, label_font, standing.status), height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    tint = QColor(colour)
    tint.setAlphaF(0.12)
    painter.setPen(QPen(colour, 1.2))
    painter.setBrush(QColor("white"))
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setBrush(tint)
    painter.drawRoundedRect(pill, height / 2, height / 2)
    text = pill.adjusted(_PAD_X, 0, -_PAD_X, 0)
    painter.setFont(glyph_font)
    painter.drawText(text, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, style.glyph)
    painter.setFont(label_font)
    painter.drawText(
        text, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f" {standing.status.label}"
    )
    suffix = computed_note(standing)
    if suffix:
        painter.setPen(text_colour)
        rest = QRectF(pill.right() + _GAP, rect.top(), rect.right() - pill.right() - _GAP, rect.height())
        painter.drawText(rest, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, suffix)
    painter.restore()


class StatusDelegate(QStyledItemDelegate):
    """Paints the status column from the model's STANDING_ROLE; the display text stays for other uses."""

    def __init__(self, standing_role: int, parent=None):
        super().__init__(parent)
        self._role = standing_role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        standing = index.data(self._role)
        if standing is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = option.widget
        style = widget.style() if widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        paint_badge(
            painter, option.rect.adjusted(4, 0, -2, 0), opt.font, standing, option.palette.color(role)
        )

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        standing = index.data(self._role)
        if standing is None:
            return super().sizeHint(option, index)
        size = badge_size(option.font, standing)
        return QSize(size.width() + 8, max(size.height() + 2, super().sizeHint(option, index).height()))


class StatusBadge(QWidget):
    """The badge on its own, for the detail panel."""

    def __init__(self, standing: Standing, parent=None):
        super().__init__(parent)
        self._standing = standing
        self.setAccessibleName(badge_text(standing.status))
        self.setMinimumSize(self.sizeHint())

    @property
    def standing(self) -> Standing:
        return self._standing

    def sizeHint(self) -> QSize:
        size = badge_size(self.font(), self._standing)
        return QSize(size.width() + 4, size.height() + 2)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        paint_badge(
            painter, self.rect(), self.font(), self._standing, self.palette().color(QPalette.ColorRole.Text)
        )
        painter.end()
