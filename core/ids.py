"""Public ids such as ``SCH-0JP0Z5GR-OL``: unguessable, readable over the phone."""

import secrets

# Crockford base32: no I, L, O, U, so ids read aloud are not confused.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_public_id(prefix: str) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    tail = "".join(secrets.choice(ALPHABET) for _ in range(2))
    return f"{prefix}-{body}-{tail}"
