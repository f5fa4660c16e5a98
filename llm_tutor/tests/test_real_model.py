"""A real model through every tutor endpoint, with each provider: SmolLM2-135M-Instruct in-process
(``llamacpp``) and behind llama-cpp-python's OpenAI-compatible server on loopback (``openai``).

Its answers are weak; these tests check the path: the reply comes from the model (``source: llm``),
cites a curriculum entry, respects the length limit, never holds the step's expected code, and
streams. The model is loaded once per provider; temperature 0 and a small reply budget keep the
few generations short and repeatable. Failure modes stay with the fake servers.
"""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache

from accounts.services import tokens_for
from conftest import need_service, ws_connect
from core.asgi import application
from llm_tutor.llm import reset_breakers
from llm_tutor.models import TutorExchange

from . import real_model

UPDATE = "/llm-tutor/api/llm/update"
ASK = "/llm-tutor/api/llm/ask"
CLOSE_CODE = '<h1>Welcome to Kumasi</h1>\n<img src="kente.jpg">\n<p>Kente is woven by hand.</p>'
SECRETS = ("colourful kente cloth", 'alt="a colourful')

pytestmark = [pytest.mark.llm, pytest.mark.usefixtures("curriculum_index", "fresh_retrieval_cache")]


@pytest.fixture(scope="session")
def smollm2() -> str:
    problem = real_model.missing()
    if problem:
        need_service(problem)
    return real_model.smollm2_path()


@pytest.fixture(scope="module")
def llamacpp_server_url(smollm2):
    with real_model.openai_server(smollm2) as url:
        yield url


@pytest.fixture(params=["llamacpp", "openai"])
def real_llm(request, smollm2, settings):
    settings.LLM_PROVIDER = request.param
    settings.LLM_MODEL_PATH = smollm2
    settings.LLM_NUM_CTX = 2048
    settings.LLM_MAX_TOKENS = 64  # a few sentences; keeps each generation near a second
    settings.LLM_TEMPERATURE = 0.0
    settings.LLM_TIMEOUT = 120.0
    settings.LLM_RETRIES = 0
    if request.param == "openai":
        settings.OPENAI_BASE_URL = request.getfixturevalue("llamacpp_server_url")
        settings.OPENAI_MODEL = real_model.MODEL
    reset_breakers()
    cache.clear()
    yield request.param
    reset_breakers()


def body_of(response) -> dict:
    body = response.json()
    return body.get("data", body) if isinstance(body.get("data"), dict) else body


def assert_a_fair_model_reply(text: str, references: list, settings):
    assert text and len(text) <= settings.TUTOR_REPLY_MAX_CHARS
    assert references and any(f"[{r['code']}]" in text for r in references)  # cites a curriculum entry
    assert not any(secret in text.lower() for secret in SECRETS)


def sse_events(response) -> list[tuple[str, dict]]:
    events = []
    for block in b"".join(response).decode().strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_update_gets_a_real_model_hint(real_llm, student_client, lesson, settings):
    response = student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE})
    assert response.status_code == 200, response.content
    body = body_of(response)
    assert body["source"] == "llm", body
    assert_a_fair_model_reply(body["explanation"], body["references"], settings)
    assert TutorExchange.objects.get().source == "llm"
    status = body_of(student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE}))
    assert status["source"] == "cache" and status["explanation"] == body["explanation"]


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
def test_ask_streams_a_real_model_answer_over_sse(real_llm, student_client, lesson, settings):
    response = student_client.post(
        ASK,
        {"question": "Why does my picture need alt text?", "lesson_id": lesson.lesson_id, "step": 1},
        HTTP_ACCEPT="text/event-stream",
    )
    assert response.status_code == 200
    events = sse_events(response)
    tokens = [data["token"] for name, data in events if name == "token"]
    name, final = events[-1]
    assert name == "final" and final["source"] == "llm", final
    assert len(tokens) > 3  # streamed as the model wrote it, not one lump at the end
    assert "reset" not in [name for name, _ in events], (
        "".join(tokens),
        final["answer"],
    )  # trimmed, cited, then streamed
    assert "".join(tokens) == final["answer"]
    assert_a_fair_model_reply(final["answer"], final["references"], settings)


@pytest.mark.django_db(transaction=True)
async def test_websocket_streams_a_real_model_hint(real_llm, student, lesson, settings):
    token = await sync_to_async(lambda: tokens_for(user=student)["access"])()
    communicator = WebsocketCommunicator(
        application, f"/ws/tutor/?token={token}", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, _ = await ws_connect(communicator)
    assert connected
    await communicator.send_json_to({"type": "update", "lesson_id": lesson.lesson_id, "step": 1, "code": CLOSE_CODE})
    streamed, count, withdrawn = "", 0, None
    while True:
        message = await communicator.receive_json_from(timeout=120)
        if message["type"] == "token":
            streamed, count = streamed + message["token"], count + 1
        elif message["type"] == "reset":
            withdrawn, streamed = streamed, ""
        elif message["type"] == "final":
            break
    await communicator.disconnect()
    data = message["data"]
    assert data["source"] == "llm", data
    assert count > 3 and withdrawn is None and streamed == data["explanation"], (withdrawn, data["explanation"])
    assert_a_fair_model_reply(data["explanation"], data["references"], settings)


def test_the_prompt_is_counted_with_the_models_own_tokenizer(smollm2, settings):
    from llm_tutor import prompts
    from llm_tutor.llamacpp import LlamaCppClient
    from llm_tutor.retrieval import retrieve

    settings.LLM_PROVIDER, settings.LLM_MODEL_PATH, settings.LLM_NUM_CTX = "llamacpp", smollm2, 2048
    hits, _ = retrieve("alt text for images", k=3)
    client = LlamaCppClient()
    prompt = prompts.build(
        kind="ask",
        hits=hits,
        question="why? " * 400,
        code="<p>" + "kente " * 3000 + "</p>",
        num_ctx=client.num_ctx,
        max_tokens=client.max_tokens,
        count=client.count_tokens,
    )
    counted = client.count_tokens(prompt.messages)
    assert prompt.tokens == counted <= settings.LLM_PROMPT_MAX_TOKENS
    assert counted != prompts.estimate_messages(prompt.messages)  # the tokenizer's, not our estimate
