"""Text fields accept text only.

DRF's CharField quietly turns ``0`` or ``1.5`` into ``"0"``/``"1.5"``. The OpenAPI
schema promises strings, and a client sending a number where text belongs has a
bug worth hearing about, so numbers get a clear 400 instead.
"""

from rest_framework import fields


def make_char_fields_strict() -> None:
    if getattr(fields.CharField, "_mrict_strict", False):
        return
    original = fields.CharField.to_internal_value

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return original(self, data)

    fields.CharField.to_internal_value = to_internal_value
    fields.CharField._mrict_strict = True
