"""The curriculum's embedding model run by ONNX Runtime, so a web process needs no torch.

Importing torch and sentence-transformers alone cost a web process ~430 MB (a process
grew to ~755 MB once the tutor had answered). ONNX Runtime runs the same network,
exported once from the packaged sentence-transformers model: same tokenizer, mean
pooling and L2 normalisation as the model's own modules, vectors equal to ~1e-7, in
~170 MB. EMBEDDING_RUNTIME=torch keeps sentence-transformers (llm_tutor/index.py).

The export needs torch and onnx and runs where the index is built (`manage.py
build_curriculum_index`, run by `make run` and compose's `migrate` job); a process
that finds no export makes one in a child process, so it never loads torch itself.
The file lives under DATA_DIR/models/, named after the model and its weights.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path

from django.conf import settings

_embedder = None
_embedder_lock = threading.Lock()
EXPORT_TIMEOUT_SECONDS = 600


def _model_dir() -> Path:
    from .index import model_path

    return Path(model_path())


def onnx_model_file() -> Path:
    """Where this model's export lives; a new model or new weights get a new name."""
    model_dir = _model_dir()
    weights = model_dir / "model.safetensors"
    fingerprint = hashlib.sha256(
        f"{model_dir.resolve()}:{weights.stat().st_size if weights.exists() else 0}".encode()
    ).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in settings.EMBEDDING_MODEL)[-60:]
    return Path(settings.DATA_DIR) / "models" / f"{name}-{fingerprint}.onnx"


def export_onnx() -> Path:
    """Export the transformer to ONNX once (atomic; concurrent callers wait for the first)."""
    target = onnx_model_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".export.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        import torch
        from transformers import AutoModel, AutoTokenizer

        model_dir = str(_model_dir())
        transformer = AutoModel.from_pretrained(model_dir).eval()

        class LastHiddenState(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state

        sample = AutoTokenizer.from_pretrained(model_dir)(["a b", "c d e"], padding=True, return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        partial = target.with_suffix(f".{os.getpid()}.partial")
        # The tracer warns about branches it fixes (no causal mask, no extra padding): true of BERT.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHiddenState(transformer),
                tuple(sample[name] for name in names),
                str(partial),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]},
                opset_version=17,
                dynamo=False,
            )
        os.replace(partial, target)
        return target


def ensure_onnx_model() -> Path:
    target = onnx_model_file()
    if target.exists():
        return target
    if "torch" in sys.modules:  # already paid for here (a build, a test run): export in-process
        return export_onnx()
    code = "import django; django.setup(); from llm_tutor.embedding import export_onnx; export_onnx()"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=EXPORT_TIMEOUT_SECONDS, cwd=settings.BASE_DIR)
    return target


class OnnxEmbedder:
    """Tokenizer + ONNX session + the model's pooling (mean over tokens) and normalisation."""

    def __init__(self, onnx_file: Path, model_dir: Path, threads: int):
        import onnxruntime
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise RuntimeError(f"{model_dir}: only mean pooling is implemented for ONNX; use EMBEDDING_RUNTIME=torch")
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(config.get("max_seq_length", 256))
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # No arena: batches vary in shape, and an arena keeps the largest one's memory forever.
        options.enable_cpu_mem_arena = False
        self.session = onnxruntime.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]):
        import numpy as np

        encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        types = np.array([e.type_ids for e in encoded], dtype=np.int64)
        (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        weights = mask[..., None].astype("float32")
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return np.ascontiguousarray(pooled, dtype="float32")


def get_embedder() -> OnnxEmbedder:
    """Loaded lazily, once per process."""
    global _embedder
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                _embedder = OnnxEmbedder(ensure_onnx_model(), _model_dir(), settings.EMBEDDING_THREADS)
    return _embedder


def embed(texts: list[str], *, batch_size: int = 32):
    import numpy as np

    embedder = get_embedder()
    chunks = [embedder.encode(texts[start : start + batch_size]) for start in range(0, len(texts), batch_size)]
    return np.vstack(chunks) if chunks else np.zeros((0, 0), dtype="float32")
