"""A quarter's evidence, of its report or of its indicators' values: its list (and upload)
page, the download and the removal. Files are served by `download` only, which asks the
access policy; MEDIA_ROOT has no URL."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bartim import access
from bartim.access import PeriodLockError
from bartim.models import Quarter
from evidence.forms import EvidenceUploadForm
from evidence.models import EvidenceFile
from evidence.services import evidence_add, evidence_remove
from evidence.validation import CONTENT_TYPES
from indicators.models import IndicatorValue
from programs.models import Program
from programs.services import quarter_report


def quarter_values(program, quarter):
    """The programme's stored indicator values of `quarter`: what a file may be about
    besides the quarter report as a whole."""
    return IndicatorValue.objects.filter(indicator__program=program, quarter=quarter).order_by(
        "indicator__pk"
    )


def evidence_context(user, program, quarter, back="evidence") -> dict:
    """What the evidence section shows of a quarter (its page, and the quarter page through
    the `quarter_evidence` tag): every file of its report and of its indicators' values,
    the removed ones marked, and the upload form while `user` may add files."""
    report = quarter_report(program=program, quarter=quarter)
    files = (
        list(
            report.evidence_files.select_related(
                "uploaded_by", "removed_by", "indicator_value__indicator"
            )
        )
        if report.pk
        else []
    )
    refused = access.evidence_refusal(user, report)
    may_change = refused is None or isinstance(refused, PeriodLockError)
    values = quarter_values(program, quarter)
    return {
        "program": program,
        "quarter": quarter,
        "quarter_label": Quarter(quarter).label,
        "files": files,
        "present_count": sum(not f.removed for f in files),
        "may_change": may_change,
        "needs_reason": isinstance(refused, PeriodLockError),
        "upload_form": EvidenceUploadForm(
            needs_reason=isinstance(refused, PeriodLockError),
            values=values if values.exists() else None,
        )
        if may_change
        else None,
        "back": back,
    }


def _back(program, quarter, back):
    if back == "quarter":
        return redirect("programs:program_quarter", pk=program.pk, quarter=quarter)
    return redirect("evidence:quarter_evidence", pk=program.pk, quarter=quarter)


def quarter_evidence(request, pk, quarter):
    """The evidence files of a programme's quarter: read by whoever reads the programme;
    a POST attaches files to the quarter report or to one of its indicators' values (the
    policy and the checks in evidence_add)."""
    if quarter not in Quarter.values:
        raise Http404
    program = access.get_for_read(request, Program.objects.select_related("agency"), pk)
    if request.method == "POST":
        back = request.POST.get("back", "")
        refused = access.evidence_refusal(
            request.user, quarter_report(program=program, quarter=quarter)
        )
        if isinstance(refused, PermissionDenied) and not access.reports_on(request.user, program):
            raise refused
        form = EvidenceUploadForm(
            request.POST,
            request.FILES,
            needs_reason=isinstance(refused, PeriodLockError),
            values=quarter_values(program, quarter),
        )
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return _back(program, quarter, back)
        try:
            added = evidence_add(
                program=program,
                quarter=quarter,
                files=form.cleaned_data["files"],
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
                indicator_value=form.cleaned_data.get("indicator_value"),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            messages.error(request, _("No file was stored."))
        except PeriodLockError as error:
            messages.error(request, error.message)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(count)s evidence file(s) attached.") % {"count": len(added)},
            )
        return _back(program, quarter, back)
    return render(
        request,
        "evidence/quarter_evidence.html",
        evidence_context(request.user, program, quarter),
    )


@require_GET
def download(request, pk):
    """One evidence file, as an attachment, to whoever may read its programme (removed ones
    too: the history shows them). A value's file is read as its report's: the policy asks
    the same question of both (access.get_for_read on EvidenceFile)."""
    record = access.get_for_read(
        request, EvidenceFile.objects.select_related("report__program"), pk
    )
    try:
        handle = record.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The stored file is missing.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=record.original_name,
        content_type=CONTENT_TYPES[record.file_type],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def remove(request, pk):
    record = access.get_for_read(
        request, EvidenceFile.objects.select_related("report__program"), pk
    )
    report = record.report
    try:
        evidence_remove(evidence=record, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PeriodLockError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from error
    else:
        messages.success(
            request,
            _("%(name)s removed; it stays in the history.") % {"name": record.original_name},
        )
    return _back(report.program, report.quarter, request.POST.get("back", ""))
