"""The admin site's branding, and data entry for the territory, agencies and accounts."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from bartim.formatting import format_number

from .models import Agency, District, Regency, User, Village

admin.site.site_header = _("Regency Government of Barito Timur")
admin.site.site_title = _("Poverty Reduction")
admin.site.index_title = _("Data entry")
# templates/admin/base_site.html links to the dashboard by name instead of "View site".
admin.site.site_url = None


class ReviewRulesAdminMixin:
    """Reported records keep the app's rules in the Django admin too: a record its model's
    `editable_by` refuses (an approved one, say) opens read-only here, and the review steps
    and locked quarters are changed on the app's own pages, which ask for a reason."""

    def _editable(self, request, obj):
        return self.model.objects.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._editable(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._editable(request, obj))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if "status" in {f.name for f in self.model._meta.fields}:
            fields.append("status")
        return fields


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "bps_code")
    search_fields = ("code", "name")
    ordering = ("code",)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "regency", "village_count")
    list_select_related = ("regency",)
    search_fields = ("code", "name")
    ordering = ("code",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(village_count=Count("villages"))

    @admin.display(description=Village._meta.verbose_name_plural, ordering="village_count")
    def village_count(self, obj):
        return format_number(obj.village_count)


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "district")
    list_filter = ("district", "kind")
    list_select_related = ("district",)
    # Programme and village-data forms pick villages by autocomplete, which searches here.
    search_fields = ("code", "name")
    ordering = ("code",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "abbreviation", "is_active", "program_count")
    list_filter = ("is_active",)
    search_fields = ("name", "abbreviation")
    ordering = ("name",)
    actions = ("retire",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(program_count=Count("programs"))

    @admin.display(description=_("Programmes"), ordering="program_count")
    def program_count(self, obj):
        return format_number(obj.program_count)

    @admin.action(description=_("Retire the selected agencies"), permissions=["change"])
    def retire(self, request, queryset):
        retired = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(
            request, _("Agencies retired: %(count)d.") % {"count": retired}, messages.SUCCESS
        )


_ROLE_AND_SCOPE = (_("Role and scope"), {"fields": ("role", "agency", "district")})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        _ROLE_AND_SCOPE,
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, _ROLE_AND_SCOPE)
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "agency",
        "district",
        "is_active",
        "is_staff",
    )
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    list_select_related = ("agency", "district")
    search_fields = (
        *DjangoUserAdmin.search_fields,
        "agency__name",
        "agency__abbreviation",
        "district__name",
    )
    autocomplete_fields = ("agency", "district")
