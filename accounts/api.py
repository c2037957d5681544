"""The accounts API: token login, the current user, Pro codes."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.views import TokenRefreshView

from config.api_schema import ERROR

from . import login_guard, selectors, services, tokens
from .permissions import IsInstructor


class PublicTokenEndpoint(APIView):
    """An endpoint that takes credentials in its body, not a header; its refusals are 401 with a Bearer challenge."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


class TokenObtainView(PublicTokenEndpoint):
    """Log in with username and password; get a short-lived access token and a refresh token."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TokenObtainInput"

        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})

    @extend_schema(
        request=InputSerializer,
        responses={200: TokenPairSerializer, 401: ERROR, 429: ERROR},
        summary="Log in (token)",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username, password = data.validated_data["username"], data.validated_data["password"]
        address = login_guard.client_address(request)
        wait = login_guard.login_blocked(username=username, address=address)
        if wait:
            raise exceptions.Throttled(wait=wait, detail="Too many failed logins; try again later.")
        user = authenticate(request, username=username, password=password)
        if user is None:
            login_guard.login_failed(username=username, address=address)
            raise exceptions.AuthenticationFailed("Wrong username or password.", code="bad_credentials")
        login_guard.login_succeeded(username=username)
        return Response(tokens.tokens_for(user))


class TokenRefreshRotateView(TokenRefreshView):
    """Exchange a refresh token for a new pair; the old refresh token stops working."""

    @extend_schema(responses={200: TokenPairSerializer, 401: ERROR}, summary="Refresh the token pair")
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class LogoutView(PublicTokenEndpoint):
    """Revoke a refresh token so it can never be used again."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LogoutInput"

        refresh = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={204: None, 401: ERROR}, summary="Log out (revoke)")
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = tokens.RevocableRefreshToken(data.validated_data["refresh"])
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="token_not_valid") from None
        token.revoke()
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanSerializer(serializers.Serializer):
    name = serializers.CharField()
    concurrent_jobs = serializers.IntegerField()
    jobs_per_day = serializers.IntegerField()
    max_epochs = serializers.IntegerField()
    max_parameters = serializers.IntegerField()
    max_samples = serializers.IntegerField()
    max_wall_seconds = serializers.IntegerField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    # Not an EmailField: accounts may have no address, and "" is no valid "format: email" string.
    email = serializers.CharField(help_text="The account's email address; empty when none is set.")
    role = serializers.CharField()
    is_pro = serializers.BooleanField()
    pro_until = serializers.DateTimeField(allow_null=True)
    plan = PlanSerializer()


class MeView(APIView):
    """Who I am: role, Pro status and the limits of my plan."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, summary="The current user")
    def get(self, request):
        user = request.user
        body = {
            "username": user.username,
            "email": user.email,
            "role": user.role,
            "is_pro": user.is_pro,
            "pro_until": user.pro_until,
            "plan": selectors.plan_limits(user=user),
        }
        return Response(MeSerializer(body).data)


class ProCodeSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    days = serializers.IntegerField(read_only=True)
    max_uses = serializers.IntegerField(read_only=True)
    uses = serializers.IntegerField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ProCodeListCreateView(APIView):
    """Instructors: create Pro codes and list the ones they created."""

    permission_classes = [IsInstructor]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProCodeCreateInput"

        days = serializers.IntegerField(min_value=1, max_value=3650)
        max_uses = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
        expires_at = serializers.DateTimeField()
        code = serializers.CharField(required=False, max_length=40, help_text="Leave out to generate one.")

    @extend_schema(responses={200: ProCodeSerializer(many=True)}, summary="List my Pro codes")
    def get(self, request):
        codes = selectors.pro_codes_for(user=request.user)
        return Response(ProCodeSerializer(codes, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ProCodeSerializer, 400: ERROR}, summary="Create a Pro code")
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            code = services.pro_code_create(created_by=request.user, **data.validated_data)
        except services.ProCodeError as exc:
            raise exceptions.ValidationError({"code" if exc.code in ("invalid_code", "code_taken") else "non_field_errors": [exc.message]})
        return Response(ProCodeSerializer(code).data, status=status.HTTP_201_CREATED)


class RedeemResultSerializer(serializers.Serializer):
    detail = serializers.CharField()
    is_pro = serializers.BooleanField()
    pro_until = serializers.DateTimeField()


class ProCodeRedeemView(APIView):
    """Redeem a Pro code for the logged-in user."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProCodeRedeemInput"

        code = serializers.CharField(max_length=64)

    @extend_schema(
        request=InputSerializer,
        responses={200: RedeemResultSerializer, 400: OpenApiResponse(ERROR, description="Why the code was refused")},
        summary="Redeem a Pro code",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            redemption = services.pro_code_redeem(user=request.user, code=data.validated_data["code"])
        except services.ProCodeError as exc:
            return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
        until = redemption.pro_until_after
        return Response(
            {"detail": f"Pro is active until {until:%Y-%m-%d %H:%M} UTC.", "is_pro": True, "pro_until": until}
        )
