from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for a first run (`manage.py seed_demo`): it depends on every domain app, none on it."""

    name = "demo"
