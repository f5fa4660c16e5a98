"""Saving and removing recording files: a full or failing store is a clear 507/503, never half a file."""

import errno
import logging

from django.core.files.storage import default_storage

from core.errors import InsufficientStorage, ServiceUnavailable

logger = logging.getLogger(__name__)


def _storage_errors() -> tuple[type[Exception], ...]:
    """What a storage backend raises when it cannot store: OSError from a disk, and
    botocore's errors from S3 (botocore is only there when the S3 backend is installed)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


STORAGE_ERRORS = _storage_errors()


def storage_failure(exc: Exception, name: str) -> Exception:
    """507 when the disk is full (retrying won't help until someone frees space); 503 for
    every other storage failure (EIO, EACCES, an object store refusing or unreachable)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InsufficientStorage()
    logger.error("Storage failed while saving %s: %r", name, exc)
    return ServiceUnavailable("File storage is unavailable right now. Try again in a minute.")


def storage_discard(name: str) -> None:
    try:
        if default_storage.exists(name):
            default_storage.delete(name)
    except STORAGE_ERRORS as exc:
        logger.warning("Could not remove the partial file %s: %r", name, exc)


def storage_save(name: str, content) -> str:
    """Save, or leave nothing behind: a disk that fills up or fails mid-write must not keep
    half a file, and a storage failure is a clear 507/503, never a 500."""
    try:
        name = default_storage.get_available_name(name)
    except STORAGE_ERRORS as exc:  # nothing written yet; the name may be someone else's file
        raise storage_failure(exc, name) from exc
    try:
        return default_storage.save(name, content)
    except STORAGE_ERRORS as exc:
        storage_discard(name)
        raise storage_failure(exc, name) from exc


def files_delete(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except STORAGE_ERRORS as exc:
            logger.warning("Could not delete %s: %s", name, exc)
