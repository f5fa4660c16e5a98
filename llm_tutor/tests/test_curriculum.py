import csv
import json
from pathlib import Path

import pytest
from django.conf import settings

from llm_tutor.curriculum import CurriculumError, Entry, load_entries

OUTLINE = Path("/work/shared/curriculum-outline/outline.tsv")


def test_every_entry_is_valid():
    entries = load_entries()
    assert len(entries) >= 40
    assert len({e.id for e in entries}) == len(entries)
    assert len({e.code for e in entries}) == len(entries)


@pytest.mark.skipif(not OUTLINE.exists(), reason="outline not present on this machine")
def test_every_outline_row_has_its_entry():
    with OUTLINE.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    by_id = {e.id: e for e in load_entries()}
    missing = [row["id"] for row in rows if row["id"] not in by_id]
    assert not missing, f"outline rows without an entry: {missing}"
    for row in rows:
        entry = by_id[row["id"]]
        for key in ("code", "level", "strand", "sub_strand", "title"):
            assert getattr(entry, key) == row[key].strip(), (row["id"], key)


def test_invalid_entries_are_rejected(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps({"id": "x", "code": "C"}))
    with pytest.raises(CurriculumError):
        load_entries(tmp_path)
    assert load_entries(tmp_path, strict=False) == []
    with pytest.raises(CurriculumError):
        Entry.from_dict(
            {
                "id": "x",
                "code": "c",
                "level": "B7",
                "strand": "s",
                "sub_strand": "s",
                "title": "t",
                "explanation": "e",
                "keywords": "not a list",
            }
        )


def test_entry_file_name_must_match_id(tmp_path):
    data = json.loads(next((settings.CURRICULUM_DIR / "entries").glob("*.json")).read_text())
    (tmp_path / "other.json").write_text(json.dumps(data))
    with pytest.raises(CurriculumError):
        load_entries(tmp_path)
