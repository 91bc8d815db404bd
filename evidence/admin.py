"""Evidence files in the admin, through the same services and policy as the quarter page:
a file is added by evidence_add (checked, then stored) and "deleted" by evidence_remove,
which marks it removed and keeps it (the admin's delete page takes no reason, so a locked
quarter's files are removed on the quarter's page by an administrator giving one)."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from bartim import access
from bartim.admin import PolicyAdminMixin
from evidence.models import EvidenceFile
from evidence.services import evidence_add, evidence_remove
from evidence.validation import checked_file
from programs.models import QuarterReport


class EvidenceAddForm(forms.ModelForm):
    upload = forms.FileField(label=_("File"))

    class Meta:
        model = EvidenceFile
        fields = ("report",)

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        checked_file(upload)  # the refusal shown on the field; the service checks again
        return upload


@admin.register(EvidenceFile)
class EvidenceFileAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "original_name",
        "report",
        "file_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "removed_at",
    )
    list_filter = ("file_type", "report__quarter", "report__program__year")
    list_select_related = ("report__program", "uploaded_by")
    search_fields = ("original_name", "report__program__name")
    readonly_fields = (
        "report",
        "indicator_value",
        "download",
        "original_name",
        "file_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "removed_by",
        "removed_at",
    )
    fields = readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = EvidenceAddForm
            kwargs["fields"] = ("report", "upload")
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("report", "upload") if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "report":
            # The reports `user` reports on; whether one takes files now the service asks
            # the policy (a refusal is shown on the page, nothing stored).
            formfield.queryset = access.reported(
                request.user, QuarterReport.objects.select_related("program")
            )
        return formfield

    def has_change_permission(self, request, obj=None):
        # Nothing of a stored file changes: it is added, or removed.
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)

    def save_record(self, request, obj, form, change):
        report = form.cleaned_data["report"]
        (record,) = evidence_add(
            program=report.program,
            quarter=report.quarter,
            files=[form.cleaned_data["upload"]],
            actor=request.user,
        )
        return record

    def delete_record(self, request, obj):
        evidence_remove(evidence=obj, actor=request.user)
