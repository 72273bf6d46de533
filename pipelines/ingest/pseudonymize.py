"""Keyed pseudonyms for student and staff identifiers.

Every direct identifier a contract marks ``handling: pseudonymize`` is replaced, before
anything is stored, by ``HMAC-SHA256(key, identifier)`` shortened to 24 hex digits (96 bits:
collisions are negligible for any district). The same identifier always gets the same
pseudonym under the same key, so tables still join; without the key nobody can recompute
or reverse it, which a plain hash of a short student number would not prevent.

The key comes from ``OUTCOMES_PSEUDONYM_KEY`` or from a key file (``OUTCOMES_KEY_FILE``,
default ``~/.config/studio-outcomes/pseudonym.key``) created with mode 0600 on first use.
It is never stored in the repository or in the warehouse; the warehouse keeps only a
fingerprint so that loading with a different key is caught instead of silently breaking
every join.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from pipelines.errors import InputError

KEY_ENV = "OUTCOMES_PSEUDONYM_KEY"
KEY_FILE_ENV = "OUTCOMES_KEY_FILE"
PSEUDONYM_HEX_DIGITS = 24


def default_key_file() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "studio-outcomes" / "pseudonym.key"


def load_key() -> bytes:
    """The pseudonymization key: from the environment, else the key file (created if absent)."""
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        if len(from_env) < 16:
            raise InputError(
                KEY_ENV,
                "the pseudonym key is shorter than 16 characters",
                "use a long random value, e.g. the output of `openssl rand -hex 32`",
            )
        return from_env.encode("utf-8")
    path = Path(os.environ.get(KEY_FILE_ENV) or default_key_file())
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: two first ingests at once must not both write a different key.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    if path.stat().st_mode & 0o077:
        raise InputError(
            path,
            "the pseudonym key file can be read by other users",
            f"run `chmod 600 {path}`",
        )
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def key_fingerprint(key: bytes) -> str:
    """A short public value that identifies the key without revealing it."""
    return hmac.new(key, b"studio-outcomes key fingerprint", hashlib.sha256).hexdigest()[:16]


def pseudonym(key: bytes, identifier: str) -> str:
    """The pseudonym of one identifier (surrounding spaces are not part of an id)."""
    digest = hmac.new(key, identifier.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX_DIGITS]


def pseudonym_table(key: bytes, identifiers: Iterable[str]) -> dict[str, list[str]]:
    """Columns ``original`` and ``pseudonym`` for a set of distinct identifiers.

    Ingestion hashes each distinct identifier once and joins, instead of hashing every
    row: an attendance file has millions of rows but only thousands of students.
    """
    originals = [i for i in identifiers if i is not None]
    return {"original": originals, "pseudonym": [pseudonym(key, i) for i in originals]}
