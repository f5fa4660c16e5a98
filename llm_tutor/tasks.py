"""Celery tasks of the tutor."""

from celery import shared_task

from .index import build_index


@shared_task(name="llm_tutor.tasks.build_curriculum_index")
def build_curriculum_index(force: bool = False) -> dict:
    result = build_index(force=force)
    return {"version": result.version, "count": result.count, "built": result.built, "seconds": result.seconds}
