"""tutor_status: index version and LLM reachability (via /api/tags), never raising."""

import pytest

from llm_tutor.ollama import breaker
from llm_tutor.selectors import IndexStatus, tutor_status

from .fake_ollama import MODEL, FakeOllama

pytestmark = pytest.mark.usefixtures("curriculum_index")


@pytest.fixture
def ollama_server(settings):
    server = FakeOllama().start()
    settings.OLLAMA_BASE_URL = server.url
    settings.OLLAMA_MODEL = MODEL
    breaker.reset()
    yield server
    server.stop()
    breaker.reset()


def test_status_without_llm(no_llm, curriculum_index):
    status = tutor_status()
    assert status.mode == "offline" and status.llm.configured is False
    assert status.index == IndexStatus(
        version=curriculum_index.version,
        entries=len(curriculum_index),
        model=curriculum_index.model,
    )


def test_status_with_a_reachable_llm(ollama_server):
    status = tutor_status()
    assert status.mode == "llm" and status.llm.reachable is True and status.llm.model_present


def test_status_with_llm_down_or_circuit_open(ollama_server, settings):
    ollama_server.mode = "error500"
    assert tutor_status().llm.reachable is False and tutor_status().mode == "offline"
    for _ in range(settings.OLLAMA_BREAKER_FAILURES):
        breaker.failure()
    calls = len(ollama_server.requests)
    status = tutor_status()
    assert status.llm.circuit_open and status.mode == "offline" and len(ollama_server.requests) == calls


def test_status_endpoint_is_for_admins(admin_client, student_client, no_llm, curriculum_index):
    assert student_client.get("/api/tutor/status").status_code == 403
    response = admin_client.get("/api/tutor/status/")
    assert response.status_code == 200
    assert response.json()["mode"] == "offline" and response.json()["index"]["version"] == curriculum_index.version
