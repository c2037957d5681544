"""The OpenAPI schema's view inspector: every operation documents the errors it can answer.

drf-spectacular documents what a view declares with ``@extend_schema``; the errors that DRF itself
answers (bad input, missing or bad credentials, refused permission, unknown object, a body type it
does not read) are added here from what the operation is, so a client sees every status it can get, in
the shape of ``config.api_errors``.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    """An API error: one sentence and a code; bad input adds the fields at fault."""

    class Meta:
        ref_name = "Error"

    detail = serializers.CharField(help_text="One sentence saying what is wrong.")
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. invalid, not_found, quota.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Bad input only: field path -> messages.")
    retry_after_seconds = serializers.IntegerField(required=False, help_text="Throttled requests: when to retry.")
    resets_at = serializers.DateTimeField(required=False, help_text="Quota refusals: when the quota resets.")


ERROR = ErrorSerializer

BAD_INPUT = OpenApiResponse(ERROR, description="Bad input; `errors` names each field at fault.")
UNAUTHENTICATED = OpenApiResponse(ERROR, description="Credentials missing, expired or not valid.")
FORBIDDEN = OpenApiResponse(ERROR, description="This user may not do this.")
NOT_FOUND = OpenApiResponse(ERROR, description="No such object, or not one this user may see.")
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(ERROR, description="The body's Content-Type is not one the operation reads.")


class AutoSchema(SpectacularAutoSchema):
    """Add the 400, 401, 403, 404 and 415 answers an operation can give, unless the view documents them."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for status_code, response in self._implicit_errors(operation).items():
            if status_code not in responses:
                responses[status_code] = self._get_response_for_code(response, status_code)
        return operation

    def _implicit_errors(self, operation):
        errors = {}
        parameters = operation.get("parameters", [])
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            errors["400"] = BAD_INPUT
        authenticators = self.view.get_authenticators()
        if authenticators:
            # Any operation that reads credentials refuses a bad or expired token.
            errors["401"] = UNAUTHENTICATED
        permissions = self.view.get_permissions()
        checks_csrf = self.method not in ("GET", "HEAD", "OPTIONS") and any(
            isinstance(a, SessionAuthentication) for a in authenticators)
        if checks_csrf or not all(isinstance(p, AllowAny) for p in permissions):
            errors["403"] = FORBIDDEN
        if any(p["in"] == "path" for p in parameters):
            errors["404"] = NOT_FOUND
        if "requestBody" in operation:
            errors["415"] = UNSUPPORTED_MEDIA_TYPE
        return errors
