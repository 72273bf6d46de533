"""Re-keying and date handling for a research partner's extract.

Each partner gets its own key, derived from the district's pseudonym key and the partner's
name: ``HMAC-SHA256(district key, "research partner:" + name)``. Every pseudonym of an
extract is keyed again with it, so the same student has the same id in every table of one
partner's extract (tables still join) and in the same partner's next extract, but two
partners' ids cannot be matched without the district's key, nor traced back to the
warehouse's pseudonyms.

Dates of the people an extract describes are kept, shifted or coarsened:

- ``keep``: as recorded;
- ``shift``: moved by a number of days drawn per person (the same for all of a person's
  dates, so the intervals between them survive) within ``shift_days`` either way;
- ``month``: the first day of the month; ``year``: the first day of the year.
"""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from pipelines.ingest.pseudonymize import PSEUDONYM_HEX_DIGITS

#: The date policies an extract may apply, as the command line names them.
DATE_POLICIES = ("keep", "shift", "month", "year")

_PARTNER_CONTEXT = b"research partner:"
_SHIFT_CONTEXT = "date shift:"


def partner_key(district_key: bytes, partner: str) -> bytes:
    """The partner's own key; partner names differing only in case share one key."""
    message = _PARTNER_CONTEXT + partner.strip().lower().encode("utf-8")
    return hmac.new(district_key, message, hashlib.sha256).digest()


def rekey(values: pd.Series, key: bytes) -> pd.Series:
    """Each pseudonym keyed again with ``key``; empty values stay empty.

    Distinct values are hashed once and mapped, as ingestion does: a mart has many rows
    per person.
    """
    distinct = values.dropna().unique()
    mapping = {
        value: hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()[
            :PSEUDONYM_HEX_DIGITS
        ]
        for value in distinct
    }
    return values.map(mapping).astype(object).where(values.notna(), None)


def shift_days_by_person(persons: pd.Series, key: bytes, shift_days: int) -> pd.Series:
    """Each row's offset in days, drawn from the person's id with the partner's key:
    between ``-shift_days`` and ``shift_days``, never 0 so every date moves."""
    span = 2 * shift_days

    def offset(person: object) -> int:
        digest = hmac.new(key, f"{_SHIFT_CONTEXT}{person}".encode(), hashlib.sha256).digest()
        drawn = int.from_bytes(digest[:8], "big") % span  # 0 .. span - 1
        return drawn - shift_days + (1 if drawn >= shift_days else 0)

    mapping = {person: offset(person) for person in persons.dropna().unique()}
    return persons.map(mapping).fillna(0).astype("int64")


def apply_date_policy(
    dates: pd.Series,
    policy: str,
    *,
    offsets: pd.Series | None = None,
) -> pd.Series:
    """A date (or timestamp) column under ``policy``; ``offsets`` (days) for ``shift``."""
    if policy not in DATE_POLICIES:
        raise ValueError(f"unknown date policy {policy!r}; use one of {DATE_POLICIES}")
    if policy == "keep":
        return dates
    stamps = pd.to_datetime(dates)
    if policy == "shift":
        if offsets is None:
            raise ValueError("shifting dates needs each row's offset")
        return stamps + pd.to_timedelta(offsets.to_numpy(), unit="D")
    if policy == "month":
        return stamps.dt.to_period("M").dt.to_timestamp()
    return stamps.dt.to_period("Y").dt.to_timestamp()
