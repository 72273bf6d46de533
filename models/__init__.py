"""Pure statistical and scenario models: frames in, frozen results out, no I/O.

Every estimator returns a ``models.results.Result`` (n, interval, method, warnings, one
tidy form); ``models.compare`` lines results up side by side. Models never open the
warehouse: ``pipelines.warehouse.marts`` loaders hand them plain frames. The estimators,
one module per concern (``models/README.md`` says which to use when):

- ``models.proportions``: two groups' shares (risk ratio, difference, odds ratio);
- ``models.effects``: treatment effects with selection and clustering, attrition;
- ``models.retention``: time to an event (Kaplan-Meier, Cox, Weibull time ratio);
- ``models.sensitivity``: E-values and placebo checks;
- ``models.reliability``: reviewers' agreement (ICC, Krippendorff's alpha) and severity;
- ``models.growth``: score growth with random effects, ordered LEARN levels;
- ``models.power``: minimum detectable effects and required sample sizes;
- ``models.multiplicity``: adjusted p-values for many claims;
- ``models.lottery``: a blocked, balanced lottery among a program's applicants;
- ``models.roi``: the ten-year benefit-cost model, its scenarios and the claim laid bare.
"""

from models.results import TIDY_COLUMNS, Result, Term, compare

__all__ = ["TIDY_COLUMNS", "Result", "Term", "compare"]
