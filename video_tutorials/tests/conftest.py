"""Generated media (real ffmpeg, a few seconds long) and small builders for recordings."""

import shutil
import subprocess

import pytest

from conftest import need_service


def ffmpeg_run(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True, timeout=120)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        need_service("ffmpeg/ffprobe are not installed (apt-get install ffmpeg)")
    folder = tmp_path_factory.mktemp("media-src")
    ffmpeg_run(
        "-f", "lavfi", "-i", "testsrc=size=640x360:rate=15:duration=3",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
        "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k",
        "-c:a", "libopus", "-shortest", str(folder / "lesson.webm"),
    )  # fmt: skip
    ffmpeg_run("-f", "lavfi", "-i", "sine=frequency=300:duration=2", "-c:a", "libopus", str(folder / "voice.ogg"))
    # What Chrome's MediaRecorder uploads: a webm written as a stream, with no duration
    # and no cues in its header (ffmpeg does the same when its output is a pipe).
    with open(folder / "recorder.webm", "wb") as out:
        subprocess.run(
            ["ffmpeg", "-v", "error", "-nostdin",
             "-f", "lavfi", "-i", "testsrc=size=640x360:rate=15:duration=3",
             "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
             "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k",
             "-c:a", "libopus", "-shortest", "-f", "webm", "pipe:1"],
            stdout=out, check=True, timeout=120,
        )  # fmt: skip
    data = (folder / "lesson.webm").read_bytes()
    (folder / "truncated.webm").write_bytes(data[: len(data) // 3])
    (folder / "notes.txt").write_text("this is not a video\n" * 50)
    (folder / "empty.webm").write_bytes(b"")
    ffmpeg_run("-f", "lavfi", "-i", "testsrc=size=64x64:rate=1:duration=1", "-frames:v", "1", str(folder / "pic.png"))
    return folder


@pytest.fixture
def lesson(db):
    from courses.models import Course, Lesson, LessonStep, Module, PublishStatus

    course = Course.objects.create(title="Web basics", level="B7", status=PublishStatus.PUBLISHED)
    module = Module.objects.create(course=course, title="HTML", status=PublishStatus.PUBLISHED)
    lesson = Lesson.objects.create(module=module, title="Your first page", status=PublishStatus.PUBLISHED)
    LessonStep.objects.create(
        lesson=lesson, step_number=1, title="Heading", instructions="Add an h1", expected_code="<h1>Hi</h1>"
    )
    return lesson


def upload(client, media_dir, name="lesson.webm", title="Lesson one", **fields):
    with open(media_dir / name, "rb") as handle:
        return client.post("/api/upload/", {"video_file": handle, "title": title, **fields}, format="multipart")


def make_snapshots(count: int, *, start: float = 0.0, step: float = 1.0, base: str = "<h1>Hi</h1>\r\n") -> list[dict]:
    snapshots = []
    code = base
    for i in range(count):
        code = code + f"<p>línea {i} ✓ 🎉</p>\r\n"
        snapshots.append(
            {
                "code": code,
                "timestamp": start + i * step,
                "cursorPosition": {"lineNumber": i + 1, "column": 3},
                "scrollPosition": {"scrollTop": i * 10, "scrollLeft": 0},
            }
        )
    return snapshots
