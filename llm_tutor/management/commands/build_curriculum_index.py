"""Embed curriculum/ into the FAISS index under the data directory (atomic, versioned).

With EMBEDDING_RUNTIME=onnx it also exports the model to ONNX first (once), so web
processes find it ready and never load torch."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from llm_tutor.curriculum import CurriculumError
from llm_tutor.index import build_index, current_version


class Command(BaseCommand):
    help = "Build the curriculum vector index (FAISS) used by the AI tutor."

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when an index is already live.")
        parser.add_argument("--force", action="store_true", help="Rebuild even when the content is unchanged.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        if settings.EMBEDDING_RUNTIME == "onnx":
            from llm_tutor.embedding import ensure_onnx_model

            self.stdout.write(f"Embedding model for ONNX Runtime: {ensure_onnx_model()}")
        if options["if_missing"] and current_version():
            self.stdout.write(f"Curriculum index present ({current_version()}); nothing to do.")
            return
        try:
            result = build_index(force=options["force"], progress=not options["no_progress"])
        except (CurriculumError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        verb = "Built" if result.built else "Up to date:"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} curriculum index {result.version}: {result.count} entries in {result.seconds:.1f}s"
            )
        )
