"""The OpenAI-compatible provider against a local server speaking Chat Completions over SSE
(fake_openai.py), with its failure modes, and what the tutor does with bad model output: every
case ends in an LLM hint or the offline reply, never a 5xx, a hang or a leak."""

import json
import time

import pytest
from django.core.cache import cache

from llm_tutor.conftest import EXPECTED_HTML
from llm_tutor.llm import CircuitOpen, LLMError, breaker_for, get_provider, reset_breakers
from llm_tutor.models import TutorExchange
from llm_tutor.openai_compat import OpenAIClient

from .fake_openai import DEFAULT_REPLY, MODEL, FakeOpenAI

UPDATE = "/llm-tutor/api/llm/update"
ASK = "/llm-tutor/api/llm/ask"
CLOSE_CODE = '<h1>Welcome to Kumasi</h1>\n<img src="kente.jpg">\n<p>Kente is woven by hand.</p>'
pytestmark = pytest.mark.usefixtures("curriculum_index", "fresh_retrieval_cache")
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is an img tag?"}]


@pytest.fixture(scope="module")
def openai_server():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def openai(openai_server, settings):
    openai_server.reset()
    settings.LLM_PROVIDER = "openai"
    settings.OPENAI_BASE_URL = openai_server.url
    settings.OPENAI_MODEL = MODEL
    settings.OPENAI_API_KEY = "sk-local"
    settings.LLM_TIMEOUT = 2.0
    settings.LLM_CONNECT_TIMEOUT = 0.5
    settings.LLM_RETRIES = 1
    settings.LLM_BREAKER_FAILURES = 3
    settings.LLM_BREAKER_COOLDOWN = 30.0
    reset_breakers()
    cache.clear()
    yield openai_server
    reset_breakers()


def body_of(response) -> dict:
    body = response.json()
    return body.get("data", body) if isinstance(body.get("data"), dict) else body


# --- the client --------------------------------------------------------------------------------


def test_provider_is_chosen_by_setting_and_streams_sse(openai, settings):
    client = get_provider()
    assert isinstance(client, OpenAIClient)
    tokens = list(client.chat_stream(MESSAGES))
    assert "".join(tokens) == DEFAULT_REPLY and len(tokens) > 3
    assert client.last.done_reason == "stop" and client.last.prompt_eval_count == 321
    [sent] = openai.chat_requests()
    assert sent["model"] == MODEL and sent["stream"] is True and sent["messages"] == MESSAGES
    assert sent["max_tokens"] == settings.LLM_MAX_TOKENS and sent["temperature"] == settings.LLM_TEMPERATURE
    assert sent["stream_options"] == {"include_usage": True}


def test_non_stream_chat_and_health(openai):
    result = OpenAIClient().chat(MESSAGES)
    assert result.content == DEFAULT_REPLY and result.done_reason == "stop" and result.eval_count > 3
    assert OpenAIClient().health() == {"ok": True, "models": [MODEL], "model_present": True}


def test_429_waits_for_retry_after_then_answers(openai):
    openai.mode, openai.retry_after, openai.failures = "rate_limited", "1", 1
    started = time.monotonic()
    assert "".join(OpenAIClient().chat_stream(MESSAGES)) == DEFAULT_REPLY
    assert 0.9 < time.monotonic() - started < 2.5
    assert len(openai.chat_requests()) == 2 and breaker_for("openai").failures == 0


def test_429_with_a_long_retry_after_is_not_waited_for(openai):
    openai.mode, openai.retry_after, openai.failures = "rate_limited", "120", 5
    started = time.monotonic()
    with pytest.raises(LLMError, match="429"):
        list(OpenAIClient().chat_stream(MESSAGES))
    assert time.monotonic() - started < 0.5 and len(openai.chat_requests()) == 1


def test_500_is_retried_then_opens_the_circuit(openai, settings):
    openai.mode = "error500"
    for _ in range(settings.LLM_BREAKER_FAILURES):
        with pytest.raises(LLMError):
            list(OpenAIClient().chat_stream(MESSAGES))
    assert len(openai.chat_requests()) == 2 * settings.LLM_BREAKER_FAILURES  # one try + one retry each
    calls = len(openai.chat_requests())
    with pytest.raises(CircuitOpen):
        list(OpenAIClient().chat_stream(MESSAGES))
    assert len(openai.chat_requests()) == calls


def test_stream_ending_without_done_is_an_error_after_its_tokens(openai):
    openai.mode = "no_done"
    received = []
    with pytest.raises(LLMError, match="DONE"):
        for token in OpenAIClient().chat_stream(MESSAGES):
            received.append(token)
    assert "".join(received) == DEFAULT_REPLY and len(openai.chat_requests()) == 1


def test_finish_reason_length_is_reported(openai):
    openai.mode, openai.cut = "length", 30
    client = OpenAIClient()
    assert "".join(client.chat_stream(MESSAGES)) == DEFAULT_REPLY[:30]
    assert client.last.done_reason == "length"


def test_garbage_is_an_error_and_not_retried(openai):
    openai.mode = "garbage"
    with pytest.raises(LLMError, match="Invalid SSE"):
        list(OpenAIClient().chat_stream(MESSAGES))
    assert len(openai.chat_requests()) == 1


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/v1", "127.0.0.1:8080", "http://[::1"])
def test_a_wrong_base_url_is_an_error(openai, settings, url):
    settings.OPENAI_BASE_URL = url
    settings.LLM_RETRIES = 0
    with pytest.raises(LLMError):
        list(OpenAIClient().chat_stream(MESSAGES))
    with pytest.raises(LLMError):
        OpenAIClient().health()


