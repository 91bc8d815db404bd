"""Admin page for the poverty-pocket rule: a single row that only regency administrators
change. Kept apart from indicators/admin.py so that the rule travels with its module."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from .models import PocketRule


@admin.register(PocketRule)
class PocketRuleAdmin(SimpleHistoryAdmin):
    fields = ["basis", "fixed_rate", "min_poor_households"]

    def _is_regency_admin(self, request) -> bool:
        return request.user.is_authenticated and request.user.is_regency_admin

    def has_view_permission(self, request, obj=None):
        return self._is_regency_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_regency_admin(request)

    def has_add_permission(self, request):
        # The migration creates the row; a second one is refused by the database anyway.
        return self._is_regency_admin(request) and not PocketRule.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return self._is_regency_admin(request)

    def changelist_view(self, request, extra_context=None):
        # A list of one row is noise: go straight to the rule itself.
        rule = PocketRule.objects.first()
        if rule is None:
            return super().changelist_view(request, extra_context)
        return redirect(reverse("admin:indicators_pocketrule_change", args=[rule.pk]))
