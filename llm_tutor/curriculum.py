"""Curriculum entries (curriculum/entries/<id>.json): loading and validation."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

REQUIRED_KEYS = ("id", "code", "level", "strand", "sub_strand", "title", "explanation")
LIST_KEYS = ("objectives", "common_mistakes", "keywords")


class CurriculumError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    id: str
    code: str
    level: str
    strand: str
    sub_strand: str
    title: str
    explanation: str
    example: str = ""
    objectives: tuple[str, ...] = field(default_factory=tuple)
    common_mistakes: tuple[str, ...] = field(default_factory=tuple)
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def embedding_text(self) -> str:
        """What the vector index sees: title, keywords, objectives and the explanation."""
        parts = [
            self.title,
            self.sub_strand,
            "; ".join(self.keywords),
            "; ".join(self.objectives),
            self.explanation,
        ]
        return "\n".join(p for p in parts if p)

    def lexical_text(self) -> str:
        return " ".join([self.title, " ".join(self.keywords), self.sub_strand, self.explanation])

    def reference(self) -> dict:
        return {"id": self.id, "code": self.code, "title": self.title}

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "code": self.code,
            "level": self.level,
            "strand": self.strand,
            "sub_strand": self.sub_strand,
            "title": self.title,
            "explanation": self.explanation,
            "example": self.example,
            "objectives": list(self.objectives),
            "common_mistakes": list(self.common_mistakes),
            "keywords": list(self.keywords),
        }

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "") -> Entry:
        if not isinstance(data, dict):
            raise CurriculumError(f"{source}: not a JSON object")
        for key in REQUIRED_KEYS:
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                raise CurriculumError(f"{source}: '{key}' must be a non-empty string")
        lists = {}
        for key in LIST_KEYS:
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CurriculumError(f"{source}: '{key}' must be a list of strings")
            lists[key] = tuple(v.strip() for v in value if v.strip())
        example = data.get("example", "")
        if not isinstance(example, str):
            raise CurriculumError(f"{source}: 'example' must be a string")
        return cls(
            id=data["id"].strip(),
            code=data["code"].strip(),
            level=data["level"].strip(),
            strand=data["strand"].strip(),
            sub_strand=data["sub_strand"].strip(),
            title=data["title"].strip(),
            explanation=data["explanation"].strip(),
            example=example,
            **lists,
        )


def entries_dir(root: Path | None = None) -> Path:
    root = Path(root or settings.CURRICULUM_DIR)
    return root / "entries" if (root / "entries").is_dir() else root


def load_entries(root: Path | None = None, *, strict: bool = True) -> list[Entry]:
    """All entries sorted by id. ``strict`` raises on the first bad file; otherwise bad files are skipped."""
    folder = entries_dir(root)
    entries: list[Entry] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entry = Entry.from_dict(data, source=path.name)
            if entry.id != path.stem:
                raise CurriculumError(f"{path.name}: id '{entry.id}' does not match the file name")
            if entry.id in seen:
                raise CurriculumError(f"{path.name}: duplicate id")
        except (OSError, json.JSONDecodeError, CurriculumError) as exc:
            if strict:
                raise CurriculumError(str(exc)) from exc
            continue
        seen.add(entry.id)
        entries.append(entry)
    return entries


def content_hash(entries: list[Entry], model_name: str) -> str:
    digest = hashlib.sha256(model_name.encode())
    for entry in entries:
        digest.update(json.dumps(entry.to_dict(), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]
