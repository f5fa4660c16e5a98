import csv
import json
from pathlib import Path

import pytest
from django.conf import settings

from conftest import need_service
from llm_tutor.curriculum import CurriculumError, Entry, load_entries

# The outline lives outside the repository (../shared, beside every checkout and CI's clone);
# a copy is kept here so the entries are checked against it even where ../shared is absent.
SHARED_OUTLINE = settings.BASE_DIR.parent / "shared" / "curriculum-outline" / "outline.tsv"
OUTLINE = Path(__file__).parent / "data" / "outline.tsv"
EVAL_DIR = settings.BASE_DIR / "bench" / "tutor_eval"


def outline_rows(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_every_entry_is_valid():
    entries = load_entries()
    assert len(entries) >= 40
    assert len({e.id for e in entries}) == len(entries)
    assert len({e.code for e in entries}) == len(entries)


def test_every_outline_row_has_its_entry():
    rows = outline_rows(OUTLINE)
    assert len(rows) >= 40
    by_id = {e.id: e for e in load_entries()}
    missing = [row["id"] for row in rows if row["id"] not in by_id]
    assert not missing, f"outline rows without an entry: {missing}"
    for row in rows:
        entry = by_id[row["id"]]
        for key in ("code", "level", "strand", "sub_strand", "title"):
            assert getattr(entry, key) == row[key].strip(), (row["id"], key)
        assert 2 <= len(entry.objectives) <= 4, row["id"]
        assert 80 <= len(entry.explanation.split()) <= 200, (row["id"], len(entry.explanation.split()))
        assert entry.common_mistakes and entry.keywords, row["id"]


def test_repository_copy_of_the_outline_is_current():
    if not SHARED_OUTLINE.exists():
        need_service(f"the shared curriculum outline at {SHARED_OUTLINE}")
    assert outline_rows(OUTLINE) == outline_rows(SHARED_OUTLINE)


def eval_rows() -> list[dict]:
    return [
        json.loads(line)
        for path in sorted(EVAL_DIR.glob("*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def test_evaluation_set_is_large_enough_and_names_real_entries():
    rows = eval_rows()
    ids = {e.id for e in load_entries()}
    assert len(rows) >= 40
    assert all(row["question"].strip() and row["expected_ids"] for row in rows)
    unknown = sorted({i for row in rows for i in row["expected_ids"]} - ids)
    assert not unknown, f"evaluation rows name entries that do not exist: {unknown}"


def test_retrieval_finds_the_expected_entry_in_the_top_five_for_nine_questions_in_ten(curriculum_index):
    """A quality floor for the real model + FAISS + BM25 (the figures themselves: bench/bench_tutor.py)."""
    from llm_tutor.retrieval import retrieve

    rows = eval_rows()
    found = 0
    for row in rows:
        hits, _ = retrieve(row["question"], k=5, use_cache=False)
        found += bool({h.entry.id for h in hits} & set(row["expected_ids"]))
    assert found / len(rows) >= 0.9


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
