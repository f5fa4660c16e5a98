"""Public ids such as ``SCH-0JP0Z5GR-OL``: unguessable, readable over the phone."""

import secrets

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
