"""Serializer pieces shared by every app."""

from rest_framework import serializers


class RejectUnknownFieldsMixin:
    """Refuses unknown fields, so a typo in a client is a clear 400, not silently ignored.

    Used on the clean API's writes. The authoring endpoints the existing admin app calls
    stay lenient: that app may send back whole objects with fields of the old backend.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        return super().to_internal_value(data)


class AcceptedItems(list):
    """The valid items of a batch, in the order sent; ``positions[i]`` is the index of
    ``self[i]`` in the request and ``rejected`` lists ``{index, reason, code}`` of the rest."""

    def __init__(self, items=(), *, positions=(), rejected=()):
        super().__init__(items)
        self.positions = list(positions)
        self.rejected = list(rejected)


def _first_error(detail, prefix: str = "") -> tuple[str, str]:
    """(reason, code) of the first error in a DRF error tree, with the field it is on."""
    if isinstance(detail, dict):
        name, value = next(iter(detail.items()))
        label = "" if name == "non_field_errors" else name
        return _first_error(value, f"{prefix}.{label}".strip(".") if label else prefix)
    if isinstance(detail, list):
        return _first_error(detail[0], prefix)
    code = getattr(detail, "code", None) or "invalid"
    return (f"{prefix}: {detail}" if prefix else str(detail)), code


class BatchListField(serializers.ListField):
    """A batch-style write: a list of items the client sends in one go and cannot fix item
    by item (the studio re-sends whatever failed with its next batch). One bad item must
    never cost the good ones, so each item is validated alone: the valid ones are kept,
    every invalid one is reported by its index. The list itself (not a list, too long)
    is still a 400: that is a client bug, not one stray item."""

    def to_internal_value(self, data):
        if isinstance(data, (str, dict)) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not self.allow_empty and len(data) == 0:
            self.fail("empty")
        data = list(data)
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        items, positions, rejected = [], [], []
        for index, item in enumerate(data):
            try:
                items.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                reason, code = _first_error(exc.detail)
                rejected.append({"index": index, "reason": reason, "code": code})
            else:
                positions.append(index)
        return AcceptedItems(items, positions=positions, rejected=rejected)

    def run_validators(self, value):
        # max_length/min_length validators would count the accepted items; the
        # request's own length was checked above.
        return None


class RejectedItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the request's list.")
    reason = serializers.CharField()
    code = serializers.CharField()


class IsoDateTimeField(serializers.DateTimeField):
    """A datetime as Python's ``isoformat()`` ("+00:00", not DRF's "Z"), unconverted: the
    output some endpoints have always had, which their apps parse."""

    def to_representation(self, value):
        return value.isoformat() if value else None
