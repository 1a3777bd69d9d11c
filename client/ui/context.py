"""What every screen gets: the logged-in session, the background task runner, the user's settings
and a way to reach the main window (open another function, show a message)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from client.db.connection import Session

from .tasks import TaskHandle, TaskRunner


@dataclass
class AppContext:
    session: Session
    tasks: TaskRunner
    settings: "object"                       # client.ui.settings.UserSettings
    open_function: Callable[[str], None] = field(default=lambda function_id: None)

    def run(self, fn, **kwargs) -> TaskHandle:
        """Run ``fn(conn, token, report)`` in the background on a connection of the session's pool,
        inside one transaction that commits when fn returns and rolls back when it raises — so a
        save interrupted by a dropped connection leaves nothing half-written."""
        engine = self.session.engine

        def job(token, report):
            with engine.begin() as conn:
                return fn(conn, token, report)

        return self.tasks.submit(job, **kwargs)
