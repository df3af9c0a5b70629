"""docs/architecture.md names files that exist and the table owners the code has."""

from __future__ import annotations

import re
from pathlib import Path

from tests.unit.test_table_owners import OWNERS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_file_the_architecture_page_names_exists() -> None:
    named = set(re.findall(r"`((?:mediator_actors|supervisors)/[\w/]+\.py)`", DOC))
    assert named, "the page names no files"
    assert sorted(p for p in named if not (ROOT / p).is_file()) == []


def test_the_reading_order_names_existing_files_in_the_package() -> None:
    section = DOC.split("### Reading order", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [int(r.split("|")[1]) for r in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        files = re.findall(r"`([\w/]+\.py)`", row)
        assert files, row
        folder = None
        for name in files:
            # "records.py, events.py" after a full path: same folder as the one before
            path = Path(name) if "/" in name else folder / name  # type: ignore[operator]
            folder = path.parent
            assert (ROOT / path).is_file(), f"{path} (reading order: {row})"


def test_the_storage_section_lists_each_tables_owner_as_the_code_does() -> None:
    section = DOC.split("## Storage", 1)[1]
    listed: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[1].startswith("`"):
            continue
        owner = cells[1].strip("`")
        for table in re.findall(r"`(\w+)`", cells[0]):
            if table.islower():  # queue names in the jobs row are upper case
                listed[table] = owner
    assert listed == {t: m for t, m in OWNERS.items() if t != "sqlite_master"}
