"""The Excel page: download a template, upload it, preview, confirm."""

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spreadsheets.forms import TemplateForm, UploadForm
from spreadsheets.imports import run_import
from spreadsheets.kinds import KINDS, kinds_for
from spreadsheets.kinds.base import CHANGED, NEW, UNCHANGED
from spreadsheets.models import PendingImport
from spreadsheets.reading import MAX_ROWS, Upload, UploadRefused, max_upload_size
from spreadsheets.writing import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows listed per section of a preview; the counts always cover every row.
PREVIEW_ROWS = 1000


def _kind(request, slug):
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404
    if not kind.allowed(request.user):
        raise PermissionDenied
    return kind


def _render_index(request, bound=None, status=200):
    """The page with one card per template the user may use; `bound` replaces one card's
    forms with forms carrying errors."""
    cards = []
    for kind in kinds_for(request.user):
        card = {
            "kind": kind,
            "template_form": TemplateForm(kind=kind, auto_id=f"id_{kind.slug}_%s"),
            "upload_form": UploadForm(
                kind=kind, user=request.user, auto_id=f"id_up_{kind.slug}_%s"
            ),
        }
        if bound and bound["kind"] is kind:
            card |= bound
        cards.append(card)
    context = {
        "cards": cards,
        "max_size": filesizeformat(max_upload_size()),
        "max_rows": MAX_ROWS,
    }
    return render(request, "spreadsheets/index.html", context, status=status)


@require_GET
def index(request):
    return _render_index(request)


@require_GET
def download(request, slug):
    kind = _kind(request, slug)
    form = TemplateForm(request.GET, kind=kind, auto_id=f"id_{kind.slug}_%s")
    if form.is_valid():
        year, quarter = form.cleaned_data.get("year"), form.cleaned_data.get("quarter")
        try:
            kind.check_download(request.user, year=year, quarter=quarter)
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():
        return _render_index(request, {"kind": kind, "template_form": form}, status=400)
    content = build_template(kind, request.user, year=year, quarter=quarter)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{kind.filename(year=year, quarter=quarter)}"'
    )
    return response


@require_POST
def upload(request, slug):
    kind = _kind(request, slug)
    form = UploadForm(
        request.POST, request.FILES, kind=kind, user=request.user, auto_id=f"id_up_{kind.slug}_%s"
    )
    if not form.is_valid():
        return _render_index(request, {"kind": kind, "upload_form": form}, status=400)
    PendingImport.objects.expired().delete()
    pending = PendingImport.objects.create(
        user=request.user,
        kind=kind.slug,
        filename=os.path.basename(form.cleaned_data["file"].name)[:255],
        tables=form.upload.to_json(),
        reason=form.cleaned_data.get("reason", "").strip(),
    )
    PendingImport.objects.keep_latest(request.user)
    return redirect("spreadsheets:preview", token=pending.token)


def _pending(request, token) -> PendingImport:
    pending = get_object_or_404(PendingImport.objects.of(request.user), token=token)
    _kind(request, pending.kind)
    return pending


def preview(request, token):
    pending = _pending(request, token)
    kind = KINDS[pending.kind]
    confirming = request.method == "POST"
    try:
        report = run_import(
            kind=kind,
            actor=request.user,
            filename=pending.filename,
            upload=Upload.from_json(pending.tables),
            reason=pending.reason,
            commit=confirming,
            expected_digest=pending.preview_digest,
            unusual_confirmed=request.POST.get("unusual_confirmed") == "1",
        )
    except UploadRefused as refusal:
        pending.delete()
        messages.error(request, refusal.message)
        return redirect("spreadsheets:index")
    if report.applied:
        pending.delete()
        messages.success(
            request,
            _("Imported %(file)s: %(new)d new, %(changed)d changed, %(unchanged)d unchanged.")
            % {
                "file": pending.filename,
                "new": report.new,
                "changed": report.changed,
                "unchanged": report.unchanged,
            },
        )
        return redirect("spreadsheets:index")
    if confirming and report.stale:
        messages.warning(
            request,
            _(
                "The data in the application changed since your preview, so nothing was "
                "imported. Check the new preview below and confirm again."
            ),
        )
    pending.preview_digest = report.digest
    pending.save(update_fields=["preview_digest"])
    sections = [
        (NEW, _("New"), [r for r in report.rows if r.action == NEW]),
        (CHANGED, _("Changed"), [r for r in report.rows if r.action == CHANGED]),
        (UNCHANGED, _("Unchanged"), [r for r in report.rows if r.action == UNCHANGED]),
    ]
    # Rendered here rather than in a template loop: a preview may list 1,000 rows of a
    # dozen values each.
    for action, _title, rows in sections:
        pattern = (
            "{}: <del>{}</del> → <strong>{}</strong>"
            if action == CHANGED
            else "{}: <strong>{}</strong>"
        )
        for row in rows[:PREVIEW_ROWS]:
            row.summary = format_html_join(
                " · ",
                pattern,
                (
                    (c.field, c.old, c.new) if action == CHANGED else (c.field, c.new)
                    for c in row.changes
                ),
            )
    context = {
        "pending": pending,
        "kind": kind,
        "report": report,
        "errors": report.errors[:PREVIEW_ROWS],
        "sections": [
            {"action": action, "title": title, "rows": rows[:PREVIEW_ROWS], "total": len(rows)}
            for action, title, rows in sections
        ],
        "limit": PREVIEW_ROWS,
        "upload_form": UploadForm(kind=kind, user=request.user),
    }
    return render(request, "spreadsheets/preview.html", context)


@require_POST
def cancel(request, token):
    _pending(request, token).delete()
    messages.info(request, _("The upload was discarded; nothing was imported."))
    return redirect("spreadsheets:index")
