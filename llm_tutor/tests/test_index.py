import json
import shutil

import numpy
import pytest
from django.conf import settings
from django.core.management import call_command

from llm_tutor import index as index_module
from llm_tutor.curriculum import load_entries
from llm_tutor.index import build_index, current_version, get_index, loader


def test_build_publishes_a_versioned_index(curriculum_index):
    root = settings.CURRICULUM_INDEX_DIR
    version = (root / "CURRENT").read_text().strip()
    assert (root / version / "index.faiss").exists()
    meta = json.loads((root / version / "meta.json").read_text())
    assert meta["version"] == version and len(meta["entries"]) == len(load_entries())
    assert curriculum_index.faiss_index.ntotal == len(load_entries())
    assert not [p for p in root.iterdir() if p.name.startswith(".build-")]


def test_rebuild_of_unchanged_content_is_a_no_op(curriculum_index):
    result = build_index()
    assert not result.built and result.version == curriculum_index.version


def test_command_if_missing_does_nothing_when_present(curriculum_index, capsys):
    call_command("build_curriculum_index", "--if-missing")
    assert "nothing to do" in capsys.readouterr().out


@pytest.fixture
def small_curriculum(settings, tmp_path, monkeypatch):
    source = tmp_path / "curriculum" / "entries"
    source.mkdir(parents=True)
    for path in sorted((settings.CURRICULUM_DIR / "entries").glob("*.json"))[:3]:
        shutil.copy(path, source / path.name)
    settings.CURRICULUM_DIR = tmp_path / "curriculum"
    settings.CURRICULUM_INDEX_DIR = tmp_path / "index"
    monkeypatch.setattr(index_module, "RELOAD_INTERVAL", 0.0)
    yield source
    loader.reset()


def test_command_builds_when_missing_and_server_hot_swaps(small_curriculum, settings, capsys):
    with pytest.raises(index_module.IndexUnavailable):
        loader.reset()
        get_index()
    call_command("build_curriculum_index", "--if-missing", "--no-progress")
    assert "Built curriculum index" in capsys.readouterr().out
    first = get_index()
    assert len(first) == 3
    extra = sorted((settings.BASE_DIR / "curriculum" / "entries").glob("*.json"))[-1]
    shutil.copy(extra, small_curriculum / extra.name)
    result = build_index()
    assert result.built and result.version != first.version
    second = get_index()
    assert second.version == current_version() == result.version and len(second) == 4
    # The old version stays on disk for readers still holding it.
    assert (settings.CURRICULUM_INDEX_DIR / first.version).is_dir()


def test_celery_task_uses_the_same_service(small_curriculum):
    from llm_tutor.tasks import build_curriculum_index

    out = build_curriculum_index.delay().get()
    assert out["built"] and out["count"] == 3 and current_version() == out["version"]


def test_a_build_that_dies_half_way_leaves_the_live_version_in_place(small_curriculum, settings, monkeypatch):
    first = build_index()
    root = settings.CURRICULUM_INDEX_DIR
    entry = next((settings.CURRICULUM_DIR / "entries").glob("*.json"))
    data = json.loads(entry.read_text())
    entry.write_text(json.dumps({**data, "explanation": data["explanation"] + " One more sentence."}))

    def die(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(numpy, "save", die)  # the disk fills after the FAISS file is written
    with pytest.raises(OSError):
        build_index()
    assert current_version() == first.version
    assert not [p for p in root.iterdir() if p.name.startswith(".build-")]
    assert len(get_index()) == 3  # readers still load the live version


def test_a_pointer_to_a_missing_folder_is_no_index(small_curriculum, settings):
    build_index()
    (settings.CURRICULUM_INDEX_DIR / "CURRENT").write_text("does-not-exist")
    assert current_version() is None
