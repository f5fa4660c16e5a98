"""File responses with HTTP Range (resumed downloads, video seeking) and If-Range."""

import re

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import http_date

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) inclusive; None = no usable range (send all); False = unsatisfiable."""
    match = _RANGE_RE.match(header.strip())
    if not match:
        return None  # malformed or several ranges: answer with the whole file
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            return False
        return max(0, size - length), size - 1
    first_byte = int(first)
    last_byte = int(last) if last else size - 1
    if first_byte >= size or last_byte < first_byte:
        return False
    return first_byte, min(last_byte, size - 1)


def _stream(handle, first: int, length: int):
    try:
        handle.seek(first)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def ranged_file_response(
    request,
    *,
    open_file,
    size: int,
    content_type: str,
    etag: str | None = None,
    last_modified: float | None = None,
    disposition: str | None = None,
):
    """200 with the whole file, 206 with one range, or 416. ``open_file()`` returns a
    binary file object; it is opened only when bytes are sent."""
    # Byte ranges are of the stored bytes: GZipMiddleware must not recompress them.
    request.META.pop("HTTP_ACCEPT_ENCODING", None)
    headers = {"Accept-Ranges": "bytes", "X-Content-Type-Options": "nosniff"}
    if etag:
        headers["ETag"] = etag
    if last_modified:
        headers["Last-Modified"] = http_date(last_modified)
    if disposition:
        headers["Content-Disposition"] = disposition
    if etag and etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        return HttpResponse(status=304, headers=headers)
    byte_range = None
    range_header = request.headers.get("Range")
    if range_header and request.method in ("GET", "HEAD"):
        if_range = request.headers.get("If-Range")
        if not if_range or (etag and if_range.strip() == etag):
            byte_range = _byte_range(range_header, size)
    if byte_range is False:
        return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    first, last = byte_range if byte_range else (0, size - 1)
    length = max(0, last - first + 1)
    status = 206 if byte_range else 200
    if byte_range:
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    if request.method == "HEAD" or length == 0:
        response = HttpResponse(status=status, content_type=content_type, headers=headers)
    else:
        response = StreamingHttpResponse(
            _stream(open_file(), first, length), status=status, content_type=content_type, headers=headers
        )
    response["Content-Length"] = str(length)
    return response
