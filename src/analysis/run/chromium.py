"""One headless Chromium for many pages: print PDFs and inspect rendered pages over DevTools.

Starting Chromium costs about a second of CPU a time; printing a run's ~30 pages one process each
would cost half a minute on two cores. :class:`Browser` starts one process with
``--remote-debugging-pipe`` (the DevTools protocol over file descriptors 3 and 4, messages
separated by NUL bytes: no port, no websocket library) and drives several tabs at once:
:meth:`Browser.print_pdfs` prints pages with ``Page.printToPDF`` (A4, the page's own ``@page``
CSS), :meth:`Browser.evaluate` runs a JavaScript expression in a loaded page (the report tests
use it for the visible text and the horizontal overflow).

Without Chromium (:func:`find_chromium` returns None) callers skip the PDFs and say so.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
]
PAGE_TIMEOUT = 90.0  # seconds for one page to load and print
PRINT_OPTIONS = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False}


class BrowserError(RuntimeError):
    """Chromium failed to start, answered with an error, or did not answer in time."""


class _Timeout(BrowserError):
    """No complete message arrived before the deadline (Chromium is still running)."""


def find_chromium() -> str | None:
    """Path of Debian's ``chromium`` (or ``chromium-browser`` / ``google-chrome``), None if absent."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class _Tab:
    """A page in a tab of :meth:`Browser.print_pdfs`: where its PDF goes, by when, whether its
    navigation has answered and whether it is printing."""

    pdf: Path
    target: str
    deadline: float
    navigated: bool = False  # this page's Page.navigate answered without an error
    printing: bool = False  # Page.printToPDF sent (the page has loaded)


