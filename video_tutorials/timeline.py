"""The code timeline's storage format: keyframes plus text deltas, in chunks.

A chunk holds up to ``CHUNK_SIZE`` consecutive snapshots. Its first snapshot's code is
stored in full (the keyframe); every next one as a delta ``[prefix, suffix, text]``
against the previous code: keep ``prefix`` characters from the start and ``suffix``
from the end, put ``text`` between. Editors change one place at a time, so deltas are
tiny, and any chunk decodes on its own (a time window never needs earlier chunks).
"""

from dataclasses import dataclass, field

import orjson

CHUNK_SIZE = 60


@dataclass(frozen=True, slots=True)
class Snapshot:
    timestamp: float
    code: str
    cursor: dict | None
    scroll: dict | None
    # Its position in the request that sent it (for reporting); never stored.
    index: int | None = field(default=None, compare=False)

    def as_player_dict(self) -> dict:
        """The shape the recorder sends and the player reads."""
        return {
            "timestamp": self.timestamp,
            "code": self.code,
            "cursorPosition": self.cursor,
            "scrollPosition": self.scroll,
        }


def _common_prefix_length(a: str, b: str, limit: int) -> int:
    # Binary search on slice equality: C-speed comparisons, no per-character Python loop.
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix_length(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def text_delta(old: str, new: str) -> list:
    """``[prefix, suffix, text]`` such that ``apply_delta(old, delta) == new``."""
    prefix = _common_prefix_length(old, new, min(len(old), len(new)))
    suffix = _common_suffix_length(old, new, min(len(old), len(new)) - prefix)
    return [prefix, suffix, new[prefix : len(new) - suffix]]


def apply_delta(old: str, delta: list) -> str:
    prefix, suffix, text = delta
    return old[:prefix] + text + old[len(old) - suffix :]


def encode_chunk(snapshots: list[Snapshot]) -> str:
    deltas = [text_delta(a.code, b.code) for a, b in zip(snapshots, snapshots[1:], strict=False)]
    return orjson.dumps(
        {
            "k": snapshots[0].code,
            "d": deltas,
            "t": [s.timestamp for s in snapshots],
            "c": [s.cursor for s in snapshots],
            "s": [s.scroll for s in snapshots],
        }
    ).decode()


def decode_chunk(data: str) -> list[Snapshot]:
    raw = orjson.loads(data)
    code = raw["k"]
    codes = [code]
    for delta in raw["d"]:
        code = apply_delta(code, delta)
        codes.append(code)
    return [Snapshot(t, c, cur, scr) for t, c, cur, scr in zip(raw["t"], codes, raw["c"], raw["s"], strict=True)]


def chunk_window(data: str, start: float | None, end: float | None, *, delta: bool) -> list[dict]:
    """The chunk's snapshots with ``start <= timestamp <= end``, in the player's shape.

    With ``delta``, the first snapshot taken from the chunk carries ``code`` and each
    next one only ``delta`` (``[prefix, suffix, text]``) against the one before it.
    """
    raw = orjson.loads(data)
    times, deltas, cursors, scrolls = raw["t"], raw["d"], raw["c"], raw["s"]
    first = 0
    last = len(times)
    if start is not None:
        while first < last and times[first] < start:
            first += 1
    if end is not None:
        while last > first and times[last - 1] > end:
            last -= 1
    code = raw["k"]
    for i in range(1, first + 1):
        prefix, suffix, text = deltas[i - 1]
        code = code[:prefix] + text + code[len(code) - suffix :]
    out = []
    for i in range(first, last):
        if i > first:
            prefix, suffix, text = change = deltas[i - 1]
            if delta:
                out.append(
                    {"timestamp": times[i], "delta": change, "cursorPosition": cursors[i], "scrollPosition": scrolls[i]}
                )
                continue
            code = code[:prefix] + text + code[len(code) - suffix :]
        out.append({"timestamp": times[i], "code": code, "cursorPosition": cursors[i], "scrollPosition": scrolls[i]})
    return out


def split_into_chunks(snapshots: list[Snapshot], size: int = CHUNK_SIZE) -> list[list[Snapshot]]:
    return [snapshots[i : i + size] for i in range(0, len(snapshots), size)]
