"""Public ids such as ``SCH-0JP0Z5GR-OL``: unguessable, readable over the phone."""

import secrets

from django.http import Http404
from rest_framework.exceptions import ValidationError

# Crockford base32: no I, L, O, U, so ids read aloud are not confused.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_public_id(prefix: str) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    tail = "".join(secrets.choice(ALPHABET) for _ in range(2))
    return f"{prefix}-{body}-{tail}"


def as_numeric_id(key: str) -> int | None:
    """``key`` as a database id when it is one (ASCII digits that fit a bigint), else None."""
    if key.isascii() and key.isdigit() and len(key) <= 18:
        return int(key)
    return None


def public_id_or_pk(key: str, *, public_field: str) -> dict:
    """The filter for a URL key that is either a row's public id or its numeric pk (old links)."""
    numeric = as_numeric_id(key)
    return {"pk": numeric} if numeric is not None else {public_field: key}


def get_by_public_id_or_pk(queryset, key: str, *, public_field: str):
    """The one row of ``queryset`` that ``key`` names, else a 404."""
    try:
        return queryset.get(**public_id_or_pk(key, public_field=public_field))
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def rows_by_public_ids(model, public_field: str, ids: list[str], *, field: str) -> list:
    """Public ids from a request body to rows, in one query; unknown ids are a 400 on ``field``."""
    rows = {getattr(row, public_field): row for row in model.objects.filter(**{f"{public_field}__in": ids})}
    unknown = [public_id for public_id in ids if public_id not in rows]
    if unknown:
        raise ValidationError({field: [f"No {model._meta.verbose_name} with the id {', '.join(unknown)}."]})
    return [rows[public_id] for public_id in dict.fromkeys(ids)]
