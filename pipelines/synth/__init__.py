"""A synthetic district with known truth, written in the shapes districts send.

No real district data can ship, so the demo and the checks of every statistical model run on
a simulated district whose true effects are known (``truth.yaml``). The public API:

- :func:`generate_district` simulates and writes a district (or several) with a manifest of
  every file and every injected defect;
- :func:`simulate_district` returns the clean frames without writing anything;
- :func:`load_truth` reads the default truth, optionally overridden by a YAML file.
"""

from pipelines.synth.district import (
    DEFAULT_SEED,
    DistrictFrames,
    SynthResult,
    generate_district,
    simulate_district,
)
from pipelines.synth.truth import Truth, TruthError, load_truth

__all__ = [
    "DEFAULT_SEED",
    "DistrictFrames",
    "SynthResult",
    "Truth",
    "TruthError",
    "generate_district",
    "load_truth",
    "simulate_district",
]
