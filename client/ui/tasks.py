"""Background operations: database work, exports and printing off the GUI thread.

A task is a plain function ``fn(token, report)`` run on the thread pool. It checks
``token.cancelled`` (or calls ``token.raise_if_cancelled()``) between steps and calls
``report(done, total, text)`` to show progress. Its result, error or cancellation comes back to
the GUI thread through signals; callbacks never run on a worker thread, so they may touch widgets.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from client.db.errors import UserFacingError, is_connection_lost, translate


class TaskCancelled(Exception):
    """Raised inside a task when the user cancelled it; nothing is reported as an error."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise TaskCancelled()


class TaskHandle(QObject):
    """Lives in the GUI thread; worker threads only emit its signals (queued to the GUI thread)."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)       # UserFacingError
    cancelled = Signal()
    ended = Signal()              # after any of the three outcomes

    def __init__(self, label: str, on_done, on_error, on_progress, on_cancel, parent=None):
        super().__init__(parent)
        self.label = label
        self.token = CancelToken()
        self._callbacks = (on_done, on_error, on_progress, on_cancel)
        self.done = False
        self.progress.connect(self._on_progress)
        self.finished.connect(self._on_finished)
        self.failed.connect(self._on_failed)
        self.cancelled.connect(self._on_cancelled)

    def cancel(self) -> None:
        self.token.cancel()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self._callbacks[2]:
            self._callbacks[2](done, total, text)

    def _end(self) -> None:
        self.done = True
        self.ended.emit()

    @Slot(object)
    def _on_finished(self, result: Any) -> None:
        try:
            if self._callbacks[0]:
                self._callbacks[0](result)
        finally:
            self._end()

    @Slot(object)
    def _on_failed(self, error: UserFacingError) -> None:
        try:
            if self._callbacks[1]:
                self._callbacks[1](error)
        finally:
            self._end()

    @Slot()
    def _on_cancelled(self) -> None:
        try:
            if self._callbacks[3]:
                self._callbacks[3]()
        finally:
            self._end()


class _Keeper(QObject):
    """Holds, on the GUI thread, every Python object a job uses until the job's thread has let go.

    Python frees an object on whichever thread drops the last reference to it. A task's closure may
    hold the last reference to a screen (a closed window, or a test widget that pytest-qt keeps only
    weakly), and a widget destroyed on a worker thread corrupts Qt's state and crashes the GUI later.
    So the worker borrows the closure, the handle and the runner from here, keeps its result and error
    here too, drops all of its own references, and only then says — with a plain int through a queued
    signal — that the GUI thread may drop the last ones.
    """

    released = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._held: dict[int, list] = {}
        self._next = 0
        self.released.connect(self._release)

    def hold(self, *objects) -> int:
        with self._lock:
            self._next += 1
            self._held[self._next] = list(objects)
            return self._next

    def borrow(self, job_id: int) -> list:
        with self._lock:
            return list(self._held[job_id])

    def keep(self, job_id: int, obj) -> None:
        with self._lock:
            self._held[job_id].append(obj)

    @property
    def holding(self) -> int:
        with self._lock:
            return len(self._held)

    @Slot(int)
    def _release(self, job_id: int) -> None:
        with self._lock:
            objects = self._held.pop(job_id, None)
        del objects  # the last references, dropped here on the GUI thread


_keeper: _Keeper | None = None


def _the_keeper() -> _Keeper:
    """Created on first use from the GUI thread (tasks are submitted there), lives as long as Python."""
    global _keeper
    if _keeper is None:
        _keeper = _Keeper()
    return _keeper


class _Job(QRunnable):
    def __init__(self, job_id: int, retry_on_disconnect: bool):
        super().__init__()
        self.job_id = job_id
        self.retry = retry_on_disconnect
        self.setAutoDelete(True)

    def run(self) -> None:
        keeper = _keeper
        try:
            self._run(*keeper.borrow(self.job_id))
        finally:
            keeper.released.emit(self.job_id)

    def _run(self, fn: Callable, handle: TaskHandle, runner: "TaskRunner") -> None:
        token = handle.token

        def report(done: int, total: int, text: str = "") -> None:
            handle.progress.emit(done, total, text)

        attempts = 2 if self.retry else 1
        for attempt in range(attempts):
            try:
                result = fn(token, report)
            except TaskCancelled:
                handle.cancelled.emit()
                return
            except Exception as exc:  # every failure becomes a message, never a traceback in the UI
                if is_connection_lost(exc):
                    runner.connection_lost.emit()
                    if attempt + 1 < attempts:
                        runner.reconnect()
                        continue
                error = translate(exc)
                if error.kind not in ("validation", "conflict", "permission", "not_found", "login"):
                    runner.log_unexpected(exc)
                # The message is all the GUI needs; a traceback would tie the task's frames (and what
                # they hold) into a cycle that the garbage collector may free on any thread.
                error.with_traceback(None)
                _keeper.keep(self.job_id, error)
                handle.failed.emit(error)
                return
            runner.connection_ok.emit()
            if token.cancelled:
                handle.cancelled.emit()
            else:
                _keeper.keep(self.job_id, result)
                handle.finished.emit(result)
            return


class TaskRunner(QObject):
    """Submits tasks and tells the shell how many run and whether the server answers."""

    busy_changed = Signal(int)
    connection_lost = Signal()
    connection_ok = Signal()

    def __init__(self, reconnect: Callable[[], None] | None = None, pool: QThreadPool | None = None, parent=None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._reconnect = reconnect
        self._running: set[TaskHandle] = set()

    def submit(self, fn: Callable, *, on_done=None, on_error=None, on_progress=None, on_cancel=None,
               label: str = "", retry_on_disconnect: bool = False) -> TaskHandle:
        """Run ``fn(token, report)`` in the background. ``retry_on_disconnect`` is for reads: after a
        dropped connection the pool is rebuilt and the task runs once more."""
        handle = TaskHandle(label, on_done, on_error, on_progress, on_cancel, parent=self)
        self._running.add(handle)
        handle.ended.connect(lambda h=handle: self._forget(h))
        self.busy_changed.emit(len(self._running))
        self.pool.start(_Job(_the_keeper().hold(fn, handle, self), retry_on_disconnect))
        return handle

    def _forget(self, handle: TaskHandle) -> None:
        self._running.discard(handle)
        handle.deleteLater()
        self.busy_changed.emit(len(self._running))

    @property
    def running(self) -> int:
        return len(self._running)

    def cancel_all(self) -> None:
        """Ask every running task to stop (logout, closing the window)."""
        for handle in list(self._running):
            handle.cancel()

    def reconnect(self) -> None:
        if self._reconnect:
            self._reconnect()

    @staticmethod
    def log_unexpected(exc: BaseException) -> None:
        import logging

        logging.getLogger("yiwei.tasks").error("background task failed", exc_info=exc)

    def wait_all(self, timeout_ms: int = 30000) -> bool:
        return self.pool.waitForDone(timeout_ms)
