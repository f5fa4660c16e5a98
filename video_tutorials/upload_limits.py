"""HTTP upload limits: a multipart upload or a caption file past its cap is refused while it streams."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from rest_framework.exceptions import ValidationError

from core.errors import PayloadTooLarge

from .captions import MAX_CAPTION_BYTES


class MaxSizeUploadHandler(FileUploadHandler):
    """Stops a multipart upload as soon as it passes the size cap, before it fills a disk."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + 1024 * 1024:
            raise PayloadTooLarge(f"The file is larger than the limit of {self.limit} bytes.")

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None

    def upload_complete(self):
        if self.received > self.limit:
            raise PayloadTooLarge(f"The file is larger than the limit of {self.limit} bytes.")


def install_upload_limit(request) -> None:
    """Call before ``request.data`` is read."""
    handler = MaxSizeUploadHandler(request, limit=settings.RECORDING_MAX_UPLOAD_BYTES)
    request.upload_handlers.insert(0, handler)


def refuse_oversize_caption(upload) -> None:
    """Before the caption file is read into memory."""
    if upload.size > MAX_CAPTION_BYTES:
        raise ValidationError({"file": [f"Captions are limited to {MAX_CAPTION_BYTES} bytes."]})
