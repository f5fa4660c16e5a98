"""A real ``celery -A core worker`` on a real redis-server picks up the transcode;
a worker SIGKILLed mid-transcode gets the task redelivered, which then completes
with no duplicate renditions (acks_late + reject_on_worker_lost + idempotent service)."""

import os
import signal
import subprocess
import sys
import time

import pytest
from celery import Celery
from django.core.files import File

from conftest import database_url_for_subprocess
from video_tutorials.models import Recording

from .conftest import ffmpeg_run

pytestmark = [pytest.mark.celery, pytest.mark.redis, pytest.mark.ffmpeg, pytest.mark.slow]


def start_worker(redis_url: str, media_root, log_path) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url_for_subprocess(),
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        CELERY_VISIBILITY_TIMEOUT="3",  # redeliver an unacknowledged task quickly
        MEDIA_ROOT=str(media_root),
    )
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    log = open(log_path, "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [celery, "-A", "core", "worker", "--pool", "solo", "-l", "info", "--without-gossip", "--without-mingle"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group: SIGKILL takes ffmpeg down with it
    )


def kill_group(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(predicate, timeout: float, what: str, log_path=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    log = log_path.read_text()[-4000:] if log_path and log_path.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{log}")


def recording_with(source) -> Recording:
    recording = Recording.objects.create(title="worker", status=Recording.Status.UPLOADED)
    with open(source, "rb") as handle:
        recording.original.save("source.webm", File(handle))
    return recording


def status_of(recording) -> str:
    return Recording.objects.values_list("status", flat=True).get(pk=recording.pk)


@pytest.mark.django_db(transaction=True)
def test_real_worker_transcodes_a_queued_recording(redis_server, media_dir, settings, tmp_path):
    recording = recording_with(media_dir / "lesson.webm")
    log_path = tmp_path / "worker.log"
    worker = start_worker(redis_server.url, settings.MEDIA_ROOT, log_path)
    try:
        broker = Celery(broker=redis_server.url, set_as_current=False)
        broker.send_task("video_tutorials.tasks.transcode_recording", args=[recording.pk])
        wait_for(lambda: status_of(recording) == "ready", 120, "the worker to finish", log_path)
    finally:
        kill_group(worker)
    assert sorted(recording.assets.values_list("label", flat=True)) == ["240p", "360p", "audio", "poster"]


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_transcode_is_redelivered_without_duplicates(redis_server, settings, tmp_path):
    source = tmp_path / "long.webm"
    ffmpeg_run(
        "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=40",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=40",
        "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M",
        "-c:a", "libopus", "-shortest", str(source),
    )  # fmt: skip
    recording = recording_with(source)
    log_path = tmp_path / "worker.log"
    first = start_worker(redis_server.url, settings.MEDIA_ROOT, log_path)
    second = None
    try:
        Celery(broker=redis_server.url, set_as_current=False).send_task(
            "video_tutorials.tasks.transcode_recording", args=[recording.pk]
        )
        wait_for(
            lambda: Recording.objects.filter(pk=recording.pk, status="processing", progress__gte=1).exists(),
            120,
            "the transcode to start",
            log_path,
        )
        kill_group(first, signal.SIGKILL)
        assert status_of(recording) == "processing" and not recording.assets.exists()
        second = start_worker(redis_server.url, settings.MEDIA_ROOT, log_path)
        wait_for(lambda: status_of(recording) == "ready", 240, "the redelivered task to finish", log_path)
    finally:
        kill_group(first, signal.SIGKILL)
        if second:
            kill_group(second)
    recording.refresh_from_db()
    assert recording.transcode_attempts == 2
    labels = sorted(recording.assets.values_list("label", flat=True))
    assert labels == ["240p", "360p", "720p", "audio", "poster"]
