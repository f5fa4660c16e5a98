"""AI tutor bench: index build time, retrieval latency (cold and cached), tutor overhead without
the LLM's own time, and retrieval quality on the evaluation set. Prints tables; not a test.

    python bench/bench_tutor.py [--runs 60] [--attempts-only]

Step checks: every labelled attempt of bench/tutor_attempts/ (seed_demo's steps plus the extra
steps of steps.json) goes through the tutor's real update path (offline); printed are false
alarms, mistakes passed as correct, specific hint precision, leaks, latency and sandbox cost.

Runs in-process on a fresh data directory (SQLite, a freshly built index). "Cold" retrieval
means the query was never seen (it is embedded); "cached" means the LRU answered. Tutor
overhead = diff + retrieval + prompt + post-check for one code update, with the LLM's own
time excluded (measured with no LLM and with a local Ollama-protocol server).
Quality: recall@1, recall@5 and MRR over bench/tutor_eval/*.jsonl, a hit being any of a
question's expected ids; vector-only and hybrid (vector + BM25) side by side.
"""

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
WORK = Path(tempfile.mkdtemp(prefix="mrict-bench-tutor-"))
os.environ.update(DATA_DIR=str(WORK), MEDIA_ROOT=str(WORK / "media"), MRICT_TESTING="1", REDIS_URL="")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from llm_tutor import retrieval  # noqa: E402
from llm_tutor.index import build_index, get_index, get_model, loader  # noqa: E402

