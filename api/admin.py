"""System accounts in the admin: an administrator creates one (its token is shown once, on
the page after saving), revokes it, and reads the request log. Through api.services."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api.models import ApiRequest, SystemAccount
from api.services import system_account_create, system_account_revoke
from bartim import access


class AdminOnly:
    def has_module_permission(self, request):
        return access.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Kept for the request log; a token is revoked instead.
        return False


@admin.register(SystemAccount)
class SystemAccountAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ("name", "account", "key_prefix", "is_active", "created_at", "revoked_at")
    list_filter = ("is_active",)
    fields = ("name", "account", "key_prefix", "is_active", "created_at", "created_by")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return access.is_admin(request.user)

    def get_readonly_fields(self, request, obj=None):
        shown = ("key_prefix", "is_active", "created_at", "created_by")
        return shown if obj is None else ("name", "account", *shown)

    def get_fields(self, request, obj=None):
        return ("name", "account") if obj is None else self.fields

    def save_model(self, request, obj, form, change):
        system, key = system_account_create(name=obj.name, account=obj.account, actor=request.user)
        obj.pk = system.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("The token of %(name)s, shown only this once: %(key)s")
            % {"name": system.name, "key": key},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for system in queryset:
            system_account_revoke(system=system, actor=request.user)
        messages.success(request, _("The tokens are revoked."))


@admin.register(ApiRequest)
class ApiRequestAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ("at", "system_account", "method", "path", "query", "status", "duration_ms")
    list_filter = ("status", "system_account")
    list_select_related = ("system_account",)
