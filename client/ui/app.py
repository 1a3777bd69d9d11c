"""Starting the desktop client: the QApplication with its font, translations and style, and the
shell that leads from the login window to the main window (and back on 注销)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, Qt, QTranslator
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from client import __version__
from client.resources import resource_path

APP_FONT_POINT_SIZE = 10
FONT_FILE = ("fonts", "wqy-microhei.ttc")
STYLESHEET_FILE = ("styles", "yiwei.qss")
# The UI language: Simplified Chinese everywhere, whatever language Windows is installed in, so
# that Qt's own buttons (确定/取消) match the rest. YIWEI_LANG selects another translation set.
DEFAULT_LANGUAGE = "zh_CN"


def register_font() -> str | None:
    """Register the shipped CJK font with Qt and return its family (None if the file is missing)."""
    path = resource_path(*FONT_FILE)
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        return None
    families = QFontDatabase.applicationFontFamilies(font_id)
    proportional = [f for f in families if "mono" not in f.lower()]
    return (proportional or families or [None])[0]


def ui_language() -> str:
    return os.environ.get("YIWEI_LANG") or DEFAULT_LANGUAGE


def install_translators(app: QCoreApplication) -> list[QTranslator]:
    """Qt's own translations (standard buttons, dialogs) and the project's, when shipped."""
    language = ui_language()
    installed = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    candidates = [(f"qtbase_{language}", qt_dir),
                  (f"yiwei_{language}", str(resource_path("translations")))]
    for name, folder in candidates:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            translator.deleteLater()
    return installed


def load_stylesheet() -> str:
    """The style sheet, with ``@STYLES@`` pointing at its folder (url() in a sheet is otherwise
    relative to the working directory, which differs between a checkout and the bundle)."""
    path = Path(resource_path(*STYLESHEET_FILE))
    try:
        sheet = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    return sheet.replace("@STYLES@", path.parent.as_posix())


def light_palette() -> QPalette:
    """A light palette on Fusion, so the client looks the same under any Windows theme."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#f7f8fa",
        QPalette.ColorRole.WindowText: "#1d2329",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f3f6fa",
        QPalette.ColorRole.ToolTipBase: "#fffbe6",
        QPalette.ColorRole.ToolTipText: "#1d2329",
        QPalette.ColorRole.PlaceholderText: "#8a939d",
        QPalette.ColorRole.Text: "#1d2329",
        QPalette.ColorRole.Button: "#f7f8fa",
        QPalette.ColorRole.ButtonText: "#1d2329",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#2f6fb5",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#2f6fb5",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa3ad"))
    return palette


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, configured once: names, High-DPI policy, font, translations, style.

    If an application object already exists (tests, the benchmark) it is configured, not replaced.
    """
    app = QApplication.instance()
    if app is None:
        # Fractional Windows scaling (125 %, 150 %) must not be rounded, or text gets blurry/cut.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    if app.property("yiweiConfigured"):
        return app
    app.setOrganizationName("Yiwei")
    app.setOrganizationDomain("yiwei.app")
    app.setApplicationName("yiwei")
    app.setApplicationDisplayName(QCoreApplication.translate("app", "易维"))
    app.setApplicationVersion(__version__)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_translators(app)
    # Display name again, now that the translators are in.
    app.setApplicationDisplayName(QCoreApplication.translate("app", "易维"))
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(light_palette())
    family = register_font()
    font = QFont(family) if family else QFont(app.font())
    font.setPointSize(APP_FONT_POINT_SIZE)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    app.setFont(font)
    app.setStyleSheet(load_stylesheet())
    app.setProperty("yiweiConfigured", True)
    app.setProperty("yiweiFontFamily", family or "")
    return app


class ClientShell(QObject):
    """Login window → main window; 注销 closes the main window and shows the login again.

    The application quits when the last window closes (the login dialog cancelled, or the main
    window closed by 退出 or the window's close button)."""

    def __init__(self, preselect: str | None = None, store=None, parent: QObject | None = None):
        super().__init__(parent)
        from .profiles import ProfileStore

        self.store = store or ProfileStore()
        self.preselect = preselect
        self.login_dialog = None
        self.window = None
        self._profile_key: str | None = None

    def start(self) -> None:
        self.show_login(self.preselect)

    def show_login(self, preselect: str | None = None):
        from .login import LoginDialog

        dialog = LoginDialog(store=self.store, preselect=preselect)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.logged_in.connect(lambda session, d=dialog: self._open_main_window(session, d.profile_key))
        self.login_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _open_main_window(self, session, profile_key: str | None):
        from .main_window import MainWindow, create_context

        self._profile_key = profile_key
        window = MainWindow(create_context(session))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.logout_requested.connect(self._logout)
        self.window = window
        window.show_with_saved_geometry()
        window.raise_()
        window.activateWindow()
        return window

    def _logout(self) -> None:
        # The login window appears before the main window is gone, so the application keeps running.
        self.window = None
        self.show_login(self._profile_key)


def _check_display() -> None:
    from client.db.errors import UserFacingError

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                                                 or os.environ.get("QT_QPA_PLATFORM")):
        raise UserFacingError("没有可用的图形界面（DISPLAY 未设置），无法打开易维窗口")


def _close_on_interrupt(app: QApplication) -> None:
    """Ctrl+C in the terminal that started `yiwei demo` closes the windows properly (layout saved,
    connections closed, embedded server stopped) instead of killing the process mid-write."""
    import signal

    from PySide6.QtCore import QTimer

    def close(*_args) -> None:
        app.closeAllWindows()
        app.quit()

    signal.signal(signal.SIGINT, close)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, close)
    # Python runs signal handlers only between bytecodes; an idle timer gives it the chance.
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(300)


def run_client(preselect: str | None = None, argv: list[str] | None = None) -> int:
    """Run the desktop client until its last window closes; returns the exit code.

    ``preselect`` is the key of a remembered server profile (client.ui.profiles) shown first.
    Embedded servers this process started for a login are stopped again on the way out.
    """
    from .crash import install_excepthook
    from .profiles import embedded_servers

    _check_display()
    app = create_application(argv)
    install_excepthook()
    _close_on_interrupt(app)
    shell = ClientShell(preselect)
    shell.start()
    try:
        return app.exec()
    finally:
        embedded_servers.stop_started()
