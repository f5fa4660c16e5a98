"""ASGI entry point: HTTP through Django, websockets through Channels with JWT auth."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from core.daphne_patch import stop_twisted_form_parsing  # noqa: E402
from core.ws_auth import JWTAuthMiddleware  # noqa: E402
from llm_tutor.routing import websocket_urlpatterns as tutor_ws  # noqa: E402
from notifications.routing import websocket_urlpatterns as notifications_ws  # noqa: E402
from video_tutorials.routing import websocket_urlpatterns as recordings_ws  # noqa: E402

stop_twisted_form_parsing()

websocket_urlpatterns = [*notifications_ws, *recordings_ws, *tutor_ws]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(JWTAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
