"""Token authentication per system account: `Authorization: Token <key>`."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from api.models import SystemAccount
from api.services import key_digest
from bartim import access


class SystemAccountAuthentication(authentication.BaseAuthentication):
    """The request reads as the system account's account (its role), or as the public
    (bartim.access.PUBLIC) for a public token. request.auth is the system account."""

    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Token."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        system = (
            SystemAccount.objects.select_related("account")
            .filter(key_digest=key_digest(key), is_active=True)
            .first()
        )
        if system is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid or was revoked."))
        if system.account is None:
            return access.PUBLIC, system
        if not system.account.is_active:
            raise exceptions.AuthenticationFailed(_("The account of this token is inactive."))
        return system.account, system

    def authenticate_header(self, request):
        return self.keyword


class SystemAccountScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token (drf-spectacular finds it by the class above)."""

    target_class = SystemAccountAuthentication
    name = "systemAccountToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=SystemAccountAuthentication.keyword
        )
