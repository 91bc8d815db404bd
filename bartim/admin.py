"""The admin site's branding, the policy and service plumbing every domain model's admin
uses, and data entry for the territory, agencies and accounts."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.http import HttpResponseRedirect
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from bartim import access
from bartim.access import PeriodLockError
from bartim.forms import AdminLoginForm
from bartim.models import Agency, Deadline, District, PublishedYear, Regency, User, Village
from bartim.services import (
    account_delete,
    account_save,
    agency_delete,
    agency_retire,
    agency_save,
    deadline_delete,
    deadline_set,
    published_year_publish,
    published_year_withdraw,
    territory_delete,
    territory_save,
)
from helpers.concurrency import FORM_OUT_OF_DATE, EditConflict
from helpers.formatting import format_number
from helpers.forms import number_form_class, number_formfield

admin.site.site_header = _("Regency Government of Barito Timur")
admin.site.site_title = _("Poverty Reduction")
admin.site.index_title = _("Data entry")
# templates/admin/base_site.html links to the dashboard by name instead of "View site".
admin.site.site_url = None
admin.site.login_form = AdminLoginForm


class AdminRefusal(Exception):
    """A service refused a save or delete the form had let through (a quarter locked or a
    record approved in between); the admin's transaction is rolled back."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def refusal_message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return getattr(error, "message", None) or str(error) or _("You may not do this.")


SERVICE_REFUSALS = (PermissionDenied, PeriodLockError, ValidationError, ProtectedError)


def adopt(obj, saved) -> None:
    """Make the admin's `obj` the record a service saved (a service may save another
    instance), so that the inlines, the log and the redirect that follow use it."""
    if saved is None or saved is obj:
        return
    obj.pk = saved.pk
    obj._state.adding, obj._state.db = False, saved._state.db
    obj.refresh_from_db()


