"""The villages table, /villages/: every village-year of village data with its poverty rate,
poverty-pocket flag and the programmes reaching it (docs/tables.md)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim import access
from bartim.access import allowed_actions
from bartim.models import Village
from helpers.concurrency import EditConflict
from helpers.views import FilteredTableView, apply_errors, posted_data
from villages.figures import village_data_with_figures
from villages.filters import VillageFilterSet
from villages.forms import VILLAGE_DATA_FIELDS, VillageDataForm
from villages.models import PocketRule, VillageData, VillageDataReviewEvent
from villages.pockets import rule_sentence
from villages.services import village_data_save
from villages.tables import VillageTable


class VillageListView(FilteredTableView):
    table_class = VillageTable
    filterset_class = VillageFilterSet
    title = gettext_lazy("Villages")
    export_name = gettext_lazy("village data")

    def get_queryset(self):
        # Every signed-in role reads all village data (VillageData.objects.visible_to); the
        # camat keeps his own kecamatan's on /village-data/.
        self.pocket_rule = PocketRule.current()
        return village_data_with_figures(
            access.readable(self.request.user, VillageData.objects.all())
            .select_related("village__district")
            .order_by("village__code", "pk"),
            user=self.request.user,
            rule=self.pocket_rule,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["description"] = self.describe(self.pocket_rule)
        return context

    @staticmethod
    def describe(rule: PocketRule) -> str:
        intro = _(
            "Each village's data for the year, with the programmes of the year that target it."
        )
        return f"{intro} {rule_sentence(rule)}"


# ---- Village data --------------------------------------------------------------------


def get_village_data_for_read(request, pk) -> VillageData:
    return access.get_for_read(request, VillageData.objects.select_related("village__district"), pk)


def get_village_data_for_write(request, pk) -> VillageData:
    return access.get_for_write(
        request,
        VillageData.objects.select_related("village__district"),
        pk,
        _("You may not change this village data now."),
    )


def village_data_list(request):
    if not access.may_write(request.user, VillageData):
        raise PermissionDenied(_("Your account does not keep village data."))
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
        messages.error(request, _("The year must be a whole number."))
    latest = VillageData.objects.order_by("-year").values_list("year", flat=True).first()
    year = year if year and 2000 <= year <= 2100 else (latest or 2024)
    villages = access.choices_for(
        request.user,
        VillageData,
        Village.objects.select_related("district").order_by("district__code", "code"),
    )
    records = {
        record.village_id: record
        for record in VillageData.objects.filter(year=year, village__in=villages).annotate(
            last_reason=Subquery(
                VillageDataReviewEvent.objects.filter(village_data=OuterRef("pk"))
                .exclude(reason="")
                .order_by("-pk")
                .values("reason")[:1]
            )
        )
    }
    rows = [(village, records.get(village.pk)) for village in villages]
    return render(request, "villages/village_data_list.html", {"rows": rows, "year": year})


def village_data_detail(request, pk):
    record = get_village_data_for_read(request, pk)
    events = record.review_events.select_related("actor")
    return render(
        request,
        "villages/village_data_detail.html",
        {
            "record": record,
            "fields": [
                (VillageData._meta.get_field(name).verbose_name, getattr(record, name))
                for name in VILLAGE_DATA_FIELDS
            ],
            "events": events,
            "latest_reason": next((e for e in events if e.reason), None),
            "actions": allowed_actions(record, request.user),
            "can_edit": access.may_change(request.user, record),
        },
    )


def village_data_edit(request, pk=None):
    if not access.may_write(request.user, VillageData):
        raise PermissionDenied(_("Your account does not keep village data."))
    record = get_village_data_for_write(request, pk) if pk else None
    initial = {}
    if record is None:
        initial = {"year": request.GET.get("year")}
        code = request.GET.get("village")
        if code:
            initial["village"] = Village.objects.filter(code=code).first()
    form = VillageDataForm(
        posted_data(request), instance=record, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in VILLAGE_DATA_FIELDS}
        try:
            saved = village_data_save(
                actor=request.user,
                village=form.cleaned_data["village"],
                year=form.cleaned_data["year"],
                record=VillageData.objects.get(pk=pk) if pk else None,
                seen_version=form.cleaned_data.get("seen_version"),
                **fields,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except EditConflict as conflict:
            current = VillageData.objects.get(pk=pk)
            form.show_conflict(
                conflict,
                {name: getattr(current, name) for name in ["village", "year", *fields]},
            )
        else:
            messages.success(request, _("Village data saved."))
            return redirect("villages:village_data_detail", pk=saved.pk)
    return render(request, "villages/village_data_form.html", {"form": form, "record": record})
