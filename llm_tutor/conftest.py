"""Tutor test fixtures: the real curriculum index, built once per test session."""

import pytest


@pytest.fixture(scope="session")
def curriculum_index(django_db_blocker):
    from django.conf import settings

    from llm_tutor.index import build_index, get_index, loader

    build_index()
    loader.reset()
    index = get_index()
    assert settings.CURRICULUM_INDEX_DIR.is_dir()
    return index


@pytest.fixture
def fresh_retrieval_cache():
    from llm_tutor.retrieval import clear_cache

    clear_cache()
    yield
    clear_cache()


EXPECTED_HTML = """<h1>Welcome to Kumasi</h1>
<img src="kente.jpg" alt="A colourful kente cloth">
<p>Kente is woven by hand.</p>"""
STARTER_HTML = "<h1>Welcome to Kumasi</h1>\n"


@pytest.fixture
def make_lesson(db):
    """A published course → module → lesson with steps (minimal objects, no factories needed)."""
    from courses.models import Course, Lesson, LessonStep, Module, PublishStatus

    def make(status=PublishStatus.PUBLISHED, steps=None, **lesson_fields):
        course = Course.objects.create(title="Web basics", level="B8", status=status)
        module = Module.objects.create(course=course, title="HTML", status=status)
        lesson = Lesson.objects.create(
            module=module, title="Images", status=status, estimated_duration_minutes=20, **lesson_fields
        )
        for number, fields in enumerate(
            steps
            or [
                {
                    "title": "Add an image",
                    "instructions": "Add the kente image with good alt text, then a paragraph about kente.",
                    "starter_code": STARTER_HTML,
                    "expected_code": EXPECTED_HTML,
                    "curriculum_ids": ["a11y-alt-text"],
                },
                {
                    "title": "Colour the heading",
                    "instructions": "Make the heading red with CSS.",
                    "starter_code": "h1 {\n}\n",
                    "expected_code": "h1 {\n  color: red;\n}",
                    "language": "css",
                    "is_assignment": True,
                },
            ],
            start=1,
        ):
            LessonStep.objects.create(lesson=lesson, step_number=number, **fields)
        return lesson

    return make


@pytest.fixture
def lesson(make_lesson):
    return make_lesson()


@pytest.fixture
def no_llm(settings):
    settings.OLLAMA_MODEL = ""
    settings.LLM_PROVIDER = ""
    from llm_tutor.llm import reset_breakers

    reset_breakers()
    yield
    reset_breakers()
