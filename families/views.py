"""The families pages (/families/): registry snapshots and their import, the measures,
the unreached families, each programme's beneficiaries, and the access log. Pages that show
names ask bartim.access for the rows and write every view and export to the access log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bartim import access
from families import services
from families.crypto import split_ids
from families.forms import (
    BeneficiaryForm,
    EligibleForm,
    FileForm,
    MeasuresForm,
    RegistryUploadForm,
    UnreachedForm,
)
from families.measures import (
    GROUPINGS,
    MEASURE_COLUMNS,
    PERCENT_COLUMNS,
    PLACE_COLUMNS,
    PLACES,
    family_measures,
)
from families.models import (
    AccessLogEntry,
    Beneficiary,
    Family,
    PendingBeneficiaryImport,
    RegistrySnapshot,
)
from families.reading import FileRefused
from helpers import dataversion, exports
from programs import periods
from programs.models import Program

PER_PAGE = 200
EXPORT = "_export"


def _export_format(request):
    requested = request.GET.get(EXPORT)
    return requested if requested in (exports.CSV, exports.XLSX) else None


def _send(rows, export_format, filename, title):
    """`rows` (the header first) as a CSV or XLSX download."""
    if export_format == exports.CSV:
        return exports.csv_rows_response(rows, f"{filename}.csv")
    rows = list(rows)
    formats = {
        index: exports.WHOLE
        for index, value in enumerate(rows[1] if len(rows) > 1 else [], start=1)
        if isinstance(value, int)
    }
    return exports.workbook_response(
        lambda book: exports.write_sheet(book, title, rows[0], rows[1:], formats),
        f"{filename}.xlsx",
    )


# ---- Registry snapshots ------------------------------------------------------------------


def _index(request, upload_form=None, problems=None, problem_count=0, status=200):
    snapshots = RegistrySnapshot.objects.select_related("imported_by")
    if not access.is_admin(request.user):
        snapshots = snapshots.confirmed()
    context = {
        "snapshots": snapshots,
        "is_keeper": access.is_admin(request.user),
        "upload_form": upload_form or RegistryUploadForm(),
        "problems": problems,
        "problem_count": problem_count,
        "sees_names": access.may_see_family_names(request.user),
        "records_beneficiaries": access.may_see_beneficiaries(request.user),
    }
    return render(request, "families/index.html", context, status=status)


@require_GET
def index(request):
    return _index(request)


@require_POST
def registry_upload(request):
    access.check_registry_keeper(request.user)
    form = RegistryUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, upload_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        snapshot = services.registry_import(
            actor=request.user,
            content=upload.read(),
            filename=upload.name,
            label=form.cleaned_data["label"],
            taken_on=form.cleaned_data["taken_on"],
        )
    except FileRefused as refused:
        form.add_error("file", refused.message)
        return _index(request, upload_form=form, status=400)
    except services.ImportProblems as found:
        return _index(
            request,
            upload_form=form,
            problems=found.problems,
            problem_count=found.count,
            status=400,
        )
    return redirect("families:registry_preview", pk=snapshot.pk)


def registry_preview(request, pk):
    """What the import will add, in counts only; confirming makes the snapshot count."""
    access.check_registry_keeper(request.user)
    snapshot = get_object_or_404(RegistrySnapshot, pk=pk, confirmed=False)
    if request.method == "POST":
        services.snapshot_confirm(actor=request.user, snapshot=snapshot)
        messages.success(
            request,
            _("The registry snapshot %(snapshot)s was imported: %(count)d families.")
            % {"snapshot": snapshot, "count": snapshot.family_count},
        )
        return redirect("families:index")
    families = snapshot.families.all()
    context = {
        "snapshot": snapshot,
        "by_decile": families.values("decile").annotate(count=Count("pk")).order_by("decile"),
        "by_district": families.values("village__district__name")
        .annotate(count=Count("pk"), decile1=Count("pk", filter=Q(decile=1)))
        .order_by("village__district__name"),
    }
    return render(request, "families/registry_preview.html", context)


@require_POST
def snapshot_delete(request, pk):
    access.check_registry_keeper(request.user)
    snapshot = get_object_or_404(RegistrySnapshot, pk=pk)
    confirmed = snapshot.confirmed
    services.snapshot_delete(actor=request.user, snapshot=snapshot)
    messages.info(
        request,
        _("The snapshot %(snapshot)s and every family in it were deleted.") % {"snapshot": snapshot}
        if confirmed
        else _("The upload was discarded; nothing was imported."),
    )
    return redirect("families:index")


def snapshot_edit(request, pk):
    access.check_registry_keeper(request.user)
    snapshot = get_object_or_404(RegistrySnapshot, pk=pk, confirmed=True)
    form = EligibleForm(request.POST or None, instance=snapshot)
    if request.method == "POST" and form.is_valid():
        try:
            services.snapshot_change(
                actor=request.user,
                snapshot=RegistrySnapshot.objects.get(pk=pk),
                eligible_up_to=form.cleaned_data["eligible_up_to"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("families:index")
    return render(request, "families/snapshot_edit.html", {"form": form, "snapshot": snapshot})


# ---- Measures ------------------------------------------------------------------------------


def _period_form(request, form_class):
    years = periods.program_years()
    snapshot = RegistrySnapshot.objects.latest_confirmed()
    default = periods.default_year(years)
    # The registry may be read against a year before any programme was entered.
    this_year = periods.today().year
    years = sorted({*years, default, *range(this_year - 3, this_year + 1)}, reverse=True)
    return form_class(request.GET, years=years, default_year=default, default_snapshot=snapshot)


def _columns(by):
    # Lazy labels are translated when the page is rendered.
    return MEASURE_COLUMNS + (PLACE_COLUMNS if by in PLACES else [])


@require_GET
def measures(request):
    """The measures, per programme, agency, strategy or place: figures only, for every
    signed-in role."""
    form = _period_form(request, MeasuresForm)
    context = {"form": form, "groupings": GROUPINGS}
    if not form.is_valid():
        return render(request, "families/measures.html", context, status=400)
    snapshot, year, by = (form.cleaned_data[k] for k in ("snapshot", "year", "by"))
    rows = family_measures(snapshot=snapshot, year=year, by=by)
    columns = [(name, str(label)) for name, label in _columns(by)]
    export_format = _export_format(request)
    if export_format:
        header = [str(GROUPINGS[by]), *(label for _name, label in columns)]
        body = (
            [row.label, *(_rounded(getattr(row, name)) for name, _label in columns)] for row in rows
        )
        filename = f"{_('family-measures')}_{year}_{by}"
        return _send([header, *body], export_format, filename, str(_("Family measures")))

    def render_table():
        table = {
            "snapshot": snapshot,
            "columns": columns,
            "table": [(row, [getattr(row, name) for name, _label in columns]) for row in rows],
            "grouping_label": GROUPINGS[by],
            "percent_positions": {
                index for index, (name, _label) in enumerate(columns) if name in PERCENT_COLUMNS
            },
            "beneficiary_programs": set(
                access.beneficiary_programs(
                    request.user, Program.objects.filter(year=year)
                ).values_list("pk", flat=True)
            )
            if by == "program"
            else set(),
        }
        return render_to_string("families/_measures_table.html", table)

    # A province's programmes are some 5,000 rows: drawn once per data version.
    key = ("family measures table", snapshot.pk, snapshot.eligible_up_to, year, by)
    context.update(
        snapshot=snapshot,
        year=year,
        query=request.GET.urlencode(),
        table_html=dataversion.cached(
            (*key, *dataversion.visibility_key(request.user)), render_table
        ),
    )
    return render(request, "families/measures.html", context)


def _rounded(value):
    return round(value, 2) if isinstance(value, float) else value


# ---- Unreached families (names) ------------------------------------------------------------


def _reached(year):
    return Beneficiary.objects.filter(program__year=year).filter(
        Q(kk_hash=OuterRef("kk_hash")) | Q(nik_hash=OuterRef("nik_hash"))
    )


@require_GET
def unreached(request):
    """The families of decile 1 (or every eligible one) that no programme of the year
    reached: an administrator's for the regency, a camat's for his own villages."""
    access.check_family_names(request.user)
    form = _period_form(request, UnreachedForm)
    if not form.is_valid():
        return render(request, "families/unreached.html", {"form": form}, status=400)
    snapshot, year = form.cleaned_data["snapshot"], form.cleaned_data["year"]
    eligible = form.cleaned_data.get("scope") == "eligible"
    families = access.family_names(
        request.user,
        Family.objects.filter(snapshot=snapshot)
        .filter(decile__lte=snapshot.eligible_up_to if eligible else 1)
        .exclude(Exists(_reached(year)))
        .select_related("village__district")
        .order_by("village__district__name", "village__name", "decile", "pk"),
    )
    place = request.user.district.name if request.user.district_id else _("whole regency")
    what = _("Unreached families (%(scope)s) · %(snapshot)s · %(year)d · %(place)s") % {
        "scope": _("eligible deciles") if eligible else _("decile 1"),
        "snapshot": snapshot,
        "year": year,
        "place": place,
    }
    export_format = _export_format(request)
    if export_format:
        rows = list(families)
        services.access_logged(
            user=request.user, action=AccessLogEntry.Action.EXPORT, what=what, rows=len(rows)
        )
        header = [
            _("Kecamatan"),
            _("Village"),
            _("Head of the family"),
            _("Address"),
            _("Decile"),
            _("Members"),
        ]
        body = [
            [f.village.district.name, f.village.name, f.name, f.address, f.decile, f.members]
            for f in rows
        ]
        filename = f"{_('unreached-families')}_{year}"
        return _send([header, *body], export_format, filename, str(_("Unreached families")))
    page = Paginator(families, PER_PAGE).get_page(request.GET.get("page"))
    services.access_logged(
        user=request.user, action=AccessLogEntry.Action.VIEW, what=what, rows=len(page)
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "snapshot": snapshot,
        "year": year,
        "eligible": eligible,
        "query": query.urlencode(),
    }
    return render(request, "families/unreached.html", context)


# ---- Beneficiaries -------------------------------------------------------------------------


@require_GET
def programmes(request):
    """The programmes whose beneficiaries the user records (an OPD its own)."""
    if not access.may_see_beneficiaries(request.user):
        raise PermissionDenied(_("Your role sees the registry's figures, not its families."))
    programs = (
        access.beneficiary_programs(request.user, Program.objects.all())
        .select_related("agency", "strategy")
        .annotate(beneficiary_count=Count("beneficiaries"))
        .order_by("-year", "agency__name", "name")
    )
    return render(request, "families/programmes.html", {"programs": programs})


def _program(request, pk):
    program = get_object_or_404(Program.objects.select_related("agency"), pk=pk)
    access.check_beneficiaries(request.user, program)
    return program


def _masked(ids: str) -> str:
    """A NIK shown as its last four digits only, for the OPD to tell records apart."""
    nik = split_ids(ids)[0]
    return f"…{nik[-4:]}" if nik else ""


def beneficiaries(request, pk):
    program = _program(request, pk)
    form = BeneficiaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.beneficiary_add(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The beneficiary was recorded."))
            return redirect("families:beneficiaries", pk=program.pk)
    snapshot = RegistrySnapshot.objects.latest_confirmed()
    records = services.in_registry(
        access.beneficiary_names(request.user, program.beneficiaries.all()), snapshot
    ).order_by("quarter", "pk")
    what = _("Beneficiaries of %(programme)s") % {"programme": program}
    export_format = _export_format(request)
    if export_format:
        rows = list(records)
        services.access_logged(
            user=request.user, action=AccessLogEntry.Action.EXPORT, what=what, rows=len(rows)
        )
        header = [
            _("Quarter"),
            _("Name"),
            _("NIK (last digits)"),
            _("Kind of help"),
            _("Amount or quantity"),
            _("Unit"),
            _("In the registry"),
        ]
        body = [
            [
                r.quarter,
                r.name,
                _masked(r.ids),
                r.get_kind_display(),
                r.amount,
                r.unit,
                _("yes") if r.in_registry else _("no"),
            ]
            for r in rows
        ]
        filename = f"{_('beneficiaries')}_{program.pk}"
        return _send([header, *body], export_format, filename, str(_("Beneficiaries")))
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    for record in page:
        record.masked = _masked(record.ids)
    services.access_logged(
        user=request.user, action=AccessLogEntry.Action.VIEW, what=what, rows=len(page)
    )
    context = {
        "program": program,
        "page": page,
        "form": form,
        "file_form": FileForm(),
        "snapshot": snapshot,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "families/beneficiaries.html", context, status=status)


@require_POST
def beneficiary_delete(request, pk):
    record = get_object_or_404(Beneficiary.objects.select_related("program"), pk=pk)
    if not access.beneficiary_names(request.user, Beneficiary.objects.filter(pk=pk)).exists():
        raise Http404
    services.beneficiary_delete(actor=request.user, beneficiary=record)
    messages.info(request, _("The beneficiary record was deleted."))
    return redirect("families:beneficiaries", pk=record.program_id)


@require_GET
def beneficiary_template(request, pk):
    program = _program(request, pk)
    header = [str(column.label) for column in services.BENEFICIARY_COLUMNS]
    kinds = [[str(kind.label)] for kind in Beneficiary.Kind]

    def fill(book):
        exports.write_sheet(book, str(_("Beneficiaries")), header, [], {})
        exports.write_sheet(book, str(_("Kinds of help")), [_("Kind of help")], kinds, {})

    return exports.workbook_response(fill, f"{_('beneficiaries')}_{program.pk}.xlsx")


@require_POST
def beneficiary_upload(request, pk):
    program = _program(request, pk)
    form = FileForm(request.POST, request.FILES)
    problems, count = None, 0
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            pending = services.beneficiaries_read(
                actor=request.user, program=program, content=upload.read(), filename=upload.name
            )
        except FileRefused as refused:
            form.add_error("file", refused.message)
        except services.ImportProblems as found:
            problems, count = found.problems, found.count
        else:
            return redirect("families:beneficiary_preview", token=pending.token)
    context = {"program": program, "file_form": form, "problems": problems, "count": count}
    return render(request, "families/beneficiary_problems.html", context, status=400)


def _pending(request, token):
    pending = get_object_or_404(
        PendingBeneficiaryImport.objects.select_related("program"), token=token, user=request.user
    )
    access.check_beneficiaries(request.user, pending.program)
    return pending


def beneficiary_preview(request, token):
    pending = _pending(request, token)
    if request.method == "POST":
        count = services.beneficiaries_confirm(actor=request.user, pending=pending)
        messages.success(request, _("Imported %(count)d beneficiary records.") % {"count": count})
        return redirect("families:beneficiaries", pk=pending.program_id)
    rows = services.pending_rows(pending)
    quarters = sorted({row[3] for row in rows})
    context = {
        "pending": pending,
        "program": pending.program,
        "count": len(rows),
        "quarters": quarters,
        "replaced": services.replaced_count(pending),
    }
    return render(request, "families/beneficiary_preview.html", context)


@require_POST
def beneficiary_cancel(request, token):
    pending = _pending(request, token)
    program_id = pending.program_id
    pending.delete()
    messages.info(request, _("The upload was discarded; nothing was imported."))
    return redirect("families:beneficiaries", pk=program_id)


# ---- The access log ------------------------------------------------------------------------


@require_GET
def access_log(request):
    access.check_registry_keeper(request.user)
    entries = AccessLogEntry.objects.select_related("user")
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "families/access_log.html", {"page": page})
