"""MEDIA_URL served by Django when media lives on local disk (the embedded setup).

Only files under MEDIA_ROOT, only known safe types inline (video, audio, images,
WebVTT, zip); anything else is a download. With S3 storage media URLs point at the
bucket and this route answers 404.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404
from django.urls import re_path
from django.views.decorators.http import require_http_methods

from .ranges import ranged_file_response

INLINE_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".vtt": "text/vtt; charset=utf-8",
    ".zip": "application/zip",
}


def media_path(relative: str) -> Path:
    """The file under MEDIA_ROOT, or Http404 for anything that would leave it."""
    if not isinstance(default_storage, FileSystemStorage):
        raise Http404
    if "\x00" in relative or relative.startswith(("/", "\\")):
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    candidate = (root / relative).resolve()  # resolves '..' and symlinks
    if candidate == root or root not in candidate.parents or not candidate.is_file():
        raise Http404
    if any(part.startswith(".") for part in candidate.relative_to(root).parts):
        raise Http404
    return candidate


def content_type_for(path: Path) -> tuple[str, bool]:
    """(content type, inline?)"""
    suffix = path.suffix.lower()
    if suffix == ".webm" and path.name.startswith("audio"):
        return "audio/webm", True
    if suffix in INLINE_TYPES:
        return INLINE_TYPES[suffix], True
    # Everything else (HTML, SVG, scripts…) is a download, never rendered on our origin.
    return "application/octet-stream", False


@require_http_methods(["GET", "HEAD"])
def media_serve(request, path: str):
    file_path = media_path(path)
    stat = file_path.stat()
    content_type, inline = content_type_for(file_path)
    disposition = None if inline else f'attachment; filename="{file_path.name.replace(chr(34), "")}"'
    return ranged_file_response(
        request,
        open_file=lambda: open(file_path, "rb"),
        size=stat.st_size,
        content_type=content_type,
        etag=f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"',
        last_modified=stat.st_mtime,
        disposition=disposition,
    )


def _media_prefix() -> str:
    return settings.MEDIA_URL.lstrip("/") if settings.MEDIA_URL.startswith("/") else "media/"


urlpatterns = [
    re_path(rf"^{_media_prefix()}(?P<path>.+)$", media_serve, name="media"),
]