def test_a_url_that_is_not_an_llm_server_is_an_error(openai):
    openai.mode = "not_llm"
    with pytest.raises(LLMError, match="Not an OpenAI-compatible server"):
        OpenAIClient().health()
    with pytest.raises(LLMError):
        list(OpenAIClient().chat_stream(MESSAGES))


# --- the endpoints -------------------------------------------------------------------------------


def test_update_answers_from_the_openai_provider_and_cites(openai, student_client, lesson):
    response = student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE})
    body = body_of(response)
    assert response.status_code == 200 and body["source"] == "llm" and body["explanation"] == DEFAULT_REPLY
    [sent] = openai.chat_requests()
    assert "has no alt attribute" in sent["messages"][1]["content"]  # the diagnosis, as a fact
    assert "A colourful kente cloth" not in str(sent)


def test_status_and_readyz_report_the_provider(openai, admin_client, client):
    status = admin_client.get("/api/tutor/status/").json()
    status = status.get("data", status)
    assert status["mode"] == "llm"
    assert status["llm"]["provider"] == "openai" and status["llm"]["model"] == MODEL
    assert status["llm"]["reachable"] is True and status["llm"]["model_present"] is True
    openai.mode = "not_llm"
    ready = client.get("/readyz").json()["checks"]["llm"]
    assert ready["provider"] == "openai" and ready["ok"] is False and ready["required"] is False
    assert "Not an OpenAI-compatible server" in ready["error"]


def test_a_cut_reply_keeps_its_whole_sentences_then_the_citation(openai, student_client, lesson, settings):
    openai.mode = "length"
    openai.reply = "Your img tag needs an alt attribute. It tells a screen reader what the picture"
    openai.cut = len(openai.reply)
    response = student_client.post(ASK, {"question": "what does alt do?", "lesson_id": lesson.lesson_id, "step": 1})
    body = body_of(response)
    assert body["source"] == "llm"
    assert body["answer"].startswith("Your img tag needs an alt attribute. [")
    assert body["references"] and body["answer"].endswith(f"[{body['references'][0]['code']}]")


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
def test_a_long_reply_is_trimmed_before_the_citation_so_the_citation_survives(openai, student_client, lesson, settings):
    settings.TUTOR_REPLY_MAX_CHARS = 200
    openai.reply = (
        "Your img tag needs an alt attribute so everyone knows what it shows. "
        "A screen reader reads that text aloud to a student who cannot see the picture. "
        "Describe the kente cloth in a few words of your own. "
        "Then check your page again."
    )
    events = student_client.post(
        UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE}, HTTP_ACCEPT="text/event-stream"
    )
    raw = b"".join(events).decode()
    assert "event: reset" not in raw  # what streamed is the final reply, citation included
    final = raw.rsplit("event: final\ndata: ", 1)[1]
    body = json.loads(final)
    assert body["source"] == "llm" and len(body["explanation"]) <= 200
    assert body["explanation"].endswith(f"[{body['references'][0]['code']}]")
    assert body["explanation"].count("alt attribute") >= 1 and "…" not in body["explanation"]


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
@pytest.mark.parametrize(
    ("mode", "reply", "reason"),
    [
        ("ok", "", "empty"),
        ("ok", "The answer is: [MRICT.WEB.A11Y.1]", "empty"),
        ("ok", "```python\nprint('hello')\nfor x in y:\n```", "code_block"),
        (
            "ok",
            "Votre image a besoin d'un texte alternatif. 图片需要替代文本。请添加。图片需要替代文本。",
            "wrong_language",
        ),
        ("ok", "Remember to drink water and sleep early, my friend. [MRICT.WEB.A11Y.1]", "off_problem"),
        ("length", "Look at your image and think about what a screen reader would", "cut_off"),
        ("flood", "", "cut_off"),
        ("error500", DEFAULT_REPLY, "unavailable"),
        ("rate_limited", DEFAULT_REPLY, "unavailable"),
        ("no_done", DEFAULT_REPLY, "unavailable"),
        ("garbage", DEFAULT_REPLY, "unavailable"),
        ("not_llm", DEFAULT_REPLY, "unavailable"),
    ],
)
def test_bad_model_output_gets_the_offline_reply(openai, student_client, lesson, mode, reply, reason, caplog):
    openai.mode, openai.reply = mode, reply
    openai.cut, openai.retry_after, openai.failures = len(reply), "60", 5
    started = time.monotonic()
    response = student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE})
    body = body_of(response)
    assert response.status_code == 200, response.content
    assert body["source"] == "offline" and "alt attribute" in body["explanation"]
    assert time.monotonic() - started < 3.5
    assert TutorExchange.objects.get().source == "offline"
    if reason != "unavailable":
        assert f"({reason})" in caplog.text


def test_a_model_that_answers_with_the_expected_code_is_guarded(openai, student_client, lesson):
    openai.reply = f"Here is the answer:\n{EXPECTED_HTML}"
    response = student_client.post(ASK, {"question": "give me the code", "lesson_id": lesson.lesson_id, "step": 1})
    body = body_of(response)
    assert response.status_code == 200 and body["guarded"] is True
    assert "colourful kente cloth" not in response.content.decode().lower()


def test_a_reply_that_echoes_the_prompt_scaffolding_is_cleaned(openai, student_client, lesson):
    openai.reply = "<student_question>\nFacts found by the checker. The code is close to done.\nYour img tag needs an alt attribute that says what the picture shows."
    response = student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE})
    body = body_of(response)
    assert body["source"] == "llm" and "student_question" not in body["explanation"]
    assert "Facts found" not in body["explanation"]
    assert body["explanation"].startswith("Your img tag needs an alt attribute")
