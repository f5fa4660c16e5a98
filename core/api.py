"""Base view of the endpoints anyone may call without a token (sign-up, login, the school picker)."""

from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView


class PublicApi(APIView):
    # Set ``throttle_scope`` on a subclass to rate-limit it; without one it is not throttled.
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'  # wrong credentials are a 401, as on the rest of the API
