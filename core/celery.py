"""The Celery app: broker is Redis when REDIS_URL is set; tasks run eagerly otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

app = Celery("mrict")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
