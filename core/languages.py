"""Languages: stored and served by the clean API as codes (``settings.LANGUAGES``), accepted
as codes or names in any case (the student SPA sends and shows names: ``Twi``)."""

import re

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Recording and caption languages may be any BCP 47-style tag (``en``, ``en-GB``).
MEDIA_LANGUAGE_RE = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z0-9]{2,8}))?$")


def language_code_for(value: str) -> str | None:
    """The code of a language given by code or name, any case; None if unknown."""
    wanted = value.strip().casefold()
    for code, name in settings.LANGUAGES:
        if wanted in (code.casefold(), str(name).casefold()):
            return code
    return None


def language_name_for(code: str) -> str:
    """The name the apps show (``tw`` → ``Twi``); an unknown code as it is."""
    return next((str(name) for known, name in settings.LANGUAGES if known == code), code)


def _any_case(word: str) -> str:
    return "".join(f"[{char.lower()}{char.upper()}]" if char.isalpha() else re.escape(char) for char in word)


def _words_pattern() -> str:
    words = [word for code, name in settings.LANGUAGES for word in (code, str(name))]
    return "|".join(_any_case(word) for word in words)


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^({_words_pattern()})$",
        "description": "A language by code or name, any case: "
        + ", ".join(f"{code} / {name}" for code, name in settings.LANGUAGES)
        + ". Stored as the code.",
    }
)
class LanguageField(serializers.CharField):
    """A language of ``settings.LANGUAGES`` by code or name (any case); the code is kept."""

    default_error_messages = {
        "unknown_language": "Unknown language {value}: send one of "
        + ", ".join(str(name) for _, name in settings.LANGUAGES)
        + " (or its code)."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        code = language_code_for(value)
        if code is None:
            self.fail("unknown_language", value=repr(value[:40]))
        return code


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 16,
        "pattern": f"^({_words_pattern()}|[A-Za-z]{{2,3}}(-[A-Za-z0-9]{{2,8}})?)$",
        "description": "The language of a video or captions: a name (English, Twi…) or a code "
        "(en, tw, en-GB), any case. Stored as the code.",
    }
)
class MediaLanguageField(serializers.CharField):
    """A known language by name or code, or any BCP 47-style tag; stored with a lower-case
    language part and the rest as sent (``EN-GB`` → ``en-GB``)."""

    default_error_messages = {"invalid_language": "Send a language name (English, Twi…) or code (en, tw, en-GB)."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        code = language_code_for(value)
        if code is not None:
            return code
        match = MEDIA_LANGUAGE_RE.fullmatch(value)
        if match is None:
            self.fail("invalid_language")
        language, region = match.groups()
        return language.lower() + (f"-{region}" if region else "")
