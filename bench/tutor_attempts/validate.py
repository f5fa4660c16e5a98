"""Check the structure of the labelled tutor attempts (steps.json + attempts.jsonl) and print counts.

    python bench/tutor_attempts/validate.py

Exits 1 with the list of problems if any; stdlib only.
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGUAGES = {"html", "css", "js"}
VARIANTS = {"formatting", "different_solution", "same"}
STEP_FIELDS = ("key", "title", "language", "instructions", "starter_code", "expected_code", "curriculum_ids", "checks")
CHECK_KINDS = {
    "html.well_formed",
    "html.element",
    "html.attribute",
    "html.text",
    "css.parses",
    "css.declaration",
    "js.parses",
    "js.calls",
    "js.behaviour",
}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def curriculum_ids() -> set[str]:
    folder = HERE.parents[1] / "curriculum" / "entries"
    return {path.stem for path in folder.glob("*.json")}


def step_language(step: dict) -> str:
    # Seeded steps carry no definition here; their keys start with the language.
    return step.get("language") or step["key"].split("-", 1)[0]


def check_steps(steps: list, known_ids: set[str], problems: list[str]) -> dict:
    by_key = {}
    for step in steps:
        key = step.get("key")
        if not key or key in by_key:
            problems.append(f"step key missing or repeated: {key!r}")
            continue
        by_key[key] = step
        if "seed" in step:
            seed = step["seed"]
            if not (isinstance(seed.get("lesson"), str) and isinstance(seed.get("step_number"), int)):
                problems.append(f"{key}: seed needs lesson (str) and step_number (int)")
            if step_language(step) not in LANGUAGES:
                problems.append(f"{key}: seeded step key must start with html-, css- or js-")
            continue
        for field in STEP_FIELDS:
            if field not in step:
                problems.append(f"{key}: missing {field}")
        if step.get("language") not in LANGUAGES:
            problems.append(f"{key}: language must be one of {sorted(LANGUAGES)}")
        if step.get("language") in ("css", "js") and not step.get("page_html"):
            problems.append(f"{key}: css/js steps need page_html")
        for cid in step.get("curriculum_ids", []):
            if cid not in known_ids:
                problems.append(f"{key}: unknown curriculum id {cid}")
        check_ids = set()
        for check in step.get("checks", []):
            cid = check.get("id", "")
            if not SLUG.match(cid) or cid in check_ids:
                problems.append(f"{key}: check id missing, not a slug or repeated: {cid!r}")
            check_ids.add(cid)
            if check.get("kind") not in CHECK_KINDS:
                problems.append(f"{key}/{cid}: unknown kind {check.get('kind')!r}")
            message = check.get("message", "")
            if not message.strip():
                problems.append(f"{key}/{cid}: empty message")
            expected_lines = [
                line.strip() for line in step.get("expected_code", "").splitlines() if len(line.strip()) > 8
            ]
            if any(line in message for line in expected_lines):
                problems.append(f"{key}/{cid}: message contains a line of the expected code")
        if not step.get("checks"):
            problems.append(f"{key}: no checks")
    return by_key


def check_attempts(rows: list, by_key: dict, problems: list[str]) -> None:
    seen = set()
    for number, row in enumerate(rows, start=1):
        rid = row.get("id")
        where = f"attempts line {number} ({rid})"
        if not rid or rid in seen:
            problems.append(f"{where}: id missing or repeated")
        seen.add(rid)
        if row.get("step") not in by_key:
            problems.append(f"{where}: unknown step {row.get('step')!r}")
        if not isinstance(row.get("code"), str) or not row["code"].strip():
            problems.append(f"{where}: empty code")
        label = row.get("label")
        if label == "correct":
            if row.get("variant") not in VARIANTS:
                problems.append(f"{where}: correct attempts need variant in {sorted(VARIANTS)}")
            if "mistake" in row or "hint_keywords" in row:
                problems.append(f"{where}: correct attempts carry no mistake/hint_keywords")
        elif label == "mistake":
            if not row.get("mistake") or not SLUG.match(row["mistake"].replace("_", "-")):
                problems.append(f"{where}: mistakes need a short mistake id")
            keywords = row.get("hint_keywords")
            if not keywords or not all(isinstance(k, str) and k == k.lower() and k.strip() for k in keywords):
                problems.append(f"{where}: hint_keywords must be a non-empty list of lower-case strings")
            # A keyword found in the student's own code would match any hint that just quotes their line.
            for keyword in keywords or []:
                if isinstance(keyword, str) and keyword in row.get("code", "").lower():
                    problems.append(f"{where}: hint keyword {keyword!r} occurs in the student's code")
        else:
            problems.append(f"{where}: label must be correct or mistake")
    codes = Counter((row.get("step"), row.get("code")) for row in rows)
    for (step, _code), count in codes.items():
        if count > 1:
            problems.append(f"{step}: the same code appears {count} times")


def table(title: str, counter: Counter) -> None:
    print(f"\n{title}")
    for key, value in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        print(f"  {str(key):<28} {value}")


def main() -> int:
    steps = json.loads((HERE / "steps.json").read_text())
    rows = [json.loads(line) for line in (HERE / "attempts.jsonl").read_text().splitlines() if line.strip()]
    problems: list[str] = []
    by_key = check_steps(steps, curriculum_ids(), problems)
    check_attempts(rows, by_key, problems)

    correct = [r for r in rows if r.get("label") == "correct"]
    different = [r for r in correct if r.get("variant") in ("formatting", "different_solution")]
    language_of = {key: step_language(step) for key, step in by_key.items()}
    print(
        f"steps: {len(steps)} ({sum('seed' in s for s in steps)} seeded, {sum('seed' not in s for s in steps)} defined here)"
    )
    print(
        f"attempts: {len(rows)}  correct: {len(correct)}  correct-but-different: {len(different)}  "
        f"mistakes: {len(rows) - len(correct)}"
    )
    table("steps per language", Counter(language_of.values()))
    table("attempts per language", Counter(language_of.get(r.get("step"), "?") for r in rows))
    table("attempts per label", Counter(r.get("label") for r in rows))
    table("correct attempts per variant", Counter(r.get("variant") for r in correct))
    table("attempts per step", Counter(r.get("step") for r in rows))
    table("mistakes per kind", Counter(r.get("mistake") for r in rows if r.get("label") == "mistake"))
    per_step = Counter(r.get("step") for r in rows)
    for key in by_key:
        if per_step[key] == 0:
            problems.append(f"{key}: no attempts")
        if not any(r.get("step") == key and r.get("label") == "correct" for r in rows):
            problems.append(f"{key}: no correct attempt")
        if not any(r.get("step") == key and r.get("label") == "mistake" for r in rows):
            problems.append(f"{key}: no mistake attempt")
    minimums = ((len(steps), 15, "steps"), (len(rows), 150, "attempts"), (len(different), 40, "correct-but-different"))
    for have, need, what in minimums:
        if have < need:
            problems.append(f"only {have} {what}; need at least {need}")
    if set(language_of.values()) != LANGUAGES:
        problems.append("steps must cover html, css and js")
    if problems:
        print("\nPROBLEMS:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
