"""End to end: the tutor served by a real Daphne process, with the real retriever and a local
Ollama-protocol server: JSON and SSE replies (tokens arrive while the LLM is still generating,
not buffered), and a new curriculum index version picked up by the running server without a restart."""

import json
import shutil
import time

import httpx
import pytest

from accounts.services import tokens_for
from llm_tutor.index import build_index

from .fake_ollama import DEFAULT_REPLY, MODEL, FakeOllama

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.usefixtures("curriculum_index")]

CLOSE_CODE = '<h1>Welcome to Kumasi</h1>\n<img src="kente.jpg">\n<p>Kente is woven by hand.</p>'
NEW_ENTRY = {
    "id": "zz-robot-chef",
    "code": "MRICT.TEST.1",
    "level": "B7",
    "strand": "Test strand",
    "sub_strand": "Test sub-strand",
    "title": "Teaching a robot chef to cook jollof rice",
    "objectives": ["I can give a robot chef jollof steps in order."],
    "explanation": "A robot chef follows jollof rice steps one by one: wash the rice, fry tomato stew, add rice.",
    "example": "",
    "common_mistakes": ["Adding the rice before the stew is ready."],
    "keywords": ["robot chef", "jollof", "cooking robot"],
}


@pytest.fixture
def ollama_server():
    server = FakeOllama().start()
    yield server
    server.stop()


def sse_events(response: httpx.Response):
    """(event, data, seconds since the request) as each event arrives."""
    started = time.monotonic()
    event, data = None, []
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])
        elif not line and event:
            yield event, json.loads("\n".join(data)), time.monotonic() - started
            event, data = None, []


def unwrap(body: dict) -> dict:
    return body["data"] if isinstance(body.get("data"), dict) else body


def test_tutor_on_daphne_streams_and_hot_swaps_the_index(
    start_daphne, ollama_server, make_lesson, student, settings, tmp_path
):
    lesson = make_lesson()
    # The server gets its own data dir (index) and curriculum copy, so the swap below is its alone.
    curriculum = tmp_path / "curriculum"
    shutil.copytree(settings.CURRICULUM_DIR, curriculum)
    index_dir = tmp_path / "data" / "curriculum_index"
    shutil.copytree(settings.CURRICULUM_INDEX_DIR, index_dir, ignore=shutil.ignore_patterns(".*"))
    server = start_daphne(
        DATA_DIR=str(tmp_path / "data"),
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        CURRICULUM_DIR=str(curriculum),
        OLLAMA_BASE_URL=ollama_server.url,
        OLLAMA_MODEL=MODEL,
        OLLAMA_TIMEOUT="5",
    )
    headers = {"Authorization": f"Bearer {tokens_for(user=student)['access']}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as client:
        # JSON, through the LLM.
        payload = {"lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE}
        response = client.post("/llm-tutor/api/llm/update", json=payload)
        assert response.status_code == 200, response.text
        body = unwrap(response.json())
        assert body["source"] == "llm" and body["explanation"] == DEFAULT_REPLY and body["references"]

        # SSE: the LLM trickles tokens; they must reach the client as they come (even a client that
        # accepts gzip, as every browser does).
        ollama_server.mode, ollama_server.delay = "trickle", 0.1
        question = {"question": "why does my picture need alt text?", "lesson_id": lesson.lesson_id, "step": 1}
        with client.stream(
            "POST",
            "/llm-tutor/api/llm/ask",
            json=question,
            headers={"Accept": "text/event-stream", "Accept-Encoding": "gzip, deflate, br"},
        ) as stream:
            assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
            events = list(sse_events(stream))
        tokens = [(data, at) for event, data, at in events if event == "token"]
        final = [(data, at) for event, data, at in events if event not in ("token", "reset")]
        assert len(tokens) > 5 and final, events
        assert final[-1][1] - tokens[0][1] > 0.5  # the first token came well before the end
        assert unwrap(final[-1][0])["source"] == "llm"

        # Hot swap: a new entry, a new index version; the running server serves it within seconds.
        (curriculum / "entries" / f"{NEW_ENTRY['id']}.json").write_text(json.dumps(NEW_ENTRY))
        settings.CURRICULUM_DIR = curriculum
        ollama_server.mode = "ok"
        result = build_index(root=index_dir)
        assert result.built and (index_dir / "CURRENT").read_text() == result.version
        deadline = time.monotonic() + 15
        while True:
            answer = unwrap(client.post("/llm-tutor/api/llm/ask", json={"question": "robot chef jollof"}).json())
            if answer["references"] and answer["references"][0]["id"] == NEW_ENTRY["id"]:
                break
            assert time.monotonic() < deadline, answer["references"]
            time.sleep(0.5)


def test_a_student_who_hangs_up_mid_stream_on_daphne_keeps_the_partial_exchange(
    start_daphne, ollama_server, make_lesson, student, settings
):
    """A dropped 2G connection mid-reply: the server stops the LLM's stream and records what
    the student was shown, marked interrupted, instead of losing the question."""
    from llm_tutor.models import TutorExchange

    lesson = make_lesson()
    server = start_daphne(
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        CURRICULUM_DIR=str(settings.CURRICULUM_DIR),
        DATA_DIR=str(settings.DATA_DIR),
        OLLAMA_BASE_URL=ollama_server.url,
        OLLAMA_MODEL=MODEL,
        OLLAMA_TIMEOUT="5",
    )
    ollama_server.mode, ollama_server.delay = "trickle", 0.3
    headers = {"Authorization": f"Bearer {tokens_for(user=student)['access']}", "Accept": "text/event-stream"}
    question = {"question": "why does my picture need alt text?", "lesson_id": lesson.lesson_id, "step": 1}
    shown = ""
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        with client.stream("POST", "/llm-tutor/api/llm/ask", json=question, headers=headers) as stream:
            for event, data, _ in sse_events(stream):
                assert event == "token", (event, data)
                shown += data["token"]
                break  # the connection drops here
    deadline = time.monotonic() + 10
    while not TutorExchange.objects.filter(student=student).exists():
        assert time.monotonic() < deadline, "the interrupted exchange was not recorded"
        time.sleep(0.1)
    exchange = TutorExchange.objects.get(student=student)
    assert exchange.interrupted and exchange.source == "llm"
    assert exchange.reply.startswith(shown) and exchange.reply != DEFAULT_REPLY
    while ollama_server.abandoned_streams == 0:
        assert time.monotonic() < deadline, "the LLM kept generating for nobody"
        time.sleep(0.1)
