"""Writing a report's files: whole or not at all, readable by the district's staff."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pipelines.errors import InputError

#: Where reports go unless told otherwise (git-ignored).
DEFAULT_OUT = Path("reports/out")


def write_atomically(folder: Path, name: str, text: str) -> Path:
    """Write ``folder/name`` whole or not at all (a temporary file renamed into place)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, folder / name)
    except OSError as error:
        raise InputError(
            folder, f"cannot be written ({error.strerror})", "choose a folder you can write to"
        ) from error
    return folder / name


def print_pdf_atomically(html_path: Path, pdf_name: str) -> Path:
    """Print ``html_path`` to ``pdf_name`` beside it, whole or not at all."""
    from reports.browser import print_pdf

    folder = html_path.parent
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{pdf_name}.", suffix=".tmp")
    os.close(handle)
    try:
        print_pdf(html_path, Path(temporary))
        os.chmod(temporary, 0o644)
        os.replace(temporary, folder / pdf_name)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return folder / pdf_name
