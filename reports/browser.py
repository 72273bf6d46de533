"""A real headless Chromium (Debian's ``chromium``): the board report's PDF, and the checks
that the HTML renders offline.

Chromium runs as a subprocess with the network blocked (every host name resolves to
nothing), so a report that tried to load anything from the internet would show it. As
root it needs ``--no-sandbox``. ``make browser`` installs it from Debian's packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Where to find Chromium: $OUTCOMES_CHROMIUM, else the first of these on PATH.
NAMES = ("chromium", "chromium-browser", "google-chrome")
#: Seconds a page may take to run its scripts before the DOM is read or printed.
VIRTUAL_TIME_MS = 15_000
TIMEOUT_SECONDS = 120


class BrowserMissing(LookupError):
    """No Chromium on this machine."""


@dataclass(frozen=True)
class Rendered:
    """A page after its scripts ran: the DOM and the console messages it logged."""

    dom: str
    console: tuple[str, ...]


def chromium() -> str:
    """The Chromium executable, or ``BrowserMissing`` saying how to install it."""
    found = os.environ.get("OUTCOMES_CHROMIUM") or next(
        (path for name in NAMES if (path := shutil.which(name))), None
    )
    if not found or not os.access(found, os.X_OK):
        raise BrowserMissing(
            "Chromium is not installed; run `make browser` (Debian's chromium package), or "
            "set OUTCOMES_CHROMIUM to its path"
        )
    return found


def _run(arguments: list[str]) -> subprocess.CompletedProcess:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--virtual-time-budget={VIRTUAL_TIME_MS}",
        *arguments,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )


def print_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print ``html_path`` to ``pdf_path`` as Chromium prints it (A4/Letter as the page sets)."""
    result = _run(["--no-pdf-header-footer", f"--print-to-pdf={pdf_path}", _url(html_path)])
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium printed no PDF of {html_path}: {result.stderr[-500:]}")
    return pdf_path


def render(html_path: Path) -> Rendered:
    """Open the page offline, let its scripts run, and return the DOM and console lines."""
    result = _run(["--enable-logging=stderr", "--v=0", "--dump-dom", _url(html_path)])
    console = tuple(line for line in result.stderr.splitlines() if ":CONSOLE" in line)
    return Rendered(result.stdout, console)


def screenshot(html_path: Path, png_path: Path, *, width: int = 1200, height: int = 1600) -> Path:
    """A PNG of the top of the page, for a reviewer."""
    _run([f"--screenshot={png_path}", f"--window-size={width},{height}", _url(html_path)])
    return png_path


def _url(path: Path) -> str:
    return Path(path).resolve().as_uri()
