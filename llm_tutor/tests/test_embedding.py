"""The embedding runtime (issue 14): ONNX Runtime gives the vectors sentence-transformers
gives, and concurrent questions share forward passes without mixing up their answers."""

import threading

import numpy as np
import pytest

TEXTS = [
    "why is my image not showing",
    "how do I centre a div with flexbox",
    "<img scr=kente.png> is broken",
    "my JavaScript onclick does nothing when I press the button " * 20,  # longer than 256 tokens
]


@pytest.fixture(scope="module")
def sentence_transformer():
    from llm_tutor.index import get_model

    return get_model()


def test_onnx_vectors_match_sentence_transformers(sentence_transformer):
    from llm_tutor.embedding import embed

    expected = sentence_transformer.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    vectors = embed(TEXTS)
    assert vectors.shape == expected.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    assert np.abs(vectors - expected).max() < 1e-4
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # One text alone (no padding) gives the same vector as inside a padded batch.
    assert np.abs(embed(TEXTS[:1])[0] - vectors[0]).max() < 1e-5


def test_the_export_is_made_once_and_named_after_the_model(settings):
    from llm_tutor.embedding import ensure_onnx_model, onnx_model_file

    path = ensure_onnx_model()
    assert path == onnx_model_file() and path.stat().st_size > 10_000_000
    assert path.parent == settings.DATA_DIR / "models" and settings.EMBEDDING_MODEL in path.name
    modified = path.stat().st_mtime_ns
    assert ensure_onnx_model().stat().st_mtime_ns == modified  # not exported again


@pytest.mark.parametrize("runtime", ["onnx", "torch"])
def test_concurrent_questions_are_batched_and_each_gets_its_own_vector(settings, runtime):
    from llm_tutor.index import EmbeddingBatcher, embed

    settings.EMBEDDING_RUNTIME = runtime
    batcher = EmbeddingBatcher(max_batch=8)
    questions = [f"why is picture number {n} of the kente cloth not showing" for n in range(24)]
    results: dict[int, np.ndarray] = {}
    start = threading.Barrier(len(questions))

    def ask(n: int) -> None:
        start.wait()
        results[n] = batcher.embed_one(questions[n])

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    alone = embed(questions)
    assert sorted(results) == list(range(len(questions)))
    for n, vector in results.items():
        assert np.abs(vector - alone[n]).max() < 1e-4, n
    assert batcher.batches < len(questions)  # some questions shared a pass


def test_a_failed_batch_fails_each_of_its_requests_and_the_batcher_goes_on(settings, monkeypatch):
    from llm_tutor import index

    batcher = index.EmbeddingBatcher()
    real_embed = index.embed

    def broken(texts, **kwargs):
        raise RuntimeError("model file is corrupt")

    monkeypatch.setattr(index, "embed", broken)
    with pytest.raises(RuntimeError, match="corrupt"):
        batcher.embed_one("why is my image not showing")
    monkeypatch.setattr(index, "embed", real_embed)
    assert batcher.embed_one("why is my image not showing").shape == (384,)


def test_retrieval_embeds_through_the_batcher_unless_switched_off(settings, curriculum_index, fresh_retrieval_cache):
    from llm_tutor import index
    from llm_tutor.retrieval import retrieve

    before = index.batcher.batches
    hits, cached = retrieve("how do I add a picture to my page")
    assert hits and not cached and index.batcher.batches == before + 1

    settings.TUTOR_EMBED_BATCHING = False
    hits_unbatched, _ = retrieve("how do I add a picture to my page", use_cache=False)
    assert index.batcher.batches == before + 1
    assert [hit.entry.id for hit in hits_unbatched] == [hit.entry.id for hit in hits]
