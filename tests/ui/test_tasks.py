"""The background task runner: results, errors and cancellation come back on the GUI thread, and
everything a task touched is freed there too — never on the worker thread, where destroying a widget
would corrupt Qt."""

from __future__ import annotations

import threading

import pytest

from client.db.errors import UserFacingError
from client.ui.tasks import TaskRunner, _the_keeper


class Witness:
    """Records the thread that frees it."""

    freed_on: list[str] = []

    def __del__(self):
        Witness.freed_on.append(threading.current_thread().name)


@pytest.fixture
def runner(qtbot):
    runner = TaskRunner()
    yield runner
    runner.wait_all()
    qtbot.waitUntil(lambda: _the_keeper().holding == 0, timeout=5000)


def _run_to_the_end(qtbot, runner, fn, **callbacks):
    handle = runner.submit(fn, **callbacks)
    with qtbot.waitSignal(handle.ended, timeout=5000):
        pass
    runner.wait_all()
    qtbot.waitUntil(lambda: _the_keeper().holding == 0, timeout=5000)


def test_a_closure_holding_the_last_reference_is_freed_on_the_gui_thread(qtbot, runner):
    Witness.freed_on = []
    witness = Witness()

    def task(token, report, held=witness):
        return held is not None

    del witness  # the task's closure now holds the only reference
    results = []
    _run_to_the_end(qtbot, runner, task, on_done=results.append)
    del task
    assert results == [True]
    assert Witness.freed_on == [threading.main_thread().name]


def test_results_and_errors_made_on_the_worker_are_freed_on_the_gui_thread(qtbot, runner):
    Witness.freed_on = []
    seen = []
    _run_to_the_end(qtbot, runner, lambda token, report: Witness(), on_done=lambda result: seen.append(type(result)))

    def failing(token, report):
        raise UserFacingError("不行", kind="validation", detail={"witness": Witness()})

    errors = []
    _run_to_the_end(qtbot, runner, failing, on_error=lambda error: errors.append(error.message))
    assert seen == [Witness] and errors == ["不行"]
    assert Witness.freed_on == [threading.main_thread().name] * 2
