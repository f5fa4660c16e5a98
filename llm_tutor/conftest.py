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
