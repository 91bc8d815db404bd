"""The three strategies in the admin. The programme admin lives in indicators/admin.py, where
a programme is entered together with its indicators (dependencies point indicators -> programs)."""

from django.contrib import admin

from .models import Strategy


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    """The regent set three strategies: their wording may be edited, their number may not."""

    list_display = ("number", "name")
    list_display_links = ("number", "name")
    fields = ("number", "name", "description")
    readonly_fields = ("number",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
