"""Media on S3-compatible storage (django-storages) with the local media route's header rules."""

from pathlib import PurePosixPath

from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

from .media import content_type_for


class MediaS3Storage(S3Storage):
    """Browsers fetch objects straight from the bucket (through the proxy's /media/), so
    the headers they get are the ones stored here at upload. django-storages would store
    the uploader's claimed type (text/html included); instead, the same table as
    ``core.media`` decides: known media inline, anything else a download."""

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        path = PurePosixPath(name)
        content_type, inline = content_type_for(path)
        params["ContentType"] = content_type
        if not inline:
            # RFC 6266 form: non-ASCII names become filename*=utf-8''…, valid in S3 metadata.
            params["ContentDisposition"] = content_disposition_header(as_attachment=True, filename=path.name)
        return params
