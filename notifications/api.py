"""The signed-in user's notifications: list, unread count, mark read."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.query import QuerySerializer

from . import services
from .selectors import notifications_for
from .serializers import MarkedSerializer, NotificationSerializer, UnreadCountSerializer


class NotificationQuerySerializer(QuerySerializer):
    unread = serializers.BooleanField(required=False, help_text="true: only notifications not read yet.")


@extend_schema(parameters=[NotificationQuerySerializer], tags=["notifications"])
class NotificationListApi(ListAPIView):
    serializer_class = NotificationSerializer
    filter_backends: list = []

    def get_queryset(self):
        query = NotificationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return notifications_for(user=self.request.user, unread_only=query.validated_data.get("unread", False))


class UnreadCountApi(APIView):
    @extend_schema(responses={200: UnreadCountSerializer}, tags=["notifications"])
    def get(self, request):
        return Response({"unread": notifications_for(user=request.user, unread_only=True).count()})


class MarkReadApi(APIView):
    @extend_schema(request=None, responses={200: NotificationSerializer}, tags=["notifications"])
    def post(self, request, notification_id: str):
        notification = get_object_or_404(notifications_for(user=request.user), notification_id=notification_id)
        return Response(NotificationSerializer(services.notification_mark_read(notification=notification)).data)


class MarkAllReadApi(APIView):
    @extend_schema(request=None, responses={200: MarkedSerializer}, tags=["notifications"])
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})
