"""The in-process provider's bad configuration and load: a GGUF path that does not exist or is not a
model is a clear startup warning and an offline reply (never a 5xx); a full queue and a slow
generation are refused or cut at the deadline, and free the model for the next turn."""

import threading
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command

from conftest import need_service
from llm_tutor.llm import LLMError, NoRetry, reset_breakers
from llm_tutor.system_checks import llm_settings_check

from . import real_model

UPDATE = "/llm-tutor/api/llm/update"
CLOSE_CODE = '<h1>Welcome to Kumasi</h1>\n<img src="kente.jpg">\n<p>Kente is woven by hand.</p>'
MESSAGES = [{"role": "user", "content": "Say hello to a student in one short sentence."}]

pytestmark = pytest.mark.usefixtures("curriculum_index", "fresh_retrieval_cache")


@pytest.fixture
def llamacpp(settings):
    settings.LLM_PROVIDER = "llamacpp"
    settings.LLM_NUM_CTX = 2048
    settings.LLM_TEMPERATURE = 0.0
    reset_breakers()
    cache.clear()
    yield settings
    reset_breakers()


def body_of(response) -> dict:
    body = response.json()
    return body.get("data", body) if isinstance(body.get("data"), dict) else body


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "does not exist"), (b"just some text, not weights", "is not a GGUF model file")],
)
def test_a_bad_model_path_warns_at_startup_and_the_tutor_answers_offline(
    llamacpp, tmp_path, student_client, admin_client, lesson, content, problem
):
    path = tmp_path / "model.gguf"
    if content is not None:
        path.write_bytes(content)
    llamacpp.LLM_MODEL_PATH = str(path)
    [warning] = [m for m in llm_settings_check() if m.id == "llm_tutor.W001"]
    assert problem in warning.msg
    response = student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE})
    assert response.status_code == 200 and body_of(response)["source"] == "offline"
    status = body_of(admin_client.get("/api/tutor/status/"))
    assert status["llm"]["provider"] == "llamacpp" and status["mode"] == "offline"
    assert status["llm"]["reachable"] is False and problem in status["llm"]["error"]


def test_an_unknown_provider_is_a_startup_error(settings):
    settings.LLM_PROVIDER = "olama"
    [error] = llm_settings_check()
    assert error.id == "llm_tutor.E001" and "olama" in error.msg
    with pytest.raises(Exception, match="llm_tutor.E001"):
        call_command("check")


def test_a_file_that_looks_like_gguf_but_is_not_a_model_is_refused(llamacpp, tmp_path, student_client, lesson):
    if real_model.missing():
        need_service(real_model.missing())
    from llm_tutor.llamacpp import LlamaCppClient

    path = tmp_path / "broken.gguf"
    path.write_bytes(b"GGUF" + b"\x00" * 64)
    llamacpp.LLM_MODEL_PATH = str(path)
    with pytest.raises(LLMError, match="Could not load"):
        LlamaCppClient().health()
    response = student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE})
    assert response.status_code == 200 and body_of(response)["source"] == "offline"


@pytest.fixture
def loaded(llamacpp):
    problem = real_model.missing()
    if problem:
        need_service(problem)
    from llm_tutor.llamacpp import local_model

    llamacpp.LLM_MODEL_PATH = real_model.smollm2_path()
    model = local_model()
    yield model
    deadline = time.monotonic() + 30
    while model.pending:  # leave the model free for the next test
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.llm
def test_a_full_queue_is_refused_at_once_and_a_slow_turn_is_cut_at_its_deadline(loaded, llamacpp):
    from llm_tutor.llamacpp import LlamaCppClient

    llamacpp.LLM_QUEUE_SIZE = 0  # only the running generation, nobody waiting
    llamacpp.LLM_MAX_TOKENS = 256
    first = LlamaCppClient().chat_stream(MESSAGES)
    next(first)  # generating now
    started = time.monotonic()
    with pytest.raises(NoRetry, match="busy"):
        list(LlamaCppClient().chat_stream(MESSAGES))
    assert time.monotonic() - started < 0.5
    first.close()  # the student left: the worker stops at its next token
    deadline = time.monotonic() + 10
    while loaded.pending:
        assert time.monotonic() < deadline, "the abandoned generation kept the model"
        time.sleep(0.02)
    llamacpp.LLM_TIMEOUT = 0.3
    llamacpp.LLM_QUEUE_SIZE = 4
    started = time.monotonic()
    with pytest.raises(NoRetry, match="too long"):
        list(LlamaCppClient().chat_stream([{"role": "user", "content": "Count from one to two hundred in words."}]))
    assert time.monotonic() - started < 1.0


@pytest.mark.llm
def test_generations_run_one_at_a_time_off_the_request_thread(loaded, llamacpp):
    from llm_tutor.llamacpp import LlamaCppClient

    llamacpp.LLM_MAX_TOKENS = 8
    threads_seen, replies = set(), []

    def turn():
        client = LlamaCppClient()
        replies.append("".join(client.chat_stream(MESSAGES)))

    original = loaded._run

    def spy(job):
        threads_seen.add(threading.current_thread().name)
        return original(job)

    loaded._run = spy
    try:
        workers = [threading.Thread(target=turn) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    finally:
        loaded._run = original
    assert len(replies) == 3 and all(replies)
    assert len(threads_seen) == 1 and next(iter(threads_seen)).startswith("llamacpp")
