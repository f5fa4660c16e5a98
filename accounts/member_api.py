"""The admin API over member accounts (teachers, students): one list-and-add view and one
read-and-change view, which teachers/api.py and students/api.py fill in with their
profile's selector, serializers and services."""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status
from rest_framework.filters import SearchFilter
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsAdminRole


class MemberAccountsApi:
    # A subclass names members() (the profiles admins see, shaped for one query per page)
    # and the output serializer; every response re-reads the member through them.
    permission_classes = [IsAdminRole]
    serializer_class: type

    def members(self):
        raise NotImplementedError

    def member(self, user_id: str):
        member = self.members().filter(user__user_id=user_id).first()
        if member is None:
            raise Http404
        return member

    def member_data(self, user_id: str) -> dict:
        return self.serializer_class(self.member(user_id)).data


class MemberListApi(MemberAccountsApi, ListAPIView):
    # GET: the members, filtered and searched; POST: open an account (with its welcome email).
    filter_backends = [DjangoFilterBackend, SearchFilter]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    create_serializer_class: type

    def get_queryset(self):
        return self.members()

    def member_create(self, **fields):
        raise NotImplementedError

    def post(self, request):
        serializer = self.create_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = self.member_create(**serializer.validated_data)
        return Response(self.member_data(created.user.user_id), status=status.HTTP_201_CREATED)


class MemberDetailApi(MemberAccountsApi, APIView):
    # GET one member; PATCH changes only the fields sent.
    update_serializer_class: type

    def member_update(self, member, **changes):
        raise NotImplementedError

    def get(self, request, user_id: str):
        return Response(self.member_data(user_id))

    def patch(self, request, user_id: str):
        member = self.member(user_id)
        serializer = self.update_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.member_update(member, **serializer.validated_data)
        return Response(self.member_data(user_id))
