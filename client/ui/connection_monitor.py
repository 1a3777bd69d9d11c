"""Watching the connection to the server for the status bar.

Background tasks tell the TaskRunner when the server stopped answering (``connection_lost``) or
answered (``connection_ok``). While it is lost, a probe (``SELECT 1`` on a fresh pooled connection,
off the GUI thread) runs every few seconds until the server answers again; then the status bar
says 已连接 again. The pool's pre-ping and the runner's reconnect replace dead connections, so
work resumes without logging in again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy import text

from .tasks import TaskRunner

PROBE_INTERVAL_MS = 5000


class ConnectionMonitor(QObject):
    state_changed = Signal(bool)   # True: the server answers
    probe_failed = Signal(str)     # why the last probe failed, for the tooltip

    def __init__(self, engine, runner: TaskRunner, interval_ms: int = PROBE_INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = engine
        self.connected = True
        self.last_error = ""
        # Probes run on their own runner so they neither count as the user's background work nor
        # feed their failures back into the lost/ok signals of the main runner.
        self._probe_runner = TaskRunner(parent=self)
        self._probing = False
        self.probes = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.probe)
        runner.connection_lost.connect(self.mark_lost)
        runner.connection_ok.connect(self.mark_ok)

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def set_interval(self, interval_ms: int) -> None:
        self._timer.setInterval(interval_ms)

    @property
    def probing(self) -> bool:
        return self._timer.isActive()

    def mark_lost(self) -> None:
        if not self._timer.isActive():
            self._timer.start()
        if self.connected:
            self.connected = False
            self.state_changed.emit(False)

    def mark_ok(self) -> None:
        self._timer.stop()
        self.last_error = ""
        if not self.connected:
            self.connected = True
            self.state_changed.emit(True)

    def probe(self) -> None:
        if self._probing:
            return
        self._probing = True
        self.probes += 1
        engine = self.engine

        def ping(token, report):
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return None
            except Exception as exc:  # the answer we are waiting for may take many probes
                from client.db.errors import translate

                return translate(exc).message

        self._probe_runner.submit(ping, label="SELECT 1", on_done=self._probed,
                                  on_error=lambda error: self._probed(error.message))

    def _probed(self, error: str | None) -> None:
        self._probing = False
        if error is None:
            self.mark_ok()
        else:
            self.last_error = error
            self.probe_failed.emit(error)

    def stop(self) -> None:
        self._timer.stop()
