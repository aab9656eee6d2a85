"""Running a coroutine to its end from a test, whatever runs in the test's thread.

Browser tests share their worker with the other tests of their group, and Playwright's sync API
keeps an event loop running in that thread, where ``asyncio.run`` refuses to start another. A
coroutine run here gets a thread and a loop of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()
