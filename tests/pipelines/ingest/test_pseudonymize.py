import os
import stat

import pytest

from pipelines.errors import InputError
from pipelines.ingest.pseudonymize import key_fingerprint, load_key, pseudonym, pseudonym_table


def test_same_identifier_and_key_give_the_same_pseudonym():
    assert pseudonym(b"k" * 32, "S1001") == pseudonym(b"k" * 32, " S1001 ")


def test_pseudonym_is_the_keyed_hmac_sha256_prefix():
    # Independently computed: HMAC-SHA256(key=b"secret-key-123456", msg=b"S1001")[:24]
    import hashlib
    import hmac

    expected = hmac.new(b"secret-key-123456", b"S1001", hashlib.sha256).hexdigest()[:24]
    assert pseudonym(b"secret-key-123456", "S1001") == expected
    assert len(expected) == 24


def test_different_keys_give_different_pseudonyms():
    assert pseudonym(b"a" * 32, "S1001") != pseudonym(b"b" * 32, "S1001")


def test_pseudonym_table_skips_missing_identifiers():
    table = pseudonym_table(b"k" * 32, ["S1", None, "S2"])
    assert table["original"] == ["S1", "S2"]
    assert len(table["pseudonym"]) == 2


def test_key_file_is_created_private_on_first_use(monkeypatch, tmp_path):
    monkeypatch.delenv("OUTCOMES_PSEUDONYM_KEY")
    key_file = tmp_path / "fresh" / "pseudonym.key"
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(key_file))
    first = load_key()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert load_key() == first
    assert len(first) == 64


def test_key_file_readable_by_others_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("OUTCOMES_PSEUDONYM_KEY")
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text("x" * 64)
    key_file.chmod(0o644)
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(key_file))
    with pytest.raises(InputError, match="chmod 600"):
        load_key()


def test_short_key_in_environment_is_refused(monkeypatch):
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "short")
    with pytest.raises(InputError, match="shorter than 16"):
        load_key()


def test_fingerprint_does_not_reveal_the_key():
    key = b"secret-key-123456"
    assert key.decode() not in key_fingerprint(key)
    assert len(key_fingerprint(key)) == 16