class Browser:
    """A headless Chromium driven over ``--remote-debugging-pipe``; use as a context manager."""

    def __init__(self, binary: str, window: tuple[int, int] = (1366, 900)):
        import tempfile

        # A profile of its own: with the default one, a Chromium already running (another run, a
        # test, a person's browser) takes the command over and this process exits at once.
        self._profile = tempfile.mkdtemp(prefix="qz-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        # Chromium reads commands on fd 3 and answers on fd 4. bash (dash takes no fd above 9) moves the pipe ends there
        # (``exec 3<&r 4>&w``) so that nothing depends on which fds this process has open: with
        # pass_fds=(3, 4) and a preexec_fn, Python marks 3 and 4 inheritable before the hook runs
        # and the launch failed (EBADF, or Chromium finding no pipe) in a run whose fds 3/4 differ.
        # The ends handed over are first moved to fds ≥ 10 so that neither is 3 or 4 itself.
        import fcntl

        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_child_r, from_child_w)]
        os.close(to_child_r)
        os.close(from_child_w)
        to_child_r, from_child_w = high
        script = f'exec 3<&{to_child_r} 4>&{from_child_w} {to_child_r}<&- {from_child_w}>&-; exec "$@"'
        self._proc = subprocess.Popen(
            [
                "/bin/bash",
                "-c",
                script,
                "bash",
                binary,
                *FLAGS,
                f"--user-data-dir={self._profile}",
                f"--window-size={window[0]},{window[1]}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(to_child_r, from_child_w),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []
        self.window = window

    # --- protocol -------------------------------------------------------------------------
    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if self._proc.poll() is not None:
                raise BrowserError("chromium exited")
            if left <= 0:
                raise _Timeout("chromium did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise BrowserError("chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _wait(self, predicate, timeout: float = PAGE_TIMEOUT) -> dict:
        for i, message in enumerate(self._events):
            if predicate(message):
                return self._events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            message = self._read(deadline)
            if predicate(message):
                return message
            self._events.append(message)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result (raise :class:`BrowserError` on an error answer)."""
        mid = self._send(method, params, session)
        answer = self._wait(lambda m: m.get("id") == mid)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    # --- tabs -----------------------------------------------------------------------------
    def _open(self, url: str) -> tuple[str, str, int]:
        """A new tab navigating to ``url``: ``(target, session, id of the Page.navigate command)``
        (its answer carries ``errorText`` when the page could not be loaded). A tab that cannot
        be set up is closed again."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        try:
            session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self.call("Page.enable", session=session)
            self.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": self.window[0], "height": self.window[1], "deviceScaleFactor": 1, "mobile": False},
                session,
            )
            return target, session, self._send("Page.navigate", {"url": url}, session)
        except (BrowserError, OSError):
            self._close(target)
            raise

    def _loaded(self, session: str) -> None:
        self._wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session)

    def _close(self, target: str) -> None:
        try:
            self.call("Target.closeTarget", {"targetId": target})
        except BrowserError:
            pass

    def print_pdfs(self, jobs: list[tuple[Path, Path]], parallel: int = 3) -> dict[Path, bool]:
        """Print every ``(html page, pdf)`` pair with up to ``parallel`` tabs at once.

        Each tab is printed as soon as it has loaded, while the others load or print, so the prints
        overlap on two cores (issue 14: the run's 28 pages took 41.7–43.7 s printed one after
        another, 30–33 s overlapped). A tab that printed goes on to the next page, as a new tab
        costs Chromium a new renderer process (the run's 28 pages, three tabs at a time: 50–56
        CPU-seconds of Chromium and 25.6–27.9 s with a new tab per page, 35–41 CPU-s and
        23.5–24.3 s reusing them; the same text and page pixels). A tab whose page
        could not be loaded, whose print failed or that ran out of time is closed (its answer is not
        awaited) and a new one takes its place. Returns ``{pdf: printed?}`` in the order of
        ``jobs``; a page that cannot be opened or navigated to, whose print answers with an error or
        that takes longer than :data:`PAGE_TIMEOUT` to load and print leaves no PDF; the first such
        timeout gives the browser up (every page not printed by then is reported not printed)."""
        done: dict[Path, bool] = {}
        queue = list(jobs)
        tabs: dict[str, _Tab] = {}  # by DevTools session
        # command id -> (session, tab, "navigate" or "print"): an answer counts only for the page
        # (the _Tab) that asked, not for a later page of the same reused tab
        commands: dict[int, tuple[str, _Tab, str]] = {}

        def open_next() -> None:
            while queue and len(tabs) < parallel:
                page, pdf = queue.pop(0)
                try:
                    target, session, navigate = self._open(page.resolve().as_uri())
                except BrowserError:
                    done[pdf] = False
                    continue
                tabs[session] = _Tab(pdf, target, time.monotonic() + PAGE_TIMEOUT)
                commands[navigate] = (session, tabs[session], "navigate")

        def finish(session: str, printed: bool) -> None:
            tab = tabs.pop(session)
            done[tab.pdf] = printed
            if printed and queue:  # a healthy tab: the next page in the same tab
                page, pdf = queue.pop(0)
                tabs[session] = _Tab(pdf, tab.target, time.monotonic() + PAGE_TIMEOUT)
                commands[self._send("Page.navigate", {"url": page.resolve().as_uri()}, session)] = (
                    session,
                    tabs[session],
                    "navigate",
                )
                return
            # closeTarget's answer is not awaited: for a moment a replaced tab may still be alive
            self._send("Target.closeTarget", {"targetId": tab.target})
            open_next()

        open_next()
        while tabs:
            if any(time.monotonic() >= tab.deadline for tab in tabs.values()):
                # The browser is given up after its first timeout (issue 27: a hanging Chromium took
                # 90 s a page): every page not printed yet is reported as not printed.
                queue.clear()
                for tab in tabs.values():
                    done[tab.pdf] = False
                tabs.clear()
                break
            message = self._next_message(min(tab.deadline for tab in tabs.values()))
            if message is None:
                continue
            if message.get("method") == "Page.loadEventFired":
                # Only after the page's own navigate answer (sent when it commits, before it loads):
                # a load event of the tab's about:blank or of an earlier page is not this page's.
                session = message.get("sessionId")
                tab = tabs.get(session)
                if tab is not None and tab.navigated and not tab.printing:
                    tab.printing = True
                    commands[self._send("Page.printToPDF", PRINT_OPTIONS, session)] = (session, tab, "print")
                continue
            session, tab, command = commands.pop(message.get("id"), (None, None, None))
            if tab is None or tabs.get(session) is not tab:
                continue  # a page given up already, or not an answer of ours
            result = message.get("result", {})
            if command == "navigate":  # an error: the page could not be loaded (Chromium shows its error page)
                if "error" in message or result.get("errorText"):
                    finish(session, False)
                else:
                    tab.navigated = True
                continue
            data = result.get("data") if "error" not in message else None
            if data is not None:
                tab.pdf.write_bytes(base64.b64decode(data))
            finish(session, data is not None)
        return {pdf: done.get(pdf, False) for _, pdf in jobs}

    def _next_message(self, deadline: float) -> dict | None:
        """The next message (one set aside by :meth:`call` first); None when ``deadline`` passed."""
        if self._events:
            return self._events.pop(0)
        try:
            return self._read(deadline)
        except _Timeout:
            return None  # a tab's deadline: the caller gives that tab up

    def evaluate(self, page: Path, expression: str):
        """Load ``page`` and return the value of the JavaScript ``expression`` (JSON-serialisable)."""
        target, session, _ = self._open(page.resolve().as_uri())
        try:
            self._loaded(session)
            result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
            if "exceptionDetails" in result:
                raise BrowserError(f"script failed on {page.name}: {result['exceptionDetails'].get('text')}")
            return result["result"].get("value")
        finally:
            self._close(target)

    # --- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        try:
            self._send("Browser.close")
        except OSError:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def print_pages(jobs: list[tuple[Path, Path]], binary: str | None = None) -> dict[Path, bool] | None:
    """Print ``(html, pdf)`` pairs in one Chromium; None when Chromium is not installed."""
    binary = binary or find_chromium()
    if binary is None or not jobs:
        return None if binary is None else {}
    try:
        with Browser(binary) as browser:
            return browser.print_pdfs(jobs)
    except (OSError, BrowserError):
        return {pdf: pdf.exists() for _, pdf in jobs}