def model_fields(form) -> dict:
    """The form's cleaned values of its model's own fields (no key, no many-to-many, no
    extras such as the reason or the version)."""
    names = {f.name for f in form._meta.model._meta.concrete_fields if not f.primary_key}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def save_rows(formset, *, save, delete) -> None:
    """Save an inline's rows through the services: `save(row)` for a new or changed row
    (returns the saved record), `delete(row)` for a stored row marked for deletion. Keeps
    what changed where formset.save() would, for the admin's history message."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    deleted = formset.deleted_forms if formset.can_delete else []
    for row in formset.forms:
        if row in deleted:
            if row.instance.pk:
                delete(row)
                formset.deleted_objects.append(row.instance)
        elif row.has_changed():
            stored = bool(row.instance.pk)
            saved = save(row)
            if stored:
                formset.changed_objects.append((saved, row.changed_data))
            else:
                formset.new_objects.append(saved)


class PolicyAdminMixin:
    """The Django admin asks the access policy (bartim.access) as the app's pages do: who
    sees, adds, changes and deletes which record, which fields are fixed, which owners a
    new record may get. Django's per-model permissions play no part.

    Saves and deletes go through the app's services: each admin's save_record() and
    delete_record(). A refusal the services raise after the forms passed (someone locked
    the quarter or approved the record in between) is shown as a message on the page again,
    with nothing saved: the admin's own transaction is rolled back."""

    def has_module_permission(self, request):
        return access.may_read(request.user, self.model)

    def has_view_permission(self, request, obj=None):
        return access.may_read(request.user, self.model)

    def has_add_permission(self, request):
        return access.may_create(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return access.may_write(request.user, self.model)
        return access.may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return access.may_delete_any(request.user, self.model)
        # The delete page takes no reason, so a locked quarter's data is not deleted here.
        return access.may_delete(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        fixed = access.fixed_fields(request.user, self.model, creating=obj is None)
        return [*fields, *(name for name in sorted(fixed) if name not in fields)]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Numbers typed as people write them, as on the app's forms (helpers.forms).
        if number_form_class(db_field) is not None:
            return number_formfield(db_field, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and db_field.name == access.owner_field(self.model):
            formfield.queryset = access.choices_for(request.user, self.model, formfield.queryset)
        return formfield

    def save_record(self, request, obj, form, change):
        """Save through the app's service; return the saved record."""
        raise NotImplementedError

    def delete_record(self, request, obj):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            adopt(obj, self.save_record(request, obj, form, change))
        except SERVICE_REFUSALS as error:
            raise AdminRefusal(refusal_message(error)) from error

    def delete_model(self, request, obj):
        try:
            self.delete_record(request, obj)
        except SERVICE_REFUSALS as error:
            raise AdminRefusal(refusal_message(error)) from error

    def delete_queryset(self, request, queryset):
        # One by one through the service, all or nothing.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def _refused(self, request, message):
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (AdminRefusal, EditConflict) as refusal:
            return self._refused(request, refusal.message)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except AdminRefusal as refusal:
            return self._refused(request, refusal.message)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except AdminRefusal as refusal:
            return self._refused(request, refusal.message)


class PolicyInlineMixin:
    """An inline's rows are part of the record it is shown in: who may change that record
    may add, change and delete them; on the add page, who may create them."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Numbers typed as people write them, as on the app's forms (helpers.forms).
        if number_form_class(db_field) is not None:
            return number_formfield(db_field, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def _may(self, request, obj):
        if obj is None:
            return access.may_create(request.user, self.model)
        return access.may_change(request.user, obj)

    def has_view_permission(self, request, obj=None):
        return access.may_read(request.user, self.model)

    def has_add_permission(self, request, obj):
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)


def lock_reason_field() -> forms.CharField:
    return forms.CharField(
        label=capfirst(_("reason for changing a locked quarter")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you change a locked quarter; kept in the history."),
    )


class LockReasonFormMixin:
    """An admin form whose record may hold a locked quarter's data: it offers the reason an
    administrator gives for changing it, and shows the policy's refusal as a form error
    before anything is saved. The form declares `lock_reason = lock_reason_field()`; the
    admin sets `actor` (with_actor)."""

    actor = None

    def lock_reason(self) -> str:
        return (self.cleaned_data.get("lock_reason") or "").strip()

    def locked_change_refusal(self):
        """Why the change cannot be saved in its period, or None (the record in memory)."""
        fields = None if self.instance._state.adding else set(self.changed_data)
        return access.period_refusal(self.actor, self.instance, fields, self.lock_reason())

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        refused = self.locked_change_refusal()
        if refused is not None:
            self.add_error(
                "lock_reason" if isinstance(refused, PeriodLockError) else None,
                refusal_message(refused),
            )


def with_actor(form_class, request):
    """`form_class` knowing who fills it in, for the policy's questions in its checks."""
    return type(form_class.__name__, (form_class,), {"actor": request.user})


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
    made after someone else's, as the app's forms do (helpers/concurrency.py): the form's
    check shows who and when above the kept input; the service claims the version in the
    admin's own transaction, so a save slipping in between the check and the write is still
    refused (with the message, on a freshly loaded form: PolicyAdminMixin)."""

    form = SeenVersionAdminForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        (name, options), *rest = fieldsets
        first = (name, {**options, "fields": (*options["fields"], "seen_version")})
        return [first, *rest]

    def seen_version(self, form, change):
        return form.cleaned_data["seen_version"] if change else None


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


class TerritoryAdminMixin(PolicyAdminMixin):
    def save_record(self, request, obj, form, change):
        return territory_save(record=obj, actor=request.user)

    def delete_record(self, request, obj):
        territory_delete(record=obj, actor=request.user)


@admin.register(Regency)
class RegencyAdmin(TerritoryAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "bps_code")
    search_fields = ("code", "name")
    ordering = ("code",)


@admin.register(District)
class DistrictAdmin(KeepsReportsAdminMixin, TerritoryAdminMixin, admin.ModelAdmin):
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
class VillageAdmin(KeepsReportsAdminMixin, TerritoryAdminMixin, admin.ModelAdmin):
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
class AgencyAdmin(KeepsReportsAdminMixin, PolicyAdminMixin, admin.ModelAdmin):
    refused_deletion_hint = _(
        "An agency that runs programmes is retired, not deleted: tick it in the list of "
        'agencies and choose the action "Retire the selected agencies".'
    )
    list_display = (
        "name",
        "abbreviation",
        "kind",
        "village",
        "is_active",
        "must_report",
        "program_count",
    )
    list_filter = ("kind", "is_active", "must_report")
    list_select_related = ("village",)
    search_fields = ("name", "abbreviation")
    fields = ("name", "abbreviation", "code", "kind", "village", "is_active", "must_report")
    autocomplete_fields = ("village",)
    ordering = ("name",)
    actions = ("retire",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(program_count=Count("programs"))

    @admin.display(description=_("Programmes"), ordering="program_count")
    def program_count(self, obj):
        return format_number(obj.program_count)

    def save_record(self, request, obj, form, change):
        return agency_save(agency=obj, actor=request.user)

    def delete_record(self, request, obj):
        agency_delete(agency=obj, actor=request.user)

    @admin.action(description=_("Retire the selected agencies"), permissions=["change"])
    def retire(self, request, queryset):
        retired = agency_retire(agencies=queryset, actor=request.user)
        self.message_user(
            request, _("Agencies retired: %(count)d.") % {"count": retired}, messages.SUCCESS
        )


_ROLE_AND_SCOPE = (_("Role and scope"), {"fields": ("role", "agency", "district")})
_NOTIFICATIONS = (_("Notifications"), {"fields": ("email_notifications",)})


@admin.register(User)
class UserAdmin(PolicyAdminMixin, DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        _ROLE_AND_SCOPE,
        _NOTIFICATIONS,
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
    list_filter = ("role", "agency__kind", "is_active", "is_staff", "is_superuser")
    list_select_related = ("agency", "district")
    search_fields = (
        *DjangoUserAdmin.search_fields,
        "agency__name",
        "agency__abbreviation",
        "district__name",
    )
    autocomplete_fields = ("agency", "district")

    def save_record(self, request, obj, form, change):
        return account_save(account=obj, actor=request.user)

    def delete_record(self, request, obj):
        account_delete(account=obj, actor=request.user)


@admin.register(Deadline)
class DeadlineAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ("year", "quarter", "due_date", "updated_by")
    list_filter = ("year", "quarter")

    def get_readonly_fields(self, request, obj=None):
        # Another quarter is another deadline: add it, rather than moving this one.
        fixed = ("year", "quarter") if obj is not None else ()
        return [*super().get_readonly_fields(request, obj), *fixed, "updated_by"]

    def save_record(self, request, obj, form, change):
        return deadline_set(
            year=obj.year, quarter=obj.quarter, due_date=obj.due_date, actor=request.user
        )

    def delete_record(self, request, obj):
        deadline_delete(deadline=obj, actor=request.user)


@admin.register(PublishedYear)
class PublishedYearAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ("year", "published_by", "published_at")

    def get_readonly_fields(self, request, obj=None):
        # Another year is another publication: publish it, and withdraw this one.
        fixed = ("year",) if obj is not None else ()
        return [*super().get_readonly_fields(request, obj), *fixed, "published_by"]

    def save_record(self, request, obj, form, change):
        return published_year_publish(year=obj.year, actor=request.user)

    def delete_record(self, request, obj):
        published_year_withdraw(published=obj, actor=request.user)
