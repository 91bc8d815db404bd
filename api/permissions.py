from rest_framework import permissions

from api.models import SystemAccount
from bartim import access


class ReadsThroughThePolicy(permissions.BasePermission):
    """A system account with a valid token reads; nobody writes (the API is read-only). What
    it reads is the access policy's answer for its account (each view's get_queryset)."""

    def has_permission(self, request, view):
        if not isinstance(request.auth, SystemAccount):
            return False
        model = getattr(view, "policy_model", None)
        return model is None or access.may_read(request.user, model)
