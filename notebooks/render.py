"""Run the notebooks top to bottom against a warehouse and write each as an HTML page.

    python notebooks/render.py                      # every notebook, into notebooks/out/
    python notebooks/render.py roi_scenarios --db path/to/outcomes.duckdb

Each notebook is a jupytext percent file (``# %%`` cells). It is converted in memory,
executed by a kernel of this very interpreter (never a kernel registered elsewhere on the
machine, which could be another Python without this project), and written with its
outputs to ``notebooks/out/<name>.html``. The kernel starts in the repository's root and
imports the code beside the notebooks first. Plotly charts carry plotly.js inside the page,
so it opens offline.

Exit codes: 0 every notebook ran; 1 a cell failed (its error is printed); 2 no warehouse
(run ``make demo`` first) or an unknown notebook.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_OUT = HERE / "out"
DEFAULT_DB = Path("data/warehouse/outcomes.duckdb")
#: The kernel's name in a private kernel folder, so no other kernel of that name is found.
KERNEL_NAME = "studio-outcomes-render"
#: Seconds a single cell may run before the notebook counts as failed.
CELL_TIMEOUT = 300


def notebook_paths() -> list[Path]:
    """Every notebook: the ``.py`` files of this folder except this script."""
    return sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)


def warehouse_path(db: str | None) -> Path:
    """``--db``, else ``OUTCOMES_DB``, else the demo's warehouse, relative to the repository."""
    given = db or os.environ.get("OUTCOMES_DB")
    return Path(given).resolve() if given else REPO / DEFAULT_DB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to run (default: all)")
    parser.add_argument("--db", help="the warehouse (default: $OUTCOMES_DB or the demo's)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the HTML")
    args = parser.parse_args(argv)

    db = warehouse_path(args.db)
    if not db.exists():
        print(f"{db}: no warehouse here; run `make demo` first (or set OUTCOMES_DB)")
        return 2
    known = {p.stem: p for p in notebook_paths()}
    unknown = [name for name in args.names if Path(name).stem not in known]
    if unknown:
        print(f"no notebook {', '.join(unknown)}; the notebooks are {', '.join(known)}")
        return 2
    chosen = [known[Path(name).stem] for name in args.names] or list(known.values())

    # The kernel inherits this process's environment: the warehouse, the code beside the
    # notebooks, and plotly's "notebook" renderer, which writes plotly.js into the output.
    os.environ["OUTCOMES_DB"] = str(db)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    os.environ["PLOTLY_RENDERER"] = "notebook"
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as kernels:
        use_this_interpreter(Path(kernels))
        for path in chosen:
            try:
                written = render(path, args.out)
            except Exception as error:  # a failed cell: nbclient names the cell and the error
                print(f"{path.name}: failed\n{error}")
                return 1
            print(f"{path.name} -> {written}")
    return 0


def use_this_interpreter(folder: Path) -> None:
    """Write a kernel spec running ``sys.executable`` into ``folder`` and put it first on
    Jupyter's search path."""
    from ipykernel.kernelspec import write_kernel_spec

    write_kernel_spec(folder / "kernels" / KERNEL_NAME, overrides={"display_name": KERNEL_NAME})
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(folder), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )


def render(path: Path, out: Path) -> Path:
    """Execute one notebook in the repository's root and write its HTML page."""
    import jupytext
    import nbconvert
    from nbclient import NotebookClient

    notebook = jupytext.read(path, fmt="py:percent")
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(REPO)}},
    )
    client.execute()
    html, _ = nbconvert.HTMLExporter(template_name="lab").from_notebook_node(notebook)
    # The template links require.js and MathJax from a CDN; the pages need neither (plotly
    # is inlined) and must open offline, so those links are taken out.
    html = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', "", html)
    target = out / f"{path.stem}.html"
    target.write_text(html, encoding="utf-8")
    return target


if __name__ == "__main__":
    sys.exit(main())
