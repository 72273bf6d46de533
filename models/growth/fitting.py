"""What both growth models share: a Wald term, the fit's warnings in plain words, and the
check that a column the model reads is complete and numeric."""

from __future__ import annotations

import math
import warnings as python_warnings

from scipy import stats

from models.results import Term


def wald_term(
    name: str,
    estimate: float,
    error: float,
    z: float,
    with_interval: bool,
    extra: tuple[tuple[str, float], ...] = (),
) -> Term:
    """A coefficient's term: its Wald interval and p-value at ``z``, or the estimate (and
    its error, when finite) alone where intervals are withheld."""
    if not with_interval or not math.isfinite(error) or error == 0:
        return Term(name, float(estimate), error if math.isfinite(error) else None, extra=extra)
    return Term(
        name,
        float(estimate),
        float(error),
        float(estimate - z * error),
        float(estimate + z * error),
        float(2 * stats.norm.sf(abs(estimate / error))),
        extra=extra,
    )


def plain_sentences(caught: list[python_warnings.WarningMessage]) -> list[str]:
    """Each distinct warning the fit raised, as one sentence."""
    sentences = []
    for warning in caught:
        text = " ".join(str(warning.message).split())
        if "boundary of the parameter space" in text:
            sentence = (
                "a random-effect variance is estimated at zero: the data show no differences "
                "between those groups beyond noise."
            )
        else:
            sentence = f"the fit warned: {text.rstrip('.')}."
        if sentence not in sentences:
            sentences.append(sentence)
    return sentences
