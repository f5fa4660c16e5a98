"""Probing with ffprobe, and without it (parsing ``ffmpeg -i``)."""

import pytest

from video_tutorials import transcoding

pytestmark = pytest.mark.ffmpeg


@pytest.mark.parametrize("use_ffprobe", [True, False])
def test_probe_reads_media_and_refuses_the_rest(media_dir, monkeypatch, use_ffprobe):
    if not use_ffprobe:
        monkeypatch.setattr(transcoding, "ffprobe_binary", lambda: None)
    info = transcoding.probe(media_dir / "lesson.webm")
    assert info.has_video and info.has_audio and (info.width, info.height) == (640, 360)
    assert 2.5 < info.duration < 3.5
    voice = transcoding.probe(media_dir / "voice.ogg")
    assert voice.has_audio and not voice.has_video
    for name in ("notes.txt", "empty.webm", "pic.png"):
        with pytest.raises(transcoding.MediaError):
            transcoding.probe(media_dir / name)


def test_imageio_ffmpeg_binary_is_the_last_resort(monkeypatch, settings):
    settings.FFMPEG_BINARY = ""
    monkeypatch.setattr(transcoding.shutil, "which", lambda name: None)
    assert transcoding.ffmpeg_binary().endswith(("ffmpeg", ".exe")) or "ffmpeg" in transcoding.ffmpeg_binary()
    assert transcoding.ffprobe_binary() is None


def test_rungs_never_upscale():
    ladder = [transcoding.Rung(240, 300), transcoding.Rung(360, 600), transcoding.Rung(720, 1500)]
    assert [r.height for r in transcoding.rungs_for_source(480, ladder)] == [240, 360]
    assert transcoding.rungs_for_source(181, ladder) == [transcoding.Rung(180, 300)]
    assert transcoding.rungs_for_source(0, ladder) == []
