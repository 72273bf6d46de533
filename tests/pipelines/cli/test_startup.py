"""``outcomes --help`` answers at once: importing the command line loads click and the
project's light modules, and each command imports its libraries only when it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

#: Libraries that take from a tenth of a second to seconds to import, and the pure models
#: (which import numpy, pandas and scipy).
HEAVY = (
    "duckdb",
    "great_expectations",
    "models",
    "numpy",
    "pandas",
    "plotly",
    "polars",
    "scipy",
    "statsmodels",
)

LOADED_TOP_LEVEL = (
    "import json, sys\n"
    "import pipelines.cli\n"
    "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
)


def test_importing_the_command_line_loads_no_heavy_library():
    # A fresh interpreter: this test session has imported them all already.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", LOADED_TOP_LEVEL],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(json.loads(done.stdout))
    leaked = [name for name in HEAVY if name in loaded]
    assert leaked == [], (
        f"importing pipelines.cli loaded {', '.join(leaked)}: a command imports what it "
        "runs inside its function"
    )