EVAL_DIR = BASE_DIR / "bench" / "tutor_eval"
ATTEMPTS_DIR = BASE_DIR / "bench" / "tutor_attempts"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def table(title: str, rows: list[tuple], header: tuple) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    line = "  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def load_eval() -> list[dict]:
    rows = []
    for path in sorted(EVAL_DIR.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def quality(
    rows: list[dict],
    *,
    hybrid: bool = True,
    weight: float | None = None,
    level_of=None,
    level_mode: str | None = None,
    penalty: float | None = None,
    boost_of=None,
    boost: float | None = None,
) -> dict:
    saved = retrieval.BM25_WEIGHT, retrieval.LEVEL_PENALTY, retrieval.BOOST
    if boost is not None:
        retrieval.BOOST = boost
    if weight is not None:
        retrieval.BM25_WEIGHT = weight
    if penalty is not None:
        retrieval.LEVEL_PENALTY = penalty
    try:
        r1 = r5 = mrr = 0.0
        for row in rows:
            level = level_of(row) if level_of else None
            hits, _ = retrieval.retrieve(
                row["question"],
                k=10,
                hybrid=hybrid,
                use_cache=False,
                level=level,
                level_mode=level_mode,
                boost_ids=boost_of(row) if boost_of else (),
            )
            ids = [h.entry.id for h in hits]
            expected = set(row["expected_ids"])
            rank = next((i + 1 for i, entry_id in enumerate(ids) if entry_id in expected), None)
            r1 += rank == 1
            r5 += rank is not None and rank <= 5
            mrr += 1 / rank if rank else 0
    finally:
        retrieval.BM25_WEIGHT, retrieval.LEVEL_PENALTY, retrieval.BOOST = saved
    n = len(rows)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr": mrr / n}


OFF_TOPIC = [
    "what is the capital of France",
    "who won the africa cup of nations",
    "how do I cook waakye",
    "tell me a joke",
    "what is photosynthesis",
    "solve 2x + 3 = 11",
    "who is the president of ghana",
    "how many legs does a spider have",
    "translate hello to french",
    "what time is it",
    "how do I play football well",
    "what is the meaning of life",
    "explain the water cycle",
    "who wrote things fall apart",
    "how do volcanoes erupt",
    "hi",
    "asdfgh",
    "ok thanks",
]


def bench_off_topic(rows: list[dict]) -> list[tuple]:
    from llm_tutor.services import MIN_ASK_SCORE

    def top(question):
        hits, _ = retrieval.retrieve(question, k=1, use_cache=False)
        return hits[0].score if hits else 0.0

    in_domain = [top(row["question"]) for row in rows]
    off = [top(q) for q in OFF_TOPIC]
    return [
        (
            "eval questions (on the curriculum)",
            len(in_domain),
            sum(s < MIN_ASK_SCORE for s in in_domain),
            f"{min(in_domain):.3f}",
        ),
        ("off-topic questions", len(off), sum(s < MIN_ASK_SCORE for s in off), f"{min(off):.3f}"),
    ]


def bench_build() -> list[tuple]:
    started = time.perf_counter()
    get_model()
    model_seconds = time.perf_counter() - started
    first = build_index(force=True, root=WORK / "index-first")
    rebuilds = [build_index(force=True, root=WORK / f"index-rebuild-{i}") for i in range(3)]
    live = build_index()  # the live one, under settings.CURRICULUM_INDEX_DIR
    unchanged = build_index()
    loader.reset()
    started = time.perf_counter()
    index = get_index()
    load_seconds = time.perf_counter() - started
    rebuild_ms = sorted(r.seconds * 1000 for r in rebuilds)[1]
    return [
        ("embedding model load (once per process)", f"{model_seconds * 1000:.0f} ms"),
        (f"index build, {first.count} entries, first in process (warm-up)", f"{first.seconds * 1000:.0f} ms"),
        (f"index build, {live.count} entries, model warm (median of 3)", f"{rebuild_ms:.0f} ms"),
        ("build_curriculum_index when the content is unchanged", f"{unchanged.seconds * 1000:.1f} ms"),
        (f"index load from disk (version {index.version})", f"{load_seconds * 1000:.1f} ms"),
    ]


def bench_retrieval(rows: list[dict]) -> list[tuple]:
    questions = [row["question"] for row in rows]
    retrieval.clear_cache()
    retrieval.retrieve("warm up the model once", k=5)
    cold, cold_cpu, cached = [], [], []
    for question in questions:
        started, cpu = time.perf_counter(), time.process_time()
        retrieval.retrieve(question, k=5)
        cold.append((time.perf_counter() - started) * 1000)
        cold_cpu.append((time.process_time() - cpu) * 1000)
    for question in questions:
        started = time.perf_counter()
        _, was_cached = retrieval.retrieve(question, k=5)
        cached.append((time.perf_counter() - started) * 1000)
        assert was_cached
    return [
        ("cold (query embedded), wall", len(cold), f"{pct(cold, 0.5):.2f}", f"{pct(cold, 0.95):.2f}"),
        ("cold (query embedded), CPU*", len(cold), f"{pct(cold_cpu, 0.5):.2f}", f"{pct(cold_cpu, 0.95):.2f}"),
        ("cached (LRU), wall", len(cached), f"{pct(cached, 0.5):.3f}", f"{pct(cached, 0.95):.3f}"),
    ]


def make_lesson():
    from accounts.models import User
    from courses.models import Course, Lesson, LessonStep, Module, PublishStatus

    published = PublishStatus.PUBLISHED
    course = Course.objects.create(title="Web basics", level="B8", status=published)
    module = Module.objects.create(course=course, title="HTML", status=published)
    lesson = Lesson.objects.create(module=module, title="Images", status=published)
    LessonStep.objects.create(
        lesson=lesson,
        step_number=1,
        title="Add an image",
        instructions="Add the kente image with good alt text, then a paragraph about kente and a list of colours.",
        starter_code="<h1>Welcome to Kumasi</h1>\n",
        expected_code=(
            '<h1>Welcome to Kumasi</h1>\n<img src="kente.jpg" alt="A colourful kente cloth">\n'
            "<p>Kente is woven by hand.</p>\n<ul>\n  <li>gold</li>\n  <li>green</li>\n</ul>"
        ),
        curriculum_ids=["a11y-alt-text"],
    )
    student = User.objects.create_user(email="bench-student@example.com", password="x" * 12)
    return lesson, student


def student_codes(count: int) -> list[str]:
    variants = [
        '<h1>Welcome to Kumasi</h1>\n<img src="kente.jpg">\n<p>Kente is woven by hand.</p>',
        "<h1>Welcome to Kumasi</h1>\n<img src=kente.jpg alt=kente>\n<p>Kente is woven by hand",
        "<h1>Welcome to Kumasi\n<imge src='kente.jpg'>",
        "<h1>Welcome to Kumasi</h1>\n<p style='colr: red'>Kente</p>\n<ul><li>gold</li>",
    ]
    return [f"{variants[i % len(variants)]}\n<!-- try {i} -->\n<p>note {i}</p>" for i in range(count)]


def bench_overhead(runs: int) -> list[tuple]:
    from llm_tutor.ollama import breaker
    from llm_tutor.services import start_update
    from llm_tutor.tests.fake_ollama import MODEL, FakeOllama

    lesson, student = make_lesson()
    codes = student_codes(runs)
    out = []
    server = FakeOllama().start()
    try:
        for label, model in (("no LLM (offline)", ""), ("Ollama-protocol server, LLM time excluded", MODEL)):
            settings.OLLAMA_MODEL = model
            settings.OLLAMA_BASE_URL = server.url
            breaker.reset()
            retrieval.clear_cache()
            from django.core.cache import cache

            cache.clear()
            parts: dict[str, list[float]] = {"diff": [], "retrieval": [], "prompt+check": [], "overhead": []}
            server_side = []
            for code in codes:
                result = start_update(student, lesson_id=lesson.lesson_id, step=1, code=code).run()
                t = result.timings
                core = t["diff_ms"] + t["retrieval_ms"] + t.get("prompt_ms", 0) + t["check_ms"]
                parts["diff"].append(t["diff_ms"])
                parts["retrieval"].append(t["retrieval_ms"])
                parts["prompt+check"].append(t.get("prompt_ms", 0) + t["check_ms"])
                parts["overhead"].append(core)
                server_side.append(t["overhead_ms"])
            out.append(
                (
                    label,
                    runs,
                    f"{pct(parts['diff'], 0.5):.2f}",
                    f"{pct(parts['retrieval'], 0.5):.2f}",
                    f"{pct(parts['prompt+check'], 0.5):.2f}",
                    f"{pct(parts['overhead'], 0.5):.2f}",
                    f"{pct(parts['overhead'], 0.95):.2f}",
                    f"{pct(server_side, 0.5):.2f}",
                )
            )
        # A question is new text every time: its embedding is the cost (no LLM).
        from llm_tutor.services import start_ask

        settings.OLLAMA_MODEL = ""
        retrieval.clear_cache()
        ask_times = []
        for number, row in enumerate(load_eval()[:runs]):
            turn = start_ask(student, question=f"{row['question']} ({number})")
            result = turn.run()
            t = result.timings
            ask_times.append(t["retrieval_ms"] + t.get("prompt_ms", 0) + t["check_ms"] + t.get("diff_ms", 0))
        out.append(
            (
                "question (ask), new text each time, no LLM",
                len(ask_times),
                "-",
                "(in overhead)",
                "-",
                f"{pct(ask_times, 0.5):.2f}",
                f"{pct(ask_times, 0.95):.2f}",
                "-",
            )
        )
    finally:
        server.stop()
        settings.OLLAMA_MODEL = ""
    return out


def load_attempt_steps() -> dict:
    """Step key -> LessonStep: seed_demo's steps (by lesson title and number) and the extra ones."""
    from courses.models import Course, Lesson, LessonStep, Module, PublishStatus
    from llm_tutor.checks import validate_checks

    call_command("seed_demo", "--no-recording", verbosity=0, stdout=open(os.devnull, "w"))
    published = PublishStatus.PUBLISHED
    course = Course.objects.create(title="Bench steps", level="B8", status=published)
    module = Module.objects.create(course=course, title="Bench", status=published)
    lesson = Lesson.objects.create(module=module, title="Bench steps", status=published)
    steps = {}
    definitions = json.loads((ATTEMPTS_DIR / "steps.json").read_text())
    number = 0
    for item in definitions:
        if "seed" in item:
            steps[item["key"]] = LessonStep.objects.select_related("lesson").get(
                lesson__title=item["seed"]["lesson"], step_number=item["seed"]["step_number"]
            )
            continue
        number += 1
        validate_checks(item["checks"])
        steps[item["key"]] = LessonStep.objects.create(
            lesson=lesson,
            step_number=number,
            title=item["title"],
            instructions=item["instructions"],
            starter_code=item.get("starter_code", ""),
            expected_code=item.get("expected_code", ""),
            language=item["language"],
            page_html=item.get("page_html", ""),
            curriculum_ids=item.get("curriculum_ids", []),
            checks=item["checks"],
        )
    return steps


def _leaked(reply: str, step, code: str) -> bool:
    """Independent of the guard: a line of the answer (8+ characters, not a lone closing tag) that
    the student does not already have, found verbatim (spacing ignored) in what they were shown
    outside the quotes of their own lines."""
    have = {" ".join(line.split()) for line in f"{step.starter_code}\n{code}".splitlines()}
    shown = " ".join(reply.split())
    for line in sorted(have, key=len, reverse=True):  # the student's own lines quoted back are theirs
        if len(line) >= 4:
            shown = shown.replace(line, " ")
    for line in step.expected_code.splitlines():
        line = " ".join(line.split())
        if re.fullmatch(r"</[A-Za-z0-9-]+>", line):
            continue  # "add </table>": the kept unclosed-tag hint names the tag, nothing more
        if len(line) >= 8 and line not in have and line in shown:
            return True
    return False


def bench_attempts() -> tuple[list[tuple], list[dict]]:
    from collections import Counter

    from accounts.models import User
    from llm_tutor.services import start_update

    settings.OLLAMA_MODEL = ""
    steps = load_attempt_steps()
    student = User.objects.get(email="student@mrict.local")
    attempts = [json.loads(line) for line in (ATTEMPTS_DIR / "attempts.jsonl").read_text().splitlines() if line.strip()]
    rows, totals, sandbox_ms = [], [], []
    cold = []
    # Pass 1 sees every step text and check message for the first time (each is embedded once per
    # process); pass 2, with retrieval's result cache emptied but embeddings kept, is what a class
    # of students meets after the first one. Quality figures come from pass 1, latency from pass 2.
    for attempt in attempts:
        step = steps[attempt["step"]]
        result = start_update(
            student, lesson_id=step.lesson.lesson_id, step=step.step_number, code=attempt["code"]
        ).run()
        cold.append(result.timings["total_ms"])
    retrieval._results.clear()
    for attempt in attempts:
        step = steps[attempt["step"]]
        turn = start_update(student, lesson_id=step.lesson.lesson_id, step=step.step_number, code=attempt["code"])
        result = turn.run()
        payload = result.payload
        totals.append(result.timings["total_ms"])
        sandbox_ms.extend(turn.evaluation.sandbox_runs)
        hints = payload["diff"]["hints"]
        shown = payload["explanation"] + " " + " ".join(c["message"] for c in payload["checks"])
        rows.append(
            {
                **attempt,
                "status": payload["status"],
                # What the student was shown: the diagnosis when the reply carries it (the guard may
                # have replaced the reply), else the whole explanation.
                "hint": hints[0] if hints and hints[0] in payload["explanation"] else payload["explanation"],
                "leak": _leaked(shown, step, attempt["code"]),
            }
        )
    correct = [r for r in rows if r["label"] == "correct"]
    mistakes = [r for r in rows if r["label"] == "mistake"]
    false_alarms = [r for r in correct if r["status"] != "correct"]
    passed = [r for r in mistakes if r["status"] == "correct"]
    modal = {}
    for key in {r["step"] for r in rows}:
        said = Counter(r["hint"] for r in rows if r["step"] == key and r["status"] != "correct")
        top = said.most_common(1)
        modal[key] = top[0][0] if top and top[0][1] > 1 else None
    for r in mistakes:
        named = any(k in r["hint"].lower() for k in r["hint_keywords"])
        r["specific"] = named and r["hint"] != modal[r["step"]] and r["status"] != "correct"
    specific = sum(r["specific"] for r in mistakes) / max(1, len(mistakes))
    leaks = sum(r["leak"] for r in rows)
    fa = len(false_alarms) / max(1, len(correct))
    mp = len(passed) / max(1, len(mistakes))
    p95 = pct(totals, 0.95)

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    table_rows = [
        (
            "false alarms (correct attempts not accepted)",
            f"{len(false_alarms)}/{len(correct)} = {fa:.1%}",
            "<= 3%",
            verdict(fa <= 0.03),
        ),
        ("mistakes passed as correct", f"{len(passed)}/{len(mistakes)} = {mp:.1%}", "<= 3%", verdict(mp <= 0.03)),
        (
            "specific precision (hint names the mistake, not the step's modal hint)",
            f"{specific:.3f}",
            ">= 0.85",
            verdict(specific >= 0.85),
        ),
        ("leaks (an answer line shown)", str(leaks), "0", verdict(leaks == 0)),
        ("offline update p50, ms (step texts and messages embedded once)", f"{pct(totals, 0.5):.1f}", "-", "-"),
        ("offline update p95, ms (step texts and messages embedded once)", f"{p95:.1f}", "<= 50", verdict(p95 <= 50)),
        (
            "offline update p50 / p95, ms, first sight of each step (cold)",
            f"{pct(cold, 0.5):.1f} / {pct(cold, 0.95):.1f}",
            "-",
            "-",
        ),
        (
            f"sandbox per JS run p50 / p95, ms ({len(sandbox_ms)} runs)",
            f"{pct(sandbox_ms, 0.5):.1f} / {pct(sandbox_ms, 0.95):.1f}" if sandbox_ms else "-",
            "-",
            "-",
        ),
    ]
    return table_rows, rows


def print_attempts(verbose: bool) -> None:
    table_rows, rows = bench_attempts()
    attempts = len(rows)
    step_count = len({r["step"] for r in rows})
    table(
        f"Step checks on bench/tutor_attempts ({attempts} labelled attempts over {step_count} steps, offline)",
        table_rows,
        ("what", "measured", "target", "result"),
    )
    if verbose:
        for r in rows:
            wrong = (r["label"] == "correct") != (r["status"] == "correct") or r.get("specific") is False or r["leak"]
            if wrong:
                print(
                    f"- {r['id']} [{r['label']}{'/' + r['mistake'] if r.get('mistake') else ''}] -> {r['status']}: {r['hint'][:220]}"
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--attempts-only", action="store_true", help="Only the step-check table.")
    parser.add_argument("--verbose", action="store_true", help="List the attempts judged wrongly.")
    args = parser.parse_args()
    import faiss

    call_command("migrate", verbosity=0)
    if args.attempts_only:
        build_index()
        print_attempts(args.verbose)
        return
    print(f"Tutor bench — data dir {WORK}, embedding model {settings.EMBEDDING_MODEL}, faiss {faiss.__version__}")
    table("Curriculum index", bench_build(), ("what", "time"))

    rows = load_eval()
    table(
        f"Retrieval latency per query, ms (top-5, hybrid; {len(rows)} eval questions)",
        bench_retrieval(rows),
        ("query", "n", "p50", "p95"),
    )
    print(f"* CPU time of this process (all torch threads); the machine has {os.cpu_count()} CPUs, shared")

    table(
        f"Tutor overhead per request, ms (target p50 ≤ 20; {args.runs} distinct codes / questions)",
        bench_overhead(args.runs),
        ("LLM", "n", "diff p50", "retrieval p50", "prompt+check p50", "overhead p50", "overhead p95", "server p50*"),
    )
    print("* server = everything but the LLM, including the two history writes (exchange + code branch) in SQLite")

    configs = [("vector only", False, None)] + [
        (f"hybrid, BM25 weight {w}{' (in use)' if w == retrieval.BM25_WEIGHT else ''}", True, w)
        for w in (0.03, 0.05, 0.07, 0.1, 0.2)
    ]
    quality_rows = []
    for label, hybrid, weight in configs:
        q = quality(rows, hybrid=hybrid, weight=weight)
        quality_rows.append((label, len(rows), f"{q['recall@1']:.3f}", f"{q['recall@5']:.3f}", f"{q['mrr']:.3f}"))
    table(
        f"Retrieval quality on bench/tutor_eval ({len(rows)} questions, {len(get_index())} entries)",
        quality_rows,
        ("retriever", "questions", "recall@1", "recall@5", "MRR"),
    )

    from llm_tutor.services import MIN_ASK_SCORE

    table(
        f"Questions without a lesson: answered 'not in the notes' below score {MIN_ASK_SCORE}",
        bench_off_topic(rows),
        ("questions", "n", "rejected", "lowest top score"),
    )

    # A student's level: the question's own level (the usual case), or a B7 student asking ahead.
    levels = {entry.id: entry.level for entry in get_index().entries}

    def own_level(row):
        return max((levels[i] for i in row["expected_ids"]), key=retrieval.LEVEL_ORDER.index)

    level_rows = []
    for who, level_of in (("student at the topic's level", own_level), ("B7 student asking ahead", lambda r: "B7")):
        for label, mode, penalty in (
            ("level ignored", "off", None),
            ("hard filter (<= level)", "filter", None),
            ("soft, penalty 0.03", "soft", 0.03),
            ("soft, penalty 0.05", "soft", 0.05),
            ("soft, penalty 0.1", "soft", 0.1),
        ):
            q = quality(rows, level_of=level_of, level_mode=mode, penalty=penalty)
            in_use = " (in use)" if mode == retrieval.LEVEL_MODE and penalty == retrieval.LEVEL_PENALTY else ""
            level_rows.append((who, label + in_use, f"{q['recall@1']:.3f}", f"{q['recall@5']:.3f}", f"{q['mrr']:.3f}"))
    # The step's own curriculum ids: a question about the step's topic, or about something else.
    ids = sorted(levels)

    def other_topic(row):
        return (ids[(ids.index(row["expected_ids"][0]) + 17) % len(ids)],)

    boost_rows = []
    for who, boost_of in (
        ("asks about the step's topic", lambda r: tuple(r["expected_ids"])),
        ("asks about another topic", other_topic),
    ):
        for value in (0.0, 0.05, 0.1, 0.15, 0.25):
            q = quality(rows, boost_of=boost_of, boost=value)
            in_use = " (in use)" if value == retrieval.BOOST else ""
            boost_rows.append(
                (who, f"{value}{in_use}", f"{q['recall@1']:.3f}", f"{q['recall@5']:.3f}", f"{q['mrr']:.3f}")
            )
    table(
        "Boosting the step's curriculum ids (hybrid)",
        boost_rows,
        ("during a step, the student", "boost", "recall@1", "recall@5", "MRR"),
    )
    table(
        "Student level in retrieval (hybrid)",
        level_rows,
        ("who asks", "level handling", "recall@1", "recall@5", "MRR"),
    )
    print_attempts(args.verbose)


if __name__ == "__main__":
    main()
