"""Settings for bench/load.py only: the project's settings with a URLconf that adds the
bare JSON view the load test uses as the stack's ceiling. Never used in production."""

from core.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load_urls"
