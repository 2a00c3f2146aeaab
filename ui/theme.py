"""Dim (default) and light themes.

The dim theme is for a darkened treatment room: low-luminance background, warm off-white text,
no pure white areas, and clinical flags that carry text as well as colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str
    alt_base: str
    text: str
    muted: str
    accent: str
    accent_text: str
    button: str
    border: str
    abnormal: str
    alarming: str
    ok: str

    @property
    def name_for_assets(self) -> str:
        return "dark" if self.name == "dim" else "light"


_ASSETS = Path(__file__).resolve().parent.joinpath("assets").as_posix()

DIM = Theme(
    name="dim",
    window="#15171c",
    base="#1d2027",
    alt_base="#22262e",
    text="#e6dfd3",
    muted="#9a968e",
    accent="#6f9fbf",
    accent_text="#101216",
    button="#2a2f38",
    border="#3a404b",
    abnormal="#e0a84c",
    alarming="#f07a6a",
    ok="#7fbf8a",
)

LIGHT = Theme(
    name="light",
    window="#f4f2ee",
    base="#ffffff",
    alt_base="#f0ede7",
    text="#1e1f22",
    muted="#5c5f66",
    accent="#2f6f9a",
    accent_text="#ffffff",
    button="#e6e2da",
    border="#c3bfb6",
    abnormal="#8a5a00",
    alarming="#b3261e",
    ok="#2e7d32",
)

THEMES = {t.name: t for t in (DIM, LIGHT)}
BASE_POINT_SIZE = 13


def stylesheet(t: Theme) -> str:
    return f"""
    QWidget {{ color: {t.text}; }}
    QMainWindow, QDialog {{ background: {t.window}; }}
    QLabel[role="muted"] {{ color: {t.muted}; }}
    QLabel[role="title"] {{ font-size: 22pt; font-weight: 600; }}
    QLabel[role="heading"] {{ font-size: 16pt; font-weight: 600; }}
    QLabel[role="clock"] {{ font-size: 48pt; font-weight: 300; }}
    QLabel[role="banner"] {{ background: {t.alt_base}; border: 1px solid {t.border};
        border-radius: 6px; padding: 8px 12px; }}
    QLabel[role="error"] {{ color: {t.alarming}; font-weight: 600; }}
    QLabel[flag="ok"] {{ color: {t.ok}; font-weight: 600; }}
    QLabel[flag="abnormal"] {{ color: {t.abnormal}; font-weight: 600; }}
    QLabel[flag="alarming"] {{ color: {t.alarming}; font-weight: 700; }}
    QLineEdit[flag="abnormal"], QSpinBox[flag="abnormal"] {{ border: 2px solid {t.abnormal}; }}
    QLineEdit[flag="alarming"], QSpinBox[flag="alarming"] {{ border: 2px solid {t.alarming}; }}
    QLineEdit[invalid="true"] {{ border: 2px solid {t.alarming}; }}
    QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QDateEdit, QDateTimeEdit,
    QTimeEdit, QComboBox {{
        background: {t.base}; border: 1px solid {t.border}; border-radius: 5px; padding: 5px 7px;
        selection-background-color: {t.accent}; selection-color: {t.accent_text};
    }}
    QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QSpinBox:focus, QComboBox:focus,
    QDateEdit:focus, QDateTimeEdit:focus {{ border: 2px solid {t.accent}; }}
    QPushButton, QToolButton {{
        background: {t.button}; border: 1px solid {t.border}; border-radius: 6px;
        padding: 7px 16px; min-height: 22px;
    }}
    QPushButton:hover, QToolButton:hover {{ border-color: {t.accent}; }}
    QPushButton:focus, QToolButton:focus {{ border: 2px solid {t.accent}; }}
    QPushButton:disabled {{ color: {t.muted}; }}
    QPushButton[primary="true"] {{ background: {t.accent}; color: {t.accent_text};
        font-weight: 600; border: none; }}
    QToolButton[nav="true"] {{ background: transparent; border: none; border-bottom: 3px solid
        transparent; border-radius: 0; padding: 10px 18px; font-size: 14pt; }}
    QToolButton[nav="true"]:checked {{ border-bottom: 3px solid {t.accent}; font-weight: 600; }}
    QTableView, QListView, QTreeView {{
        background: {t.base}; alternate-background-color: {t.alt_base};
        border: 1px solid {t.border}; gridline-color: {t.border};
        selection-background-color: {t.accent}; selection-color: {t.accent_text};
    }}
    QHeaderView::section {{ background: {t.alt_base}; color: {t.muted}; border: none;
        border-bottom: 1px solid {t.border}; padding: 6px; font-weight: 600; }}
    QGroupBox {{ border: 1px solid {t.border}; border-radius: 8px; margin-top: 14px;
        padding: 12px 10px 10px 10px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 12px; padding: 0 4px; color: {t.muted}; }}
    QFrame[role="card"] {{ background: {t.base}; border: 1px solid {t.border}; border-radius: 10px; }}
    QFrame[role="step"] {{ border-radius: 8px; border: 1px solid {t.border}; background: {t.base}; }}
    QFrame[role="step"][state="current"] {{ border: 2px solid {t.accent}; }}
    QFrame[role="step"][state="done"] {{ background: {t.alt_base}; }}
    QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
    QCheckBox, QRadioButton {{ spacing: 8px; }}
    QCheckBox::indicator, QRadioButton::indicator {{ width: 18px; height: 18px;
        border: 2px solid {t.muted}; background: {t.base}; }}
    QCheckBox::indicator {{ border-radius: 4px; }}
    QRadioButton::indicator {{ border-radius: 11px; }}
    QCheckBox::indicator:checked {{ background: {t.accent}; border-color: {t.accent};
        image: url({_ASSETS}/check-{t.name_for_assets}.svg); }}
    QRadioButton::indicator:checked {{ background: {t.accent}; border-color: {t.accent}; }}
    QCheckBox::indicator:focus, QRadioButton::indicator:focus {{ border-color: {t.accent}; }}
    QCheckBox:disabled, QRadioButton:disabled {{ color: {t.muted}; }}
    QFrame#session_divider {{ background: {t.border}; border: none; }}
    QStatusBar {{ color: {t.muted}; }}
    """


def apply_theme(app: QApplication, name: str) -> Theme:
    t = THEMES[name]
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: t.window,
        QPalette.ColorRole.WindowText: t.text,
        QPalette.ColorRole.Base: t.base,
        QPalette.ColorRole.AlternateBase: t.alt_base,
        QPalette.ColorRole.Text: t.text,
        QPalette.ColorRole.Button: t.button,
        QPalette.ColorRole.ButtonText: t.text,
        QPalette.ColorRole.Highlight: t.accent,
        QPalette.ColorRole.HighlightedText: t.accent_text,
        QPalette.ColorRole.PlaceholderText: t.muted,
        QPalette.ColorRole.ToolTipBase: t.alt_base,
        QPalette.ColorRole.ToolTipText: t.text,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(stylesheet(t))
    app.setProperty("companion_theme", t.name)
    return t


def current_theme() -> Theme:
    app = QApplication.instance()
    name = app.property("companion_theme") if app is not None else None
    return THEMES.get(str(name), DIM)


def restyle(widget: object) -> None:
    """Re-apply the stylesheet after a dynamic property (flag, state) changed."""
    from PySide6.QtWidgets import QWidget

    if isinstance(widget, QWidget):
        widget.style().unpolish(widget)
        widget.style().polish(widget)
