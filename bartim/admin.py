"""The admin site's branding, and data entry for the territory, agencies and accounts."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from bartim import access
from bartim.models import Agency, District, Regency, User, Village
from helpers.concurrency import FORM_OUT_OF_DATE, EditConflict, claim_version
from helpers.formatting import format_number

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
        return access.may_change(request.user, obj)

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


class SeenVersionAdminForm(forms.ModelForm):
    """An admin change form that sends back the version it was opened at."""

    seen_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        # The column's range on every database, so a forged number never reaches a query.
        max_value=2_147_483_647,
        error_messages=dict.fromkeys(["invalid", "min_value", "max_value"], FORM_OUT_OF_DATE),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "seen_version" not in self.errors:
            seen = cleaned.get("seen_version")
            if seen is None:
                raise forms.ValidationError(FORM_OUT_OF_DATE)
            current = (
                type(self.instance)
                ._base_manager.select_related("updated_by")
                .filter(pk=self.instance.pk)
                .first()
            )
            if current is not None and current.version != seen:
                # The form shown again carries the current version: saving it after review
                # goes through, as the message says.
                self.data = self.data.copy()
                self.data[self.add_prefix("seen_version")] = current.version
                raise forms.ValidationError(EditConflict(current).message)
        return cleaned


class OptimisticLockAdminMixin:
    """The admin's change forms of a versioned record (programme, village data) refuse a save
    made after someone else's, as the app's forms do (bartim/concurrency.py): the form's
    check shows who and when above the kept input; save_model claims the version in the
    admin's own transaction, so a save slipping in between the check and the write is still
    refused (with the message, on a freshly loaded form)."""

    form = SeenVersionAdminForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        (name, options), *rest = fieldsets
        first = (name, {**options, "fields": (*options["fields"], "seen_version")})
        return [first, *rest]

    def save_model(self, request, obj, form, change):
        if change:
            seen = form.cleaned_data["seen_version"]
            claim_version(type(obj), pk=obj.pk, seen_version=seen, actor=request.user)
            obj.version, obj.updated_by = seen + 1, request.user
        else:
            obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            self.message_user(request, conflict.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class KeepsReportsAdminMixin:
    """The delete page (and the bulk delete action) lists what keeps the records from being
    deleted: Django's protected objects (on_delete=PROTECT) and the reported data that
    bartim/deletion.py guards, and says what to do instead. Deleting is then refused with
    that page, never with an error."""

    refused_deletion_hint = None

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        queryset = self.model._default_manager.filter(pk__in=[obj.pk for obj in objs])
        if hasattr(queryset, "reports_blocking_deletion"):
            protected = [*protected, *(text for _obj, text in queryset.reports_blocking_deletion())]
        if protected and self.refused_deletion_hint:
            self.message_user(request, self.refused_deletion_hint, messages.WARNING)
        return deleted, counts, perms_needed, protected


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "bps_code")
    search_fields = ("code", "name")
    ordering = ("code",)


@admin.register(District)
class DistrictAdmin(KeepsReportsAdminMixin, admin.ModelAdmin):
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
class VillageAdmin(KeepsReportsAdminMixin, admin.ModelAdmin):
    refused_deletion_hint = _(
        "A village with village data or target of a programme is kept: reported data is "
        "never deleted."
    )
    list_display = ("code", "name", "kind", "district")
    list_filter = ("district", "kind")
    list_select_related = ("district",)
    # Programme and village-data forms pick villages by autocomplete, which searches here.
    search_fields = ("code", "name")
    ordering = ("code",)


@admin.register(Agency)
class AgencyAdmin(KeepsReportsAdminMixin, admin.ModelAdmin):
    refused_deletion_hint = _(
        "An agency that runs programmes is retired, not deleted: tick it in the list of "
        'agencies and choose the action "Retire the selected agencies".'
    )
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
