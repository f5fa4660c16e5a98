"""ffmpeg and ffprobe: which binaries, what a file contains, and the transcode itself.

Nothing here touches the database; services.py decides what to do with the results.
"""

import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ffmpeg
from django.conf import settings


class MediaError(Exception):
    """The file is not usable audio/video (not media, empty, truncated, corrupt)."""


class TranscodeError(Exception):
    """ffmpeg failed; the message keeps the tail of its error output."""


class MediaToolError(Exception):
    """ffmpeg/ffprobe could not run at all (a wrong binary path, a hang): the server's
    fault, never the uploader's."""


def _run_tool(command: list[str], *, timeout: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise MediaToolError(f"{Path(command[0]).name} did not finish within {timeout:.0f} s.") from exc
    except OSError as exc:
        raise MediaToolError(f"Cannot run {command[0]}: {exc.strerror or exc}") from exc


def ffmpeg_binary() -> str:
    if settings.FFMPEG_BINARY:
        return settings.FFMPEG_BINARY
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffprobe_binary() -> str | None:
    if settings.FFPROBE_BINARY:
        return settings.FFPROBE_BINARY
    return shutil.which("ffprobe")


@dataclass
class ProbeResult:
    format_name: str = ""
    duration: float | None = None
    has_video: bool = False
    has_audio: bool = False
    width: int = 0
    height: int = 0
    streams: list = field(default_factory=list)


def _float_or_none(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 and number == number and number != float("inf") else None


def probe(path: str | os.PathLike) -> ProbeResult:
    """What the file holds. Raises MediaError when it has no audio or video stream."""
    binary = ffprobe_binary()
    if binary is None:
        return _probe_with_ffmpeg(path)
    completed = _run_tool(
        [binary, "-v", "error", "-of", "json", "-show_format", "-show_streams", str(path)], timeout=120
    )
    if completed.returncode != 0:
        raise MediaError("This file is not audio or video that we can read.")
    try:
        info = json.loads(completed.stdout or b"{}")
    except json.JSONDecodeError as exc:
        raise MediaError("This file is not audio or video that we can read.") from exc
    result = ProbeResult(format_name=(info.get("format") or {}).get("format_name", ""))
    result.duration = _float_or_none((info.get("format") or {}).get("duration"))
    for stream in info.get("streams") or []:
        kind = stream.get("codec_type")
        if kind == "video" and not (stream.get("disposition") or {}).get("attached_pic"):
            result.has_video = True
            result.width = max(result.width, int(stream.get("width") or 0))
            result.height = max(result.height, int(stream.get("height") or 0))
        elif kind == "audio":
            result.has_audio = True
        result.streams.append(kind)
    _refuse_non_media(result)
    return result


_DURATION_RE = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO_RE = re.compile(r"Stream #\S+.*?: Video: .*?(\d{2,5})x(\d{2,5})")
_AUDIO_RE = re.compile(r"Stream #\S+.*?: Audio: ")
_INPUT_RE = re.compile(r"Input #0, ([^,]+(?:,[^,\s]+)*), from")


def _probe_with_ffmpeg(path) -> ProbeResult:
    """Without ffprobe: parse what ``ffmpeg -i`` prints about its input."""
    completed = _run_tool([ffmpeg_binary(), "-hide_banner", "-i", str(path)], timeout=120)
    text = completed.stderr.decode("utf-8", "replace")
    result = ProbeResult()
    if match := _INPUT_RE.search(text):
        result.format_name = match.group(1)
    if match := _DURATION_RE.search(text):
        hours, minutes, seconds = match.groups()
        result.duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    for match in _VIDEO_RE.finditer(text):
        result.has_video = True
        result.width = max(result.width, int(match.group(1)))
        result.height = max(result.height, int(match.group(2)))
    result.has_audio = bool(_AUDIO_RE.search(text))
    _refuse_non_media(result)
    return result


def _refuse_non_media(result: ProbeResult) -> None:
    # Images probe as one-frame "video" (image2, png_pipe…); they are not lessons.
    if result.format_name.startswith(("image2", "png_pipe", "jpeg_pipe", "gif", "webp_pipe", "svg", "bmp_pipe", "tty")):
        raise MediaError("This file is an image or text, not audio or video.")
    if not (result.has_video or result.has_audio):
        raise MediaError("This file has no audio or video in it.")


def check_integrity(path) -> None:
    """Demux every packet without decoding (fast): a truncated or corrupt file fails here."""
    completed = _run_tool(
        [ffmpeg_binary(), "-v", "error", "-nostdin", "-i", str(path), "-map", "0", "-c", "copy", "-f", "null", "-"],
        timeout=600,
    )
    errors = completed.stderr.decode("utf-8", "replace").strip()
    if completed.returncode != 0 or errors:
        raise MediaError(f"This file is truncated or damaged: {errors.splitlines()[-1] if errors else 'unreadable'}")


@dataclass(frozen=True)
class Rung:
    height: int
    max_kbps: int

    @property
    def label(self) -> str:
        return f"{self.height}p"


# AAC LC mono is plenty for a teacher's voice; the small rungs' caps are tight, so they
# get less of it. A rung's cap is its total bitrate: video gets the cap minus the audio,
# minus a margin for the container and for short clips' VBV slack.
def rung_audio_kbps(rung: Rung) -> int:
    return 32 if rung.height <= 360 else 48


def rung_video_kbps(rung: Rung, *, has_audio: bool) -> int:
    audio = rung_audio_kbps(rung) if has_audio else 0
    return max(int((rung.max_kbps - audio) * 0.9), 16)


def ladder_from_settings() -> list[Rung]:
    rungs = []
    for entry in settings.TRANSCODE_LADDER:
        height, _, kbps = str(entry).partition(":")
        rungs.append(Rung(int(height), int(kbps or 1000)))
    return sorted(rungs, key=lambda r: r.height)


def rungs_for_source(source_height: int, ladder: list[Rung]) -> list[Rung]:
    """Never upscale: the rungs at or below the source; a source smaller than every
    rung gets one rung at its own height, with the lowest rung's bitrate cap."""
    if source_height <= 0:
        return []
    fitting = [rung for rung in ladder if rung.height <= source_height]
    if not fitting and ladder:
        even = source_height - source_height % 2
        fitting = [Rung(max(even, 2), ladder[0].max_kbps)]
    return fitting


@dataclass
class Output:
    kind: str  # video | audio | poster
    label: str
    path: Path
    mime_type: str
    width: int = 0
    height: int = 0
    bitrate_kbps: int = 0
    size_bytes: int = 0
    duration: float | None = None


ProgressCallback = Callable[[int], None]
# Far below TRANSCODE_STALE_MINUTES: a running transcode always looks alive to the sweep.
HEARTBEAT_SECONDS = 60


def transcode(
    source: str,
    workdir: Path,
    info: ProbeResult,
    *,
    on_progress: ProgressCallback | None = None,
    declared_duration: float | None = None,
) -> list[Output]:
    """One ffmpeg run (one decode) writes every video rung and the audio-only track;
    a second, tiny one writes the poster. Progress is parsed from ``-progress pipe:1``.

    A browser's MediaRecorder webm has no duration in its header: the percentage then
    uses the recorder's declared duration, and sizes/bitrates the outputs' own durations."""
    workdir.mkdir(parents=True, exist_ok=True)
    stream = ffmpeg.input(source)
    outputs: list[Output] = []
    nodes = []
    rungs = rungs_for_source(info.height, ladder_from_settings()) if info.has_video else []
    audio_kbps = settings.TRANSCODE_AUDIO_KBPS
    if rungs:
        video_in = stream.video
        if settings.TRANSCODE_MAX_FPS:
            # Screencasts of code need few frames; halving them halves the encode time.
            video_in = video_in.filter("fps", fps=settings.TRANSCODE_MAX_FPS)
        split = video_in.filter_multi_output("split", len(rungs))
        for index, rung in enumerate(rungs):
            path = workdir / f"{rung.label}.mp4"
            video = split.stream(index).filter("scale", -2, rung.height)
            # -2 keeps the aspect ratio with an even width (yuv420p needs even sizes).
            streams = [video, stream.audio] if info.has_audio else [video]
            audio_args = {"c:a": "aac", "b:a": f"{rung_audio_kbps(rung)}k", "ac": 1} if info.has_audio else {}
            video_kbps = rung_video_kbps(rung, has_audio=info.has_audio)
            nodes.append(
                ffmpeg.output(
                    *streams,
                    str(path),
                    **{
                        "c:v": "libx264",
                        "preset": settings.TRANSCODE_X264_PRESET,
                        "tune": "stillimage",
                        "pix_fmt": "yuv420p",
                        "profile:v": "main",
                        "crf": 28,
                        "maxrate": f"{video_kbps}k",
                        # A one-second buffer that starts nearly empty: even a short clip
                        # stays under the cap (x264 otherwise spends a full buffer at once).
                        "bufsize": f"{video_kbps}k",
                        "x264-params": "vbv-init=0.1",
                        "g": 240,
                        "movflags": "+faststart",
                        **audio_args,
                    },
                )
            )
            outputs.append(Output("video", rung.label, path, "video/mp4", height=rung.height))
    if info.has_audio:
        path = workdir / "audio.webm"
        nodes.append(
            ffmpeg.output(
                stream.audio,
                str(path),
                **{"c:a": "libopus", "b:a": f"{audio_kbps}k", "ac": 1, "application": "voip", "vn": None},
            )
        )
        outputs.append(Output("audio", "audio", path, "audio/webm"))
    if not nodes:
        raise TranscodeError("Nothing to transcode: no audio or video stream.")
    command = (
        ffmpeg.merge_outputs(*nodes)
        .global_args("-nostdin", "-hide_banner", "-v", "error", "-progress", "pipe:1", "-nostats")
        .overwrite_output()
        .compile(cmd=ffmpeg_binary())
    )
    duration = info.duration or declared_duration
    decoded = _run_with_progress(command, duration, on_progress)
    if info.has_video:
        outputs.append(_poster(source, workdir, info, duration=duration))
    for output in outputs:
        _measure(output, duration or decoded)
    return outputs


def _run_with_progress(
    command: list[str], duration: float | None, on_progress: ProgressCallback | None
) -> float | None:
    """Run ffmpeg; returns how many seconds it decoded (its last ``out_time``)."""
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise MediaToolError(f"Cannot run {command[0]}: {exc.strerror or exc}") from exc
    stderr_lines: list[bytes] = []

    def drain_stderr():
        for line in process.stderr:
            stderr_lines.append(line)
            del stderr_lines[:-40]

    reader = threading.Thread(target=drain_stderr, daemon=True)
    reader.start()
    last_percent, last_sent = -1, 0.0
    decoded = None
    for raw in process.stdout:
        line = raw.decode("ascii", "replace").strip()
        if not line.startswith("out_time_us="):
            continue
        try:
            done = int(line.split("=", 1)[1]) / 1_000_000
            decoded = max(decoded or 0.0, done)
        except ValueError:
            done = 0.0  # "N/A" before the first frame
        if on_progress is None:
            continue
        percent = max(last_percent, 0)
        if duration:
            percent = max(percent, min(99, int(done * 100 / duration)))
        now = time.monotonic()
        advanced = percent > last_percent and (now - last_sent >= 0.5 or percent - last_percent >= 5)
        # Report at least every HEARTBEAT_SECONDS while ffmpeg works, even without progress
        # (unknown duration, a slow stretch): the stale sweep must not take it for dead.
        if advanced or now - last_sent >= HEARTBEAT_SECONDS:
            on_progress(percent)
            last_percent, last_sent = percent, now
    process.wait()
    reader.join(timeout=5)
    if process.returncode != 0:
        tail = b"".join(stderr_lines).decode("utf-8", "replace").strip()[-2000:]
        raise TranscodeError(tail or f"ffmpeg exited with status {process.returncode}")
    return decoded or None


def _poster(source: str, workdir: Path, info: ProbeResult, *, duration: float | None) -> Output:
    path = workdir / "poster.jpg"
    at = min(1.0, (duration or 0) / 2)
    height = min(info.height, 720) or 720
    try:
        (
            ffmpeg.input(source, ss=at)
            .filter("scale", -2, height)
            .output(str(path), vframes=1, **{"q:v": 4})
            .global_args("-nostdin", "-v", "error")
            .overwrite_output()
            .run(cmd=ffmpeg_binary(), capture_stdout=True, capture_stderr=True)
        )
    except ffmpeg.Error as exc:
        raise TranscodeError(exc.stderr.decode("utf-8", "replace")[-2000:]) from exc
    except OSError as exc:
        raise MediaToolError(f"Cannot run ffmpeg: {exc.strerror or exc}") from exc
    if not path.exists() or path.stat().st_size == 0:
        raise TranscodeError("ffmpeg wrote no poster frame.")
    return Output("poster", "poster", path, "image/jpeg", height=height)


def _measure(output: Output, duration: float | None) -> None:
    """Size, duration and bitrate of one output, probed on the output itself (ffmpeg
    writes durations into the files it makes); ``duration`` is the fallback."""
    output.size_bytes = output.path.stat().st_size
    if output.kind == "poster":
        return
    try:
        info = probe(output.path)
    except MediaError:
        info = ProbeResult()
    output.duration = info.duration or duration
    if output.duration:
        output.bitrate_kbps = int(output.size_bytes * 8 / output.duration / 1000)
    if output.kind == "video" and info.height:
        output.width, output.height = info.width, info.height
