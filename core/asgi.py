"""ASGI entry point: HTTP through Django, websockets through Channels with JWT auth."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from accounts.ws_auth import JWTAuthMiddleware  # noqa: E402
from core.daphne_patch import stop_twisted_form_parsing  # noqa: E402
from llm_tutor.routing import websocket_urlpatterns as tutor_ws  # noqa: E402
from notifications.routing import websocket_urlpatterns as notifications_ws  # noqa: E402
from video_tutorials.routing import websocket_urlpatterns as recordings_ws  # noqa: E402

stop_twisted_form_parsing()


class SiteOriginValidator(OriginValidator):
    """Browser websockets from our own hosts (ALLOWED_HOSTS) or the SPAs' origins
    (CORS_ALLOWED_ORIGINS, e.g. https://app.mrict.example.com); others are refused.

    A handshake without Origin (not a browser) is refused too, as by Channels' own
    validators: a browser always sends one, so the check can't be skipped by a page.
    The lists are read per connection, so settings overrides apply.
    """

    def __init__(self, application):
        self.application = application

    @property
    def allowed_origins(self) -> list[str]:
        return [*settings.ALLOWED_HOSTS, *settings.CORS_ALLOWED_ORIGINS]


websocket_urlpatterns = [*notifications_ws, *recordings_ws, *tutor_ws]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SiteOriginValidator(JWTAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
