"""Top-k curriculum entries for a query: vector (FAISS) + optional BM25, step boost, level filter, LRU cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .curriculum import Entry
from .index import embed_query, get_index
from .text import normalize_query, tokenize

LEVEL_ORDER = ("B7", "B8", "B9", "SHS1", "SHS2", "SHS3")
# Weights measured on bench/tutor_eval (see bench/bench_tutor.py).
BM25_WEIGHT = 0.07
BOOST = 0.15
# How a student's level is used: "filter" (only their level and earlier), "soft" (later levels
# lose LEVEL_PENALTY) or "off". Measured in bench/bench_tutor.py.
LEVEL_MODE = "soft"
LEVEL_PENALTY = 0.05
CACHE_SIZE = 2048
MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float

    def reference(self) -> dict:
        return self.entry.reference()


class _LRU:
    def __init__(self, size: int):
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                self.hits += 1
                return self.data[key]
            self.misses += 1
            return None

    def put(self, key, value) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()
            self.hits = self.misses = 0


_results = _LRU(CACHE_SIZE)
_vectors = _LRU(CACHE_SIZE)


def clear_cache() -> None:
    _results.clear()
    _vectors.clear()


def allowed_levels(level: str | None) -> frozenset[str] | None:
    """A student's level and the ones before it (they may revise earlier work)."""
    if not level or level not in LEVEL_ORDER:
        return None
    return frozenset(LEVEL_ORDER[: LEVEL_ORDER.index(level) + 1])


def _query_vector(query: str):
    vector = _vectors.get(query)
    if vector is None:
        vector = embed_query(query)
        _vectors.put(query, vector)
    return vector


def _minmax(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def retrieve(
    query: str,
    *,
    k: int = 5,
    level: str | None = None,
    boost_ids: tuple[str, ...] | list[str] = (),
    hybrid: bool = True,
    use_cache: bool = True,
    dense_parts: tuple[str, ...] | None = None,
    level_mode: str | None = None,
) -> tuple[list[Hit], bool]:
    """Returns (hits best first, served_from_cache).

    ``dense_parts``: embed these parts (each cached on its own) and search with their mean vector
    instead of embedding the whole query; BM25 still scores the whole query. The tutor passes the
    step's text and its diff hints, which repeat across students, so an update rarely embeds anything.
    """
    index = get_index()
    normalized = normalize_query(query)[:MAX_QUERY_CHARS]
    boost = tuple(sorted(set(boost_ids)))
    parts = tuple(p for p in (normalize_query(x)[:MAX_QUERY_CHARS] for x in dense_parts or ()) if p)
    level_mode = level_mode or LEVEL_MODE
    key = (index.version, normalized, k, level, boost, hybrid, parts, level_mode)
    if use_cache:
        cached = _results.get(key)
        if cached is not None:
            return cached, True
    if not normalized:
        hits = [Hit(index.entries[index.by_id[i]], 1.0) for i in boost if i in index.by_id][:k]
        return hits, False

    n = len(index)
    scores = np.full(n, -1.0, dtype="float32")
    if parts:
        vector = np.mean([_query_vector(p) for p in parts], axis=0)
        vector = (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype("float32")
    else:
        vector = _query_vector(normalized)
    for i, s in index.search(vector, n):
        scores[i] = s
    if hybrid:
        tokens = tokenize(normalized)
        if tokens:
            lexical = np.asarray(index.bm25.get_scores(tokens), dtype="float32")
            scores = scores + BM25_WEIGHT * _minmax(lexical)
    for entry_id in boost:
        i = index.by_id.get(entry_id)
        if i is not None:
            scores[i] += BOOST
    allowed = allowed_levels(level)
    if allowed is not None and level_mode == "soft":
        # Prefer the student's level and earlier ones, but still find a later topic they ask about.
        above = np.fromiter((e.level not in allowed for e in index.entries), dtype=bool, count=n)
        scores = scores - LEVEL_PENALTY * above
        allowed = None
    elif level_mode == "off":
        allowed = None
    order = np.argsort(-scores)
    chosen = [int(i) for i in order if allowed is None or index.entries[int(i)].level in allowed]
    if not chosen:
        chosen = [int(i) for i in order]
    hits = [Hit(index.entries[i], round(float(scores[i]), 4)) for i in chosen[:k]]
    if use_cache:
        _results.put(key, hits)
    return hits, False


def cache_stats() -> dict:
    return {"hits": _results.hits, "misses": _results.misses, "size": len(_results.data)}
