"""Same seed, same bytes; another seed, other data; several districts never share a key."""

from __future__ import annotations

import json

import polars as pl

from pipelines.synth import generate_district

STUDENTS = 600


def _contents(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_writes_byte_identical_files(tmp_path):
    first = generate_district(tmp_path / "a", seed=7, students=STUDENTS)
    second = generate_district(tmp_path / "b", seed=7, students=STUDENTS)
    assert _contents(tmp_path / "a") == _contents(tmp_path / "b")
    assert first.row_counts == second.row_counts


def test_different_seed_writes_different_data(tmp_path):
    generate_district(tmp_path / "a", seed=7, students=STUDENTS)
    generate_district(tmp_path / "b", seed=8, students=STUDENTS)
    first, second = _contents(tmp_path / "a"), _contents(tmp_path / "b")
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert "sis_session_attendance.csv" in differing
    assert len(differing) > len(first) // 2


def test_several_districts_get_their_own_folders_and_keys(tmp_path):
    result = generate_district(tmp_path, seed=7, students=400, districts=2)
    listing = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert [d["district_id"] for d in listing["districts"]] == ["d01", "d02"]
    assert [p.name for p in result.district_dirs] == ["d01", "d02"]
    ids = [
        set(pl.read_csv(folder / "sis_students_2023-24.csv", infer_schema=False)["Student Number"])
        for folder in result.district_dirs
    ]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
