"""When a test hangs, print where every coroutine waits before pytest-timeout ends the run.

pytest-timeout's thread method dumps the threads' stacks, but an async test that waits
forever shows only the event loop's ``select`` there: the coroutine that waits is invisible.
Shortly before the timeout this plugin signals the main thread, whose handler prints the
stack of every asyncio task of the running loop. ``kill -USR1 <pytest pid>`` prints the same
at any moment, for a run that looks stuck.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import pytest

# Seconds before pytest-timeout fires: enough to print, early enough to come first.
AHEAD_SECONDS = 15


_config: pytest.Config | None = None


def _print_tasks(_signum: int, _frame: FrameType | None) -> None:
    try:
        loop = asyncio.get_running_loop()  # the handler runs on the main thread, inside it
    except RuntimeError:
        return
    # pytest captures fd 2 while a test runs: print past the capture, as pytest-timeout does.
    capman = _config.pluginmanager.getplugin("capturemanager") if _config else None
    paused = capman.global_and_fixture_disabled() if capman else contextlib.nullcontext()
    with paused:
        for task in asyncio.all_tasks(loop):
            print(f"--- {task!r}", file=sys.stderr)
            task.print_stack(file=sys.stderr)
        sys.stderr.flush()


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGUSR1, _print_tasks)


@contextlib.contextmanager
def _dump_before_timeout(item: pytest.Item) -> Iterator[None]:
    marker = item.get_closest_marker("timeout")
    given = marker.args[0] if marker and marker.args else item.config.getini("timeout")
    timeout = float(given or 0)
    timer = None
    if timeout > AHEAD_SECONDS:
        # Aimed at the main thread: a signal another thread takes would not wake its select.
        main = threading.main_thread().ident
        assert main is not None
        timer = threading.Timer(
            timeout - AHEAD_SECONDS, signal.pthread_kill, (main, signal.SIGUSR1)
        )
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()


# The whole protocol, as pytest-timeout counts it: a fixture's setup or teardown (a service
# stopping) can hang as well as the test itself.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    with _dump_before_timeout(item):
        return (yield)
