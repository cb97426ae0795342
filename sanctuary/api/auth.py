"""API authentication: token login with lockout, logout, and a user's own token list.

Tokens are django-rest-knox tokens: only a SHA-512 digest is stored, each expires
(``REST_KNOX["TOKEN_TTL"]``), and each can be revoked. Brute force is stopped by django-axes:
after ``AXES_FAILURE_LIMIT`` failures for one username from one IP address, that pair is locked out
(HTTP 429) until the cool-off passes.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sanctuary.api import plumbing
from sanctuary.api.authentication import TokenAuthentication
from sanctuary.api.schema import ERRORS_AUTHENTICATED, error_responses
from sanctuary.throttles import ScopedRateThrottle


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed login attempts. Try again later."
    default_code = "locked_out"


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: object) -> HttpResponse:
    """django-axes lockout page: the API's JSON error shape for API paths, plain text elsewhere."""
    body = {"status": 429, "code": LockedOut.default_code, "message": str(LockedOut.default_detail)}
    if request.path.startswith("/api/"):
        return JsonResponse({"error": body}, status=429)
    return HttpResponse(body["message"], status=429, content_type="text/plain; charset=utf-8")


class LoginInputSerializer(serializers.Serializer):
    username = plumbing.CharField(max_length=150)
    password = plumbing.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = plumbing.CharField(help_text="Send as `Authorization: Token <token>`. Shown only once.")
    token_key = plumbing.CharField(help_text="Public identifier of the token (first characters).")
    expiry = serializers.DateTimeField(allow_null=True)


class TokenListItemSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry", "current"]

    def get_current(self, token: AuthToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, AuthToken) and auth.digest == token.digest


class LoginView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_authenticate_header(self, request: Request) -> str:
        # Keep failed logins a 401 (DRF turns 401 into 403 for views without an auth scheme).
        return "Token"

    @extend_schema(
        request=LoginInputSerializer,
        responses={201: TokenSerializer, **error_responses(400, 401, 429)},
        summary="Exchange a username and password for an API token",
    )
    def post(self, request: Request) -> Response:
        data = LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # axes needs the Django request: it records the failure and flags a lockout on it. (DRF 3.18.3 keeps it
        # as ``Request._request``, the name its docs give; canary: tests/sanctuary/test_upstream_canaries.py.)
        django_request = request._request
        user = authenticate(django_request, **data.validated_data)
        if getattr(django_request, "axes_locked_out", False):
            raise LockedOut()
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("Invalid username or password.")
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()  # the sweep knox does per request
        instance, token = AuthToken.objects.create(user=user)
        body = {"token": token, "token_key": instance.token_key, "expiry": instance.expiry}
        return Response(TokenSerializer(body).data, status=status.HTTP_201_CREATED)


class LogoutView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, **ERRORS_AUTHENTICATED}, summary="Revoke the token in use")
    def post(self, request: Request) -> Response:
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, **ERRORS_AUTHENTICATED}, summary="Revoke all your tokens")
    def post(self, request: Request) -> Response:
        AuthToken.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: TokenListItemSerializer(many=True), **ERRORS_AUTHENTICATED}, summary="List your live API tokens"
    )
    def get(self, request: Request) -> Response:
        tokens = AuthToken.objects.filter(user=request.user, expiry__gt=timezone.now()).order_by("-created")
        return Response(TokenListItemSerializer(tokens, many=True, context={"request": request}).data)


class TokenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)}, summary="Revoke one of your tokens")
    def delete(self, request: Request, token_key: str) -> Response:
        # Scoped to the requester: someone else's token key is simply not found.
        token = get_object_or_404(AuthToken.objects.filter(user=request.user), token_key=token_key)
        token.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
