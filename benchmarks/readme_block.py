"""Each benchmark writes its table into ``benchmarks/README.md`` between its own markers
(``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``), so a rerun replaces only its block."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def replace_block(name: str, table: str, *, heading: str, readme: Path = README) -> None:
    """Put ``table`` between ``name``'s markers; a new section under ``heading`` when the
    README has none yet."""
    begin, end = markers(name)
    text = readme.read_text(encoding="utf-8")
    block = f"{begin}\n{table.rstrip()}\n{end}"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n## {heading}\n\n{block}\n"
    readme.write_text(text, encoding="utf-8")
