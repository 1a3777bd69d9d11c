"""`yiwei --self-test`: prove that an installation (source or PyInstaller bundle) works end to end.

Headless and self-contained: starts the embedded PostgreSQL server in a temporary folder, upgrades
the schema, seeds the demo company, logs in as demo employees, opens every screen they may use
offscreen (waiting for the screens' background work), exports one list to Excel, prints one
document to PDF, reads both files back, then stops and deletes the server. Nothing is written to
the user's settings or data folder. Returns 0 when every step passed.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

# The logins the self-test uses: a store manager (customer screens, roster) and the administrator
# (system screens).
SELF_TEST_LOGINS = ("hz01.manager", "admin")
EXPORT_LIST = "visits"
PRINT_DOCTYPE = "roster"
DATABASE = "yiwei"
TASK_TIMEOUT_S = 60

# PostgreSQL's pg_ctl on Windows, started by an account with Administrator rights (older releases
# refuse outright; recent ones drop the rights themselves and may still fail on locked-down PCs).
_ADMIN_MARKERS = ("administrative permissions", "Administrator", "管理员")

ADMIN_HINT = ("内置数据库不能以管理员身份运行：请以普通用户身份（不要“以管理员身份运行”）启动易维。\n"
              "The embedded PostgreSQL server refuses to run with Administrator rights: start Yiwei "
              "as a normal (non-elevated) user.")


class SelfTestFailure(RuntimeError):
    pass


class _Report:
    def __init__(self, out):
        self.out = out
        self.steps: list[tuple[str, bool, float, str]] = []
        self._t0 = time.perf_counter()

    def step(self, title: str):
        report = self

        class _Step:
            def __enter__(self):
                self.start = time.perf_counter()
                report.out(f"… {title}")
                return self

            def __exit__(self, exc_type, exc, tb):
                elapsed = time.perf_counter() - self.start
                if exc is None:
                    report.steps.append((title, True, elapsed, ""))
                    report.out(f"  通过 OK  ({elapsed:.1f} s)")
                    return False
                report.steps.append((title, False, elapsed, _describe(exc)))
                report.out(f"  失败 FAILED: {_describe(exc)}")
                return False

        return _Step()

    def total(self) -> float:
        return time.perf_counter() - self._t0


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if any(marker in message for marker in _ADMIN_MARKERS) and sys.platform == "win32":
        message += "\n" + ADMIN_HINT
    return message


class _ErrorLog(logging.Handler):
    """Collects errors the client logs (failed background tasks, screens that failed to open)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {record.exc_info[1]!r}"
        self.records.append(f"{record.name}: {text}")


