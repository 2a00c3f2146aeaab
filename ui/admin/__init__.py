"""Administration (administrators only): staff accounts and the audit trail browser."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui.admin.audit_browser import AuditScreen
from ui.admin.staff_admin import StaffAdminScreen
from ui.context import AppContext

__all__ = ["AdminScreen", "AuditScreen", "StaffAdminScreen"]


class AdminScreen(QWidget):
    """Two tabs: Staff and Audit trail. Every action is also refused by the services for
    anyone who is not an administrator; hiding the tab is only a convenience."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("admin_screen")
        self.staff = StaffAdminScreen(ctx)
        self.audit = AuditScreen(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("admin_tabs")
        self.tabs.setAccessibleName("Administration sections")
        self.tabs.setDocumentMode(True)  # no light pane frame in the dim theme
        self.tabs.addTab(self.staff, "Staff")
        self.tabs.addTab(self.audit, "Audit trail")
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.tabs)

    def refresh(self) -> None:
        if self.tabs.currentWidget() is self.audit:
            self.audit.refresh()
        else:
            self.staff.refresh()