def _wait_idle(app, ctx, timeout_s: float = TASK_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        app.processEvents()
        if ctx.tasks.running == 0:
            app.processEvents()
            if ctx.tasks.running == 0:
                return
        if time.monotonic() > deadline:
            raise SelfTestFailure(f"后台任务 {timeout_s:.0f} 秒内未完成 / background tasks did not finish in time")
        time.sleep(0.01)


def _track_task_errors(ctx, errors: list[str]) -> None:
    """Record every background task that fails (the screens show those only as a message)."""
    submit = ctx.tasks.submit

    def tracked(fn, *, on_error=None, label: str = "", **kwargs):
        def failed(error, _label=label):
            errors.append(f"{_label or 'task'}: {getattr(error, 'message', error)}")
            if on_error is not None:
                on_error(error)

        return submit(fn, on_error=failed, label=label, **kwargs)

    ctx.tasks.submit = tracked


def _pg_version(info) -> str:
    from client.db.connection import connect_raw

    conn = connect_raw(info.superuser_params("postgres"))
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            return cur.fetchone()[0]
    finally:
        conn.close()


def _start_server(base: Path):
    from client.embedded.server import EmbeddedServer, EmbeddedServerError

    server = EmbeddedServer(base)
    try:
        info = server.start()
    except EmbeddedServerError as exc:
        if sys.platform == "win32" and any(m in str(exc) for m in _ADMIN_MARKERS):
            raise SelfTestFailure(f"{exc}\n{ADMIN_HINT}") from exc
        raise
    return server, info


def _open_screens(app, profile, login_name: str, password: str, settings_file: Path) -> list[str]:
    """Log in, build the main window, open every function the login may use; return their ids."""
    from PySide6.QtCore import QSettings

    from client.db.connection import login
    from client.ui.main_window import MainWindow, create_context

    session = login(profile, login_name, password)
    store = QSettings(str(settings_file), QSettings.Format.IniFormat)
    ctx = create_context(session, store)
    task_errors: list[str] = []
    _track_task_errors(ctx, task_errors)
    window = MainWindow(ctx, restore_layout=False)
    try:
        window.show()
        _wait_idle(app, ctx)
        if not window.allowed:
            raise SelfTestFailure(f"{login_name} 没有可用的功能 / no functions for this login")
        failed = []
        for function_id in sorted(window.allowed):
            dock = window.open_function(function_id)
            if dock is None or dock.widget() is None:
                failed.append(function_id)
            _wait_idle(app, ctx)
        if failed:
            raise SelfTestFailure(f"无法打开 / could not open: {', '.join(failed)}")
        if task_errors:
            raise SelfTestFailure("后台任务失败 / background tasks failed: " + "; ".join(task_errors))
        return sorted(window.allowed)
    finally:
        ctx.tasks.cancel_all()
        try:
            _wait_idle(app, ctx, 15)
        except SelfTestFailure:
            pass
        window.hide()
        window.deleteLater()
        app.processEvents()
        ctx.tasks.wait_all(10000)
        session.engine.dispose()
        store.sync()


def run_self_test(work_dir: str | os.PathLike | None = None, *, out=None) -> int:
    """Run the self-test; 0 when everything passed, 1 otherwise. ``work_dir`` holds the temporary
    server and output files (default: a new temporary folder, deleted afterwards)."""
    if out is None:
        def out(text: str) -> None:
            try:
                print(text, flush=True)
            except UnicodeEncodeError:  # a console that cannot show Chinese (e.g. cp1252)
                encoding = getattr(sys.stdout, "encoding", None) or "ascii"
                print(text.encode(encoding, errors="replace").decode(encoding), flush=True)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from client import __version__

    created = work_dir is None
    base = Path(tempfile.mkdtemp(prefix="yiwei-selftest-")) if created else Path(work_dir)
    base.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="selftest-", dir=base))
    server_dir = run_dir / "server"
    output_dir = run_dir / "output"
    output_dir.mkdir()
    report = _Report(out)
    errors = _ErrorLog()
    yiwei_log = logging.getLogger("yiwei")
    yiwei_log.addHandler(errors)
    out(f"易维自检 / Yiwei self-test {__version__}  ({'bundle' if getattr(sys, 'frozen', False) else 'source'}, "
        f"{sys.platform}, Python {sys.version.split()[0]})")
    out(f"工作目录 / work folder: {run_dir}")
    started: list = []
    ok = False
    try:
        ok = _run_steps(report, server_dir, output_dir, started.append)
    except Exception:  # noqa: BLE001 - the report says what failed; never a bare traceback only
        out(traceback.format_exc())
    finally:
        with report.step("停止并删除内置数据库 / stop and delete the embedded server"):
            for server in started:
                server.destroy()
        yiwei_log.removeHandler(errors)
        shutil.rmtree(run_dir, ignore_errors=True)
        if created:
            shutil.rmtree(base, ignore_errors=True)
    ok = ok and all(passed for _t, passed, _e, _m in report.steps)
    if errors.records:
        out("记录的错误 / logged errors:\n  " + "\n  ".join(errors.records[:20]))
        ok = False
    out("")
    for title, passed, elapsed, message in report.steps:
        out(f"{'✔' if passed else '✘'} {title}  {elapsed:.1f} s" + (f"\n    {message}" if message else ""))
    if ok:
        out(f"自检通过 / self-test passed in {report.total():.1f} s")
        return 0
    out(f"自检失败 / self-test FAILED after {report.total():.1f} s")
    return 1


def _run_steps(report: _Report, server_dir: Path, output_dir: Path, remember) -> bool:
    from client.db.connection import ServerProfile, connect_raw, engine_for, login
    from client.demo.company import DEMO_PASSWORD
    from client.demo.seed import seed_demo
    from server_schema.migrate import upgrade

    steps_before = len(report.steps)

    def passed() -> bool:
        return all(p for _t, p, _e, _m in report.steps[steps_before:])

    with report.step("启动内置数据库 / start the embedded PostgreSQL server"):
        server, info = _start_server(server_dir)
        remember(server)
        from client.embedded.server import _bin_dir

        report.out(f"  PostgreSQL {_pg_version(info)} from {_bin_dir()}")
    if not passed():
        return False

    with report.step("创建并升级数据库结构 / create and upgrade the schema"):
        conn = connect_raw(info.superuser_params("postgres"))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{DATABASE}" ENCODING \'UTF8\' TEMPLATE template0')
        conn.close()
        engine = engine_for(info.superuser_params(DATABASE), pool_size=1)
        try:
            _ns, _before, after = upgrade(engine)
        finally:
            engine.dispose()
        report.out(f"  schema revision {after}")
    if not passed():
        return False

    with report.step("创建演示公司 / seed the demo company"):
        conn = connect_raw(info.superuser_params(DATABASE))
        try:
            seed_demo(conn)
        finally:
            conn.close()
    if not passed():
        return False

    profile = ServerProfile(host=info.host, port=info.port, dbname=DATABASE, sslmode="disable")
    with report.step("登录演示账号 / log in as a demo employee"):
        session = login(profile, SELF_TEST_LOGINS[0], DEMO_PASSWORD)
        report.out(f"  {session.full_name}（{session.position_name}）")
        session.engine.dispose()
    if not passed():
        return False

    with report.step("创建界面 / create the application (Qt "
                     f"{os.environ.get('QT_QPA_PLATFORM', '')})"):
        from client.ui.app import create_application

        app = create_application(["yiwei-selftest"])
        report.out(f"  platform {app.platformName()}, font {app.property('yiweiFontFamily') or '(none)'}")
        if not app.property("yiweiFontFamily"):
            raise SelfTestFailure("未找到中文字体 / CJK font not found in resources")
    if not passed():
        return False

    from client.ui.registry import load_functions

    registered = set(load_functions())
    opened: set[str] = set()
    for login_name in SELF_TEST_LOGINS:
        with report.step(f"打开全部功能界面 / open every screen as {login_name}"):
            ids = _open_screens(app, profile, login_name, DEMO_PASSWORD, output_dir / f"settings-{login_name}.ini")
            opened.update(ids)
            report.out(f"  {len(ids)} screens: {', '.join(ids)}")
    with report.step("全部已注册功能均已打开 / every registered screen opened"):
        missing = registered - opened
        if missing:
            raise SelfTestFailure(f"未打开 / not opened: {', '.join(sorted(missing))}")
    if not passed():
        return False

    with report.step(f"导出列表到 Excel / export the '{EXPORT_LIST}' list to .xlsx"):
        _export(profile, DEMO_PASSWORD, output_dir / "客户流量 自检.xlsx", report)
    with report.step(f"打印单据到 PDF / print a '{PRINT_DOCTYPE}' document to PDF"):
        _print(profile, DEMO_PASSWORD, output_dir / "花名册 自检.pdf", report)
    return passed()


def _export(profile, password: str, path: Path, report: _Report) -> None:
    import openpyxl

    from client.db.connection import login
    from client.lists.catalog import get_list, require_allowed
    from client.lists.export import export_list
    from client.lists.query import ListQuery

    session = login(profile, SELF_TEST_LOGINS[0], password)
    try:
        spec = get_list(EXPORT_LIST)
        require_allowed(spec, session)
        with session.engine.begin() as conn:
            result = export_list(conn, ListQuery(spec), path, user=session.full_name)
    finally:
        session.engine.dispose()
    if not path.is_file():
        raise SelfTestFailure(f"没有生成文件 / file not written: {path}")
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        sheets = book.sheetnames
    finally:
        book.close()
    if not sheets:
        raise SelfTestFailure("Excel 文件没有工作表 / workbook has no sheet")
    report.out(f"  {result.row_count} rows, {path.stat().st_size:,} bytes")


def _print(profile, password: str, path: Path, report: _Report) -> None:
    from client.db.connection import login
    from client.documents.printing import render_documents
    from client.documents.registry import get_doctype

    session = login(profile, SELF_TEST_LOGINS[0], password)
    try:
        doctype = get_doctype(PRINT_DOCTYPE)
        with session.engine.connect() as conn:
            numbers = doctype.numbers(conn)
        if not numbers:
            raise SelfTestFailure(f"没有可打印的单据 / nothing to print for {PRINT_DOCTYPE}")
        render_documents(session, PRINT_DOCTYPE, [numbers[0]], out=path)
    finally:
        session.engine.dispose()
    if not path.is_file():
        raise SelfTestFailure(f"没有生成文件 / file not written: {path}")
    head = path.read_bytes()[:5]
    if head != b"%PDF-":
        raise SelfTestFailure(f"不是 PDF 文件 / not a PDF: {head!r}")
    report.out(f"  {numbers[0]}, {path.stat().st_size:,} bytes")
