"""Every URL of the app x every role x GET and POST: who gets the page, who is refused, and
that a refused write changes nothing in the database. The pages are enumerated from the URL
resolver and the admin's registry, so a new page or a new domain model without a row here
fails. The Excel actions are rows per template kind, the admin's add, change and delete
pages rows per domain model."""

import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import MultiWidget
from django.urls import URLResolver, get_resolver, reverse

from bartim import access
from bartim.models import (
    Agency,
    Deadline,
    District,
    PeriodLock,
    PublishedYear,
    Regency,
    ReviewAction,
    ReviewStatus,
    User,
    Village,
)
from evidence.models import EvidenceFile
from evidence.services import evidence_add
from families.models import Beneficiary, Family, PendingBeneficiaryImport, RegistrySnapshot
from families.services import beneficiaries_read, beneficiary_add, registry_import
from helpers.forms import NumberTextInput
from indicators.models import Indicator, IndicatorValue
from notifications.models import Notification
from programs.models import FundingSource, NeedDimension, Program, QuarterReport, Strategy
from review.services import period_lock, review_transition
from spreadsheets.kinds import KINDS
from spreadsheets.models import PendingImport
from spreadsheets.reading import read_upload
from spreadsheets.writing import build_template
from tests import evidence_helpers
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PovertyStatisticFactory,
    ProgramFactory,
    VillageDataFactory,
    VillageFactory,
)
from tests.families_helpers import import_registry, kk, registry_csv, registry_row
from villages.models import NeedRule, PocketRule, PovertyStatistic, VillageData

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "opd_a", "opd_b", "camat_x", "camat_y", "admin"]
USERS = {
    "viewer": "viewer_user",
    "opd_a": "opd_a_user",
    "opd_b": "opd_b_user",
    "camat_x": "camat_x_user",
    "camat_y": "camat_y_user",
    "admin": "admin_user",
}
LOGIN = "login"  # 302 to the login page
DONE = "done"  # 302 elsewhere: the write went through


@pytest.fixture
def records(agency_a, village_x, opd_a_user, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    draft = ProgramFactory(agency=agency_a, name="Draf")
    indicator = IndicatorFactory(program=draft)
    IndicatorValueFactory(indicator=indicator, quarter=1, realized=Decimal("10"))
    submitted = ProgramFactory(agency=agency_a, name="Diajukan")
    IndicatorFactory(program=submitted)
    review_transition(record=submitted, action=ReviewAction.SUBMIT, actor=opd_a_user)
    approved = ProgramFactory(agency=agency_a, name="Disetujui", status=ReviewStatus.APPROVED)
    # The approved plan's TW III report waits for verification.
    review_transition(
        record=QuarterReport(program=approved, quarter=3),
        action=ReviewAction.SUBMIT,
        actor=opd_a_user,
    )
    village_data = VillageDataFactory(village=village_x)
    PovertyStatisticFactory(year=2024)
    PublishedYear.objects.create(year=2024, published_by=admin_user)
    # The administrator's own notice: only he opens it.
    notice = Notification.objects.create(
        user=admin_user, kind="locked", subject="TW I 2024 dikunci", body="-", url="/"
    )
    # The registry: a confirmed snapshot with one family of village X, an upload not yet
    # confirmed, a beneficiary of the draft programme and opd_a's beneficiary file in preview.
    registry = import_registry(admin_user, [registry_row(1, village_x, 1)])
    registry_preview = registry_import(
        actor=admin_user,
        content=registry_csv([registry_row(2, village_x, 1)]),
        filename="dtsen.csv",
        label="Pratinjau",
        taken_on="2025-12-31",
    )
    beneficiary = beneficiary_add(
        actor=opd_a_user, program=draft, kk=kk(1), quarter=1, kind=Beneficiary.Kind.CASH
    )
    pending = beneficiaries_read(
        actor=opd_a_user,
        program=draft,
        content=_beneficiary_file(),
        filename="penerima.csv",
    )
    # An evidence file of the draft's TW I report.
    (evidence,) = evidence_add(
        program=draft, quarter=1, files=[evidence_helpers.pdf()], actor=opd_a_user
    )
    # And one of its indicator's TW I value.
    (value_evidence,) = evidence_add(
        program=draft,
        quarter=1,
        files=[evidence_helpers.pdf()],
        actor=opd_a_user,
        indicator_value=IndicatorValue.objects.get(indicator=indicator, quarter=1),
    )
    return {
        "registry": registry,
        "registry_preview": registry_preview,
        "beneficiary": beneficiary,
        "pending": pending,
        "notice": notice,
        "evidence": evidence,
        "value_evidence": value_evidence,
        "draft": draft,
        "indicator": indicator,
        "submitted": submitted,
        "approved": approved,
        "village_data": village_data,
    }


def _beneficiary_file() -> bytes:
    return f"No. KK;Triwulan;Jenis bantuan\n{kk(1)};2;food\n".encode()


def _registry_upload():
    return {
        "label": "DTSEN uji",
        "taken_on": "2026-06-30",
        "file": SimpleUploadedFile(
            "dtsen.csv", registry_csv([registry_row(3, Village.objects.first(), 2)])
        ),
    }


# What the database holds, to compare before and after a refused write.
WATCHED = [
    RegistrySnapshot,
    Family,
    Beneficiary,
    PendingBeneficiaryImport,
    Deadline,
    PublishedYear,
    Notification,
    Regency,
    District,
    Village,
    Agency,
    User,
    PeriodLock,
    Strategy,
    Program,
    Indicator,
    IndicatorValue,
    VillageData,
    PovertyStatistic,
    PocketRule,
    NeedRule,
    NeedDimension,
    Program.target_villages.through,
    Program.needs.through,
    EvidenceFile,
]


def snapshot():
    rows = {}
    for model in WATCHED:
        rows[model._meta.label] = list(model.objects.order_by("pk").values())
        if hasattr(model, "history"):
            rows[f"{model._meta.label} history"] = model.history.count()
    for model in apps.get_models():
        if model._meta.model_name.endswith("reviewevent"):
            rows[model._meta.label] = model.objects.count()
    return rows


def _sign_in(request, client, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(USERS[role]))


def _check(response, expected, before, login_url):
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response.url.startswith(login_url)
    elif expected == DONE:
        assert response.status_code == 302, response.content[:2000]
        assert not response.url.startswith(login_url)
        return
    else:
        assert response.status_code == expected, (response.status_code, response.content[:2000])
    # Whatever was not a successful write changed nothing.
    assert snapshot() == before


# ---- The app's pages --------------------------------------------------------------------


def _figures(**extra):
    figures = dict.fromkeys(
        [
            "uninhabitable_houses",
            "households_without_clean_water",
            "households_without_latrine",
            "stunted_children",
            "children_out_of_school",
            "unemployed",
        ],
        0,
    )
    figures.update(
        population=1000, households=300, poor_households=30, poor_people=90,
        extremely_poor_people=10,
    )  # fmt: skip
    return {**figures, **extra}


def _program_data(program, **extra):
    return {
        "agency": program.agency_id,
        "strategy": program.strategy_id,
        "year": 2024,
        "name": "Nama baru",
        "budget_ceiling": 100_000_000,
        "beneficiary_unit": "kk",
        "seen_version": program.version,
        **extra,
    }


def _indicator_data(**extra):
    return {
        "name": "KK menerima bantuan",
        "unit": "KK",
        "direction": "up",
        "aggregation": "sum",
        "baseline": "0",
        "target": "10",
        **extra,
    }


def _page(name, records):
    """The URL and what a browser would POST to it (a valid write for whoever may make it)."""
    draft, indicator = records["draft"], records["indicator"]
    data = records["village_data"]
    submitted, approved = records["submitted"], records["approved"]
    return {
        "login": (reverse("login"), {"username": "nobody", "password": "salah"}),
        "logout": (reverse("logout"), {}),
        "password_change": (reverse("password_change"), {"old_password": "salah"}),
        "password_change_done": (reverse("password_change_done"), {}),
        # Served by bartim.middleware.HealthCheckMiddleware, before the URL resolver.
        "healthz": ("/healthz", {}),
        "set_language": (reverse("set_language"), {"language": "en", "next": "/"}),
        "reports:dashboard": (reverse("reports:dashboard"), {}),
        "home:home": (reverse("home:home"), {}),
        "reports:targeting": (reverse("reports:targeting"), {}),
        "reports:needs": (reverse("reports:needs"), {}),
        "reports:meeting_report_latest": (reverse("reports:meeting_report_latest"), {}),
        "reports:meeting_report": (reverse("reports:meeting_report", args=[2024]), {}),
        "reports:meeting_report_xlsx": (reverse("reports:meeting_report_xlsx", args=[2024]), {}),
        "programs:program_list": (reverse("programs:program_list"), {}),
        "programs:indicator_list": (reverse("programs:indicator_list"), {}),
        "programs:strategy_list": (reverse("programs:strategy_list"), {}),
        "programs:agency_list": (reverse("programs:agency_list"), {}),
        "programs:program_create": (
            reverse("programs:program_create"),
            _program_data(draft, name="Program baru"),
        ),
        "programs:program_detail": (reverse("programs:program_detail", args=[draft.pk]), {}),
        "programs:program_edit": (
            reverse("programs:program_edit", args=[draft.pk]),
            _program_data(draft),
        ),
        "programs:indicator_create": (
            reverse("programs:indicator_create", args=[draft.pk]),
            _indicator_data(),
        ),
        "programs:indicator_edit": (
            reverse("programs:indicator_edit", args=[draft.pk, indicator.pk]),
            _indicator_data(seen_version=draft.version),
        ),
        "programs:program_quarter": (
            reverse("programs:program_quarter", args=[draft.pk, 1]),
            {
                "budget_realized": 5,
                f"realized_{indicator.pk}": "12",
                "seen_version": draft.version,
            },
        ),
        "villages:village_list": (reverse("villages:village_list"), {}),
        "villages:village_data_list": (reverse("villages:village_data_list"), {}),
        "villages:village_data_create": (
            reverse("villages:village_data_create"),
            _figures(village=data.village_id, year=2025),
        ),
        "villages:village_data_detail": (
            reverse("villages:village_data_detail", args=[data.pk]),
            {},
        ),
        "villages:village_data_edit": (
            reverse("villages:village_data_edit", args=[data.pk]),
            _figures(village=data.village_id, year=2024, population=1100, seen_version=1),
        ),
        "review:program_history": (reverse("review:program_history", args=[draft.pk]), {}),
        "review:program_transition submit": (
            reverse("review:program_transition", args=[draft.pk, "submit"]),
            {},
        ),
        "review:program_transition approve": (
            reverse("review:program_transition", args=[submitted.pk, "approve"]),
            {},
        ),
        "review:program_transition return": (
            reverse("review:program_transition", args=[submitted.pk, "return"]),
            {"reason": "Lengkapi data"},
        ),
        "review:program_transition reopen": (
            reverse("review:program_transition", args=[approved.pk, "reopen"]),
            {"reason": "Koreksi"},
        ),
        "review:quarter_report_transition submit": (
            reverse("review:quarter_report_transition", args=[approved.pk, 2, "submit"]),
            {},
        ),
        "review:quarter_report_transition approve": (
            reverse("review:quarter_report_transition", args=[approved.pk, 3, "approve"]),
            {},
        ),
        "review:village_data_history": (
            reverse("review:village_data_history", args=[data.pk]),
            {},
        ),
        "review:village_data_transition submit": (
            reverse("review:village_data_transition", args=[data.pk, "submit"]),
            {},
        ),
        "review:review_queue": (
            reverse("review:review_queue"),
            {"action": "approve", "program": [submitted.pk]},
        ),
        "review:period_locks": (
            reverse("review:period_locks"),
            {"year": 2024, "quarter": 4, "reason": "Evaluasi"},
        ),
        "review:audit": (reverse("review:audit"), {}),
        "review:deadlines": (
            reverse("review:deadlines"),
            {"year": 2024, "quarter": 4, "due_date": "2025-01-20"},
        ),
        "evidence:quarter_evidence": (
            reverse("evidence:quarter_evidence", args=[draft.pk, 1]),
            {"files": [evidence_helpers.png()]},
        ),
        "evidence:quarter_evidence indicator value": (
            reverse("evidence:quarter_evidence", args=[draft.pk, 1]),
            {
                "files": [evidence_helpers.png()],
                "indicator_value": records["value_evidence"].indicator_value_id,
            },
        ),
        "evidence:download": (reverse("evidence:download", args=[records["evidence"].pk]), {}),
        "evidence:download indicator value": (
            reverse("evidence:download", args=[records["value_evidence"].pk]),
            {},
        ),
        "evidence:remove": (reverse("evidence:remove", args=[records["evidence"].pk]), {}),
        "notifications:inbox": (reverse("notifications:inbox"), {}),
        "notifications:open": (reverse("notifications:open", args=[records["notice"].pk]), {}),
        "notifications:mark_all_read": (reverse("notifications:mark_all_read"), {}),
        "notifications:my_settings": (reverse("notifications:my_settings"), {}),
        "families:index": (reverse("families:index"), {}),
        "families:registry_upload": (reverse("families:registry_upload"), _registry_upload()),
        "families:registry_preview": (
            reverse("families:registry_preview", args=[records["registry_preview"].pk]),
            {},
        ),
        "families:snapshot_edit": (
            reverse("families:snapshot_edit", args=[records["registry"].pk]),
            {"eligible_up_to": 3},
        ),
        "families:snapshot_delete": (
            reverse("families:snapshot_delete", args=[records["registry"].pk]),
            {},
        ),
        "families:measures": (reverse("families:measures"), {}),
        "families:unreached": (reverse("families:unreached"), {}),
        "families:programmes": (reverse("families:programmes"), {}),
        "families:beneficiaries": (
            reverse("families:beneficiaries", args=[draft.pk]),
            {"kk": kk(1), "quarter": 2, "kind": "food"},
        ),
        "families:beneficiary_template": (
            reverse("families:beneficiary_template", args=[draft.pk]),
            {},
        ),
        "families:beneficiary_upload": (
            reverse("families:beneficiary_upload", args=[draft.pk]),
            {"file": SimpleUploadedFile("penerima.csv", _beneficiary_file())},
        ),
        "families:beneficiary_delete": (
            reverse("families:beneficiary_delete", args=[records["beneficiary"].pk]),
            {},
        ),
        "families:beneficiary_preview": (
            reverse("families:beneficiary_preview", args=[records["pending"].token]),
            {},
        ),
        "families:beneficiary_cancel": (
            reverse("families:beneficiary_cancel", args=[records["pending"].token]),
            {},
        ),
        "families:access_log": (reverse("families:access_log"), {}),
        "transparency:page": (reverse("transparency:page"), {}),
        "transparency:dictionary": (reverse("transparency:dictionary"), {}),
        "transparency:download": (
            reverse("transparency:download", args=[2024, "programmes", "csv"]),
            {},
        ),
        "transparency:published_years": (reverse("transparency:published_years"), {"year": 2023}),
        "transparency:withdraw_year": (reverse("transparency:withdraw_year", args=[2024]), {}),
        # The API answers a signed-in browser as anyone without a token (tests/test_api.py
        # has the matrix of tokens); its schema and documentation page are public.
        **{
            f"api:{name}": (reverse(f"api:{name}", args=args), {})
            for name, args in API_URLS.items()
        },
    }[name]


API_URLS = {
    "programme-list": [],
    "programme-detail": [1],
    "indicator-list": [],
    "indicator-detail": [1],
    "village-data-list": [],
    "village-data-detail": [1],
    "strategy-list": [],
    "pocket-list": [],
    "targeting-list": [],
    "schema": [],
    "docs": [],
}


# anonymous viewer opd_a opd_b camat_x camat_y admin; (GET, POST) each
PAGES = {
    "login":                                  ([200] * 7, [200] * 7),
    "logout":                                 ([LOGIN] + [405] * 6, [LOGIN] * 7),
    "password_change":                        ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "password_change_done":                   ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "healthz":                                ([200] * 7, [200] * 7),
    "set_language":                           ([DONE] * 7, [DONE] * 7),
    # The summaries read the same whichever the method; a POST writes nothing.
    "reports:dashboard":                      ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "home:home":                              ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "reports:targeting":                      ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "reports:needs":                          ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "reports:meeting_report_latest":          ([LOGIN] + [DONE] * 6, [LOGIN] + [DONE] * 6),
    "reports:meeting_report":                 ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "reports:meeting_report_xlsx":            ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "programs:program_list":                  ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "programs:indicator_list":                ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "programs:strategy_list":                 ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "programs:agency_list":                   ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "programs:program_create":                ([LOGIN, 403, 200, 200, 403, 403, 200],
                                               [LOGIN, 403, DONE, DONE, 403, 403, DONE]),
    "programs:program_detail":                ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "programs:program_edit":                  ([LOGIN, 403, 200, 403, 403, 403, 200],
                                               [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    "programs:indicator_create":              ([LOGIN, 403, 200, 403, 403, 403, 200],
                                               [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    "programs:indicator_edit":                ([LOGIN, 403, 200, 403, 403, 403, 200],
                                               [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    "programs:program_quarter":               ([LOGIN, 403, 200, 403, 403, 403, 200],
                                               [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    "villages:village_list":                  ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "villages:village_data_list":             ([LOGIN, 403, 403, 403, 200, 200, 200],
                                               [LOGIN, 403, 403, 403, 200, 200, 200]),
    "villages:village_data_create":           ([LOGIN, 403, 403, 403, 200, 200, 200],
                                               [LOGIN, 403, 403, 403, DONE, 200, DONE]),
    "villages:village_data_detail":           ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "villages:village_data_edit":             ([LOGIN, 403, 403, 403, 200, 403, 200],
                                               [LOGIN, 403, 403, 403, DONE, 403, DONE]),
    "review:program_history":                 ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "review:program_transition submit":       ([LOGIN, 403, 200, 403, 403, 403, 200],
                                               [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    "review:program_transition approve":      ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "review:program_transition return":       ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "review:program_transition reopen":       ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "review:quarter_report_transition submit":  ([LOGIN, 403, 200, 403, 403, 403, 200],
                                                 [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    "review:quarter_report_transition approve": ([LOGIN, 403, 403, 403, 403, 403, 200],
                                                 [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "review:village_data_history":            ([LOGIN] + [200] * 6, [LOGIN] + [200] * 6),
    "review:village_data_transition submit":  ([LOGIN, 403, 403, 403, 200, 403, 200],
                                               [LOGIN, 403, 403, 403, DONE, 403, DONE]),
    "review:review_queue":                    ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "review:period_locks":                    ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "review:audit":                           ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, 200]),
    "review:deadlines":                       ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    # A quarter report's evidence: read by every account, added and removed by who may
    # change the quarter's data (bartim.access.check_evidence).
    "evidence:quarter_evidence":              ([LOGIN] + [200] * 6,
                                               [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    # An indicator value's evidence: the same, through its quarter report.
    "evidence:quarter_evidence indicator value": ([LOGIN] + [200] * 6,
                                                  [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    "evidence:download":                      ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "evidence:download indicator value":      ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "evidence:remove":                        ([LOGIN] + [405] * 6,
                                               [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    # Each account's own inbox and settings; another's notice is not found.
    "notifications:inbox":                    ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "notifications:open":                     ([LOGIN] + [404] * 5 + [DONE], [LOGIN] + [405] * 6),
    "notifications:mark_all_read":            ([LOGIN] + [405] * 6, [LOGIN] + [DONE] * 6),
    "notifications:my_settings":              ([LOGIN] + [200] * 6, [LOGIN] + [DONE] * 6),
    # The registry: figures for every role, names for the administrator and the camat (his
    # own villages), beneficiaries for the administrator and the programme's own OPD; another
    # account's pending file, or a beneficiary he may not see, is not found.
    "families:index":                         ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "families:registry_upload":               ([LOGIN] + [405] * 6,
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "families:registry_preview":              ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "families:snapshot_edit":                 ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "families:snapshot_delete":               ([LOGIN] + [405] * 6,
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "families:measures":                      ([LOGIN] + [200] * 6, [LOGIN] + [405] * 6),
    "families:unreached":                     ([LOGIN, 403, 403, 403, 200, 200, 200],
                                               [LOGIN] + [405] * 6),
    "families:programmes":                    ([LOGIN, 403, 200, 200, 403, 403, 200],
                                               [LOGIN] + [405] * 6),
    "families:beneficiaries":                 ([LOGIN, 403, 200, 403, 403, 403, 200],
                                               [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    "families:beneficiary_template":          ([LOGIN, 403, 200, 403, 403, 403, 200],
                                               [LOGIN] + [405] * 6),
    "families:beneficiary_upload":            ([LOGIN] + [405] * 6,
                                               [LOGIN, 403, DONE, 403, 403, 403, DONE]),
    "families:beneficiary_delete":            ([LOGIN] + [405] * 6,
                                               [LOGIN, 404, DONE, 404, 404, 404, DONE]),
    "families:beneficiary_preview":           ([LOGIN, 404, 200, 404, 404, 404, 404],
                                               [LOGIN, 404, DONE, 404, 404, 404, 404]),
    "families:beneficiary_cancel":            ([LOGIN] + [405] * 6,
                                               [LOGIN, 404, DONE, 404, 404, 404, 404]),
    "families:access_log":                    ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN] + [405] * 6),
    # Anyone reads the public page and the open data; nobody posts to them.
    "transparency:page":                            ([200] * 7, [405] * 7),
    "transparency:dictionary":                      ([200] * 7, [405] * 7),
    "transparency:download":                        ([200] * 7, [405] * 7),
    "transparency:published_years":                 ([LOGIN, 403, 403, 403, 403, 403, 200],
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    "transparency:withdraw_year":                   ([LOGIN] + [405] * 6,
                                               [LOGIN, 403, 403, 403, 403, 403, DONE]),
    **{
        f"api:{name}": ([401] * 7, [401] * 7)
        for name in API_URLS if name not in ("schema", "docs")
    },
    "api:schema":                             ([200] * 7, [405] * 7),
    "api:docs":                               ([200] * 7, [405] * 7),
}  # fmt: skip

PAGE_CASES = [
    pytest.param(page, method, role, expected, id=f"{page}-{method}-{role}")
    for page, (gets, posts) in PAGES.items()
    for method, statuses in (("get", gets), ("post", posts))
    for role, expected in zip(ROLES, statuses, strict=True)
]


def _app_url_names():
    """Every named URL of the app outside the admin, with its namespace."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_page_of_the_app_has_a_row_in_the_matrix():
    covered = {page.split(" ")[0] for page in PAGES} | {
        f"spreadsheets:{action}" for action in EXCEL_ACTIONS
    }
    # The benchmark's reference page exists only with BENCHMARK_FLOOR=1 on a development box;
    # the health check is answered by a middleware, outside the URL resolver.
    assert _app_url_names() - {"benchmarks:floor"} == covered - {"healthz"}


@pytest.mark.parametrize(("page", "method", "role", "expected"), PAGE_CASES)
def test_page_matrix(request, client, records, page, method, role, expected):
    _sign_in(request, client, role)
    url, data = _page(page, records)
    before = snapshot()

    response = client.get(url) if method == "get" else client.post(url, data)

    _check(response, expected, before, reverse("login"))


# ---- The exports of the targeting check and the registry's pages --------------------------

# anonymous viewer opd_a opd_b camat_x camat_y admin: a GET with `?_export=`; 200 is a file.
EXPORTS = {
    "reports:targeting xlsx":                 [LOGIN] + [200] * 6,
    "families:measures csv":                  [LOGIN] + [200] * 6,
    "families:measures xlsx":                 [LOGIN] + [200] * 6,
    "families:unreached csv":                 [LOGIN, 403, 403, 403, 200, 200, 200],
    "families:unreached xlsx":                [LOGIN, 403, 403, 403, 200, 200, 200],
    "families:beneficiaries csv":             [LOGIN, 403, 200, 403, 403, 403, 200],
    "families:beneficiaries xlsx":            [LOGIN, 403, 200, 403, 403, 403, 200],
}  # fmt: skip


@pytest.mark.parametrize(
    ("export", "role", "expected"),
    [
        pytest.param(export, role, expected, id=f"{export}-{role}")
        for export, statuses in EXPORTS.items()
        for role, expected in zip(ROLES, statuses, strict=True)
    ],
)
def test_export_matrix(request, client, records, export, role, expected):
    page, export_format = export.split(" ")
    _sign_in(request, client, role)
    url, _data = _page(page, records)
    before = snapshot()

    response = client.get(url, {"_export": export_format})

    _check(response, expected, before, reverse("login"))
    if expected == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Disposition"].endswith(f'.{export_format}"')


# ---- Programme owners beyond the OPDs ------------------------------------------------------

# The pages where a programme's owner is told from another organisation's account: the
# programme's forms, its review steps, its evidence and its beneficiaries.
OWNER_PAGES = [
    "programs:program_create",
    "programs:program_edit",
    "programs:indicator_create",
    "programs:indicator_edit",
    "programs:program_quarter",
    "review:program_transition submit",
    "review:quarter_report_transition submit",
    "evidence:quarter_evidence",
    "evidence:download",
    "evidence:remove",
    "families:beneficiaries",
]
# A village government's, a business's or a community organisation's account gets what an
# OPD account gets: its own organisation's programmes (opd_a's column), not another's
# (opd_b's). Every method for the village operator; the writes for the other two kinds.
OWNER_CASES = [
    pytest.param(
        kind,
        page,
        method,
        role,
        PAGES[page][method == "post"][ROLES.index(role)],
        id=f"{kind}-{page}-{method}-{role}",
    )
    for kind in (Agency.Kind.VILLAGE, Agency.Kind.BUSINESS, Agency.Kind.COMMUNITY)
    for page in OWNER_PAGES
    for method in (("get", "post") if kind == Agency.Kind.VILLAGE else ("post",))
    for role in ("opd_a", "opd_b")
]


@pytest.mark.parametrize(("kind", "page", "method", "role", "expected"), OWNER_CASES)
def test_owner_kind_matrix(
    request, client, records, agency_a, agency_b, village_x, village_y, kind, page, method, role,
    expected,
):  # fmt: skip
    # Both organisations of the cast become owners of `kind` (village governments of X and Y).
    for agency, village in ((agency_a, village_x), (agency_b, village_y)):
        Agency.objects.filter(pk=agency.pk).update(
            kind=kind, village=village if kind == Agency.Kind.VILLAGE else None
        )
    _sign_in(request, client, role)
    url, data = _page(page, records)
    before = snapshot()

    response = client.get(url) if method == "get" else client.post(url, data)

    _check(response, expected, before, reverse("login"))


# ---- The Excel actions --------------------------------------------------------------------

# Who may use each template: its download, upload, preview, confirmation and cancelling.
EXCEL_USERS = {
    "quarterly": {"opd_a", "opd_b", "admin"},
    "village-data": {"camat_x", "camat_y", "admin"},
    "programs": {"admin"},
    "bps": {"admin"},
}
EXCEL_ACTIONS = ["index", "template", "upload", "preview", "cancel"]


def test_every_template_kind_has_rows_in_the_matrix():
    assert set(KINDS) == set(EXCEL_USERS)


def _excel_expected(kind, action, method, role):
    """What `role` gets; for the preview, confirmation and cancelling of an upload, the
    upload is his own when he may use the template, else an administrator's."""
    if role == "anonymous":
        return LOGIN
    allowed = role in EXCEL_USERS[kind]
    if action == "index":
        return 200 if method == "get" else 405
    if action == "template":
        return (200 if allowed else 403) if method == "get" else 405
    if action == "upload":
        return 405 if method == "get" else (DONE if allowed else 403)
    if action == "preview":
        # Nobody sees another's upload: not even that it exists. The upload is the template
        # as downloaded, so its confirmation has nothing to import and shows the preview
        # again (confirmations that write: test_excel_import.py).
        return 200 if allowed else 404
    if action == "cancel":
        return 405 if method == "get" else (DONE if allowed else 404)
    raise AssertionError(action)


EXCEL_CASES = [
    pytest.param(
        kind,
        action,
        method,
        role,
        _excel_expected(kind, action, method, role),
        id=f"{kind}-{action}-{method}-{role}",
    )
    for kind in EXCEL_USERS
    for action in EXCEL_ACTIONS
    for method in ("get", "post")
    for role in ROLES
]


def _template_for(kind, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = build_template(KINDS[kind], user, year=2024, quarter=1)
    return content, SimpleUploadedFile("isian.xlsx", content)


@pytest.mark.parametrize(("kind", "action", "method", "role", "expected"), EXCEL_CASES)
def test_excel_matrix(request, client, records, admin_user, kind, action, method, role, expected):
    user = request.getfixturevalue(USERS[role]) if role != "anonymous" else None
    owner = user if role in EXCEL_USERS[kind] else admin_user
    content, file = _template_for(kind, owner)
    pending = PendingImport.objects.create(
        user=owner, kind=kind, filename="isian.xlsx", tables=read_upload(content).to_json()
    )
    url, data = {
        "index": (reverse("spreadsheets:index"), {}),
        "template": (reverse("spreadsheets:template", args=[kind]), {"year": 2024, "quarter": 1}),
        "upload": (reverse("spreadsheets:upload", args=[kind]), {"file": file}),
        "preview": (reverse("spreadsheets:preview", args=[pending.token]), {}),
        "cancel": (reverse("spreadsheets:cancel", args=[pending.token]), {}),
    }[action]
    if action == "preview":
        # Its owner has seen the preview: a confirmation applies only what was seen.
        client.force_login(owner)
        assert client.get(url).status_code == 200
        client.logout()
    _sign_in(request, client, role)
    before = snapshot()
    pending_before = list(PendingImport.objects.values_list("token", flat=True))

    if method == "get":
        response = client.get(url, data if action == "template" else {})
    else:
        response = client.post(url, data)

    _check(response, expected, before, reverse("login"))
    if expected != DONE:
        assert list(PendingImport.objects.values_list("token", flat=True)) == pending_before


# ---- The Django admin ---------------------------------------------------------------------

DOMAIN_APPS = {"bartim", "programs", "indicators", "villages"}


def _admin_object(model, records):
    """A record of `model` that its admin may open and delete (nothing depends on it)."""
    if model is Program:
        return ProgramFactory(agency=records["draft"].agency, name="Kosong")
    if model is Indicator:
        return IndicatorFactory(program=records["draft"])
    if model is IndicatorValue:
        return IndicatorValueFactory(indicator=records["indicator"], quarter=2)
    if model is VillageData:
        return records["village_data"]
    if model is PovertyStatistic:
        return PovertyStatistic.objects.get(year=2024)
    if model is PocketRule:
        return PocketRule.current()
    if model is NeedRule:
        return NeedRule.current()
    if model is NeedDimension:
        # Named by no programme, so an administrator may delete it.
        return NeedDimension.objects.get(code="other")
    if model is Strategy:
        return records["draft"].strategy
    if model is QuarterReport:
        return QuarterReport.objects.create(program=records["draft"], quarter=2)
    if model is Agency:
        return AgencyFactory(name="Dinas Tanpa Program")
    if model is Village:
        return VillageFactory(district=records["village_data"].village.district)
    if model is District:
        return records["village_data"].village.district.__class__.objects.create(
            regency=records["village_data"].village.district.regency,
            code="62.13.77",
            name="Kecamatan Kosong",
        )
    if model is Regency:
        return Regency.objects.create(code="62.99", name="Kabupaten Lain")
    if model is User:
        return User.objects.create(username="tanpa_peran")
    if model is Deadline:
        return Deadline.objects.create(year=2024, quarter=1, due_date="2024-04-15")
    if model is FundingSource:
        return FundingSource.objects.create(name="Hibah Provinsi")
    if model is PublishedYear:
        return PublishedYear.objects.get(year=2024)
    raise AssertionError(f"no row for {model._meta.label} in the admin matrix")


def _domain_admins():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in DOMAIN_APPS),
        key=lambda model: model._meta.label,
    )


def _form_data(response) -> dict:
    """What the browser posts back from an admin add or change page as it rendered."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [v for v in value if v is not None]
        else:
            data[name] = "" if value is None else value
        widget = form.fields[name].widget
        if isinstance(widget, NumberTextInput):
            # The number as the input shows it (1.250,75), which is what a browser posts.
            data[name] = widget.format_value(value) or ""
        if isinstance(widget, MultiWidget):
            del data[name]
            for index, part in enumerate(widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else str(part)
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                widget = inline_form.fields[name].widget
                if isinstance(widget, NumberTextInput):
                    value = widget.format_value(value)
                data[inline_form.add_prefix(name)] = "" if value is None else value
    return data


# What an administrator types into the add form so that it saves (unique fields).
ADD_DATA = {
    Deadline: {"year": 2024, "quarter": 2, "due_date": "2024-07-15"},
    FundingSource: {"name": "Bantuan Keuangan Provinsi"},
    PublishedYear: {"year": 2023},
    Program: {"name": "Program dari admin", "year": 2024},
    Indicator: {"name": "Indikator dari admin"},
    IndicatorValue: {"quarter": 3, "realized": "4"},
    VillageData: {"year": 2020},
    PovertyStatistic: {"year": 2020},
    NeedDimension: {"code": "energy", "name": "Listrik", "figure": ""},
    Agency: {"name": "Dinas Baru", "code": ""},
    Village: {"code": "62.13.01.2999", "name": "Desa Baru"},
    District: {"code": "62.13.88", "name": "Kecamatan Baru"},
    Regency: {"code": "62.98", "name": "Kabupaten Baru"},
    User: {
        "username": "pengguna_baru",
        "usable_password": "true",
        "password1": "Kata-sandi-kuat-2024",
        "password2": "Kata-sandi-kuat-2024",
        "role": "viewer",
    },
}
# Administrators change and delete any of them; the strategies, the pocket rule and the
# basic-needs rule are only changed (bartim.access.CHANGED_ONLY).
# A quarter report comes with its quarter's first note or review step and is never deleted.
ADMIN_ADD = {Strategy: 403, PocketRule: 403, NeedRule: 403, QuarterReport: 403}
ADMIN_DELETE = {Strategy: 403, PocketRule: 403, NeedRule: 403, QuarterReport: 403}


def _admin_expected(model, view, method, role):
    if role == "anonymous":
        return LOGIN
    if role != "admin":
        return "admin_login"  # not staff: the admin site sends them to its own login
    if view == "add":
        return ADMIN_ADD.get(model, 200 if method == "get" else DONE)
    if view == "delete":
        return ADMIN_DELETE.get(model, 200 if method == "get" else DONE)
    return 200 if method == "get" else DONE


ADMIN_CASES = [
    pytest.param(
        model,
        view,
        method,
        role,
        _admin_expected(model, view, method, role),
        id=f"{model._meta.label_lower}-{view}-{method}-{role}",
    )
    for model in _domain_admins()
    for view in ("add", "change", "delete")
    for method in ("get", "post")
    for role in ROLES
]


def test_every_domain_model_in_the_admin_has_rows_in_the_matrix(records):
    for model in _domain_admins():
        assert _admin_object(model, records).pk is not None


@pytest.mark.parametrize(("model", "view", "method", "role", "expected"), ADMIN_CASES)
def test_admin_matrix(request, client, records, admin_user, model, view, method, role, expected):
    obj = _admin_object(model, records)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    url = reverse(f"{prefix}_{view}", args=[] if view == "add" else [obj.pk])
    # The form as an administrator's browser would post it, whoever posts it.
    client.force_login(admin_user)
    if view == "delete":
        data = {"post": "yes"}
    else:
        page = client.get(reverse(f"{prefix}_change", args=[obj.pk]))
        data = _form_data(page)
        if view == "add":
            data.update(ADD_DATA.get(model, {}))
            data.pop("seen_version", None)
            if model is VillageData:
                # Not on the change page: an existing record's village is fixed.
                data["village"] = obj.village_id
    client.logout()
    _sign_in(request, client, role)
    before = snapshot()

    response = client.get(url) if method == "get" else client.post(url, data)

    if expected == "admin_login":
        _check(response, LOGIN, before, reverse("admin:login"))
    else:
        if expected == DONE and response.status_code == 200:
            form = response.context.get("adminform")
            raise AssertionError(form and (form.form.errors, form.form.non_field_errors()))
        _check(response, expected, before, reverse("login"))


def test_unknown_record_is_404_not_a_leak(client, opd_a_user):
    client.force_login(opd_a_user)

    assert client.get(reverse("programs:program_edit", args=[999999])).status_code == 404
    assert client.get(reverse("review:program_transition", args=[1, "explode"])).status_code == 404


def _program_state(program):
    program = Program.objects.get(pk=program.pk)
    return (program.name, program.agency_id, program.status, program.budget_realized_q3)


@pytest.mark.parametrize("role", ["viewer", "opd_b", "camat_x"])
def test_refused_programme_edit_changes_nothing(request, client, records, role):
    client.force_login(request.getfixturevalue(USERS[role]))
    before = _program_state(records["draft"])

    response = client.post(
        reverse("programs:program_edit", args=[records["draft"].pk]),
        {"name": "Diubah", "strategy": 1, "year": 2024, "budget_ceiling": 1},
    )

    assert response.status_code == 403
    assert _program_state(records["draft"]) == before


def test_opd_cannot_move_his_programme_to_another_opd(client, records, opd_a_user, agency_b):
    program = records["draft"]
    client.force_login(opd_a_user)

    client.post(
        reverse("programs:program_edit", args=[program.pk]),
        {
            "agency": agency_b.pk,
            "strategy": program.strategy_id,
            "year": 2024,
            "name": "Nama baru",
            "budget_ceiling": 100_000_000,
            "beneficiary_unit": "kk",
            "seen_version": 1,
        },
    )

    program.refresh_from_db()
    assert program.agency_id == opd_a_user.agency_id
    assert program.name == "Nama baru"


def test_opd_cannot_edit_after_submitting(client, records, opd_a_user):
    program = records["submitted"]
    client.force_login(opd_a_user)
    before = _program_state(program)

    response = client.post(
        reverse("programs:program_edit", args=[program.pk]),
        {"name": "Diubah", "strategy": 1, "year": 2024, "budget_ceiling": 1},
    )

    assert response.status_code == 403
    assert _program_state(program) == before


def test_opd_cannot_report_a_locked_quarter(client, records, opd_a_user, admin_user):
    program = records["draft"]
    period_lock(year=2024, quarter=3, actor=admin_user)
    client.force_login(opd_a_user)

    response = client.post(
        reverse("programs:program_quarter", args=[program.pk, 3]), {"budget_realized": 5}
    )

    assert response.status_code == 403
    assert _program_state(program)[3] == 0


def test_admin_cannot_approve_his_own_submission(client, records, admin_user):
    program = records["draft"]
    review_transition(record=program, action="submit", actor=admin_user)
    client.force_login(admin_user)

    response = client.post(reverse("review:program_transition", args=[program.pk, "approve"]))

    assert response.status_code == 403
    program.refresh_from_db()
    assert program.status == ReviewStatus.SUBMITTED


def test_viewer_cannot_approve(client, records, viewer_user):
    client.force_login(viewer_user)
    program = records["submitted"]

    response = client.post(reverse("review:program_transition", args=[program.pk, "approve"]))

    assert response.status_code == 403
    program.refresh_from_db()
    assert program.status == ReviewStatus.SUBMITTED


def test_camat_cannot_move_village_data_to_another_village(
    client, records, camat_x_user, village_y
):
    record = records["village_data"]
    client.force_login(camat_x_user)
    data = {
        "village": village_y.pk,
        "year": 2024,
        "population": 1000,
        "households": 300,
        "poor_households": 30,
        "poor_people": 90,
        "extremely_poor_people": 10,
    }
    for name in ("uninhabitable_houses", "households_without_clean_water"):
        data[name] = 0
    for name in ("households_without_latrine", "stunted_children", "children_out_of_school"):
        data[name] = 0
    data["unemployed"] = 0
    data["seen_version"] = 1

    data["population"] = 1100
    url = reverse("villages:village_data_edit", args=[record.pk])

    page = client.get(url).content.decode()
    response = client.post(url, data)

    # The village and year are shown but disabled, and what is posted for them is ignored.
    assert re.search(r"<select name=\"village\"[^>]* disabled", page)
    assert response.status_code == 302
    saved = VillageData.objects.get(pk=record.pk)
    assert (saved.village_id, saved.population) == (record.village_id, 1100)


def test_indicators_and_their_values_are_read_by_every_signed_in_user_and_no_one_else(
    records, viewer_user, opd_b_user, camat_x_user
):
    IndicatorValueFactory(indicator=Indicator.objects.first(), quarter=2)
    inactive = camat_x_user
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    for reader in (viewer_user, opd_b_user):
        assert (
            access.readable(reader, Indicator.objects.all()).count()
            == Indicator.objects.count()
            > 0
        )
        assert access.readable(reader, IndicatorValue.objects.all()).count() == 2
    for stranger in (AnonymousUser(), inactive):
        assert not access.readable(stranger, Indicator.objects.all()).exists()
        assert not access.readable(stranger, IndicatorValue.objects.all()).exists()


# ---- A locked quarter in the admin ----------------------------------------------------------


@pytest.fixture
def locked_q1(records, admin_user):
    period_lock(year=2024, quarter=1, actor=admin_user, reason="Evaluasi TW I")
    return records


def _admin_form(client, url, **changes):
    data = _form_data(client.get(url))
    data.update(changes)
    return data


def test_admin_cannot_change_a_locked_quarters_budget_without_a_reason(admin_client, locked_q1):
    program = locked_q1["draft"]
    url = reverse("admin:programs_program_change", args=[program.pk])
    before = snapshot()

    response = admin_client.post(url, _admin_form(admin_client, url, budget_realized_q1=5))

    assert response.status_code == 200
    assert "TW I 2024 sudah dikunci: berikan alasan untuk mengubahnya." in response.content.decode()
    assert snapshot() == before


def test_admin_changes_a_locked_quarters_budget_with_a_reason_kept_in_the_history(
    admin_client, locked_q1, admin_user
):
    program = locked_q1["draft"]
    url = reverse("admin:programs_program_change", args=[program.pk])
    data = _admin_form(admin_client, url, budget_realized_q1=5, lock_reason="Koreksi BPKAD")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.budget_realized_q1 == 5
    latest = program.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("Koreksi BPKAD", admin_user)


def test_admin_cannot_change_a_locked_quarters_value_without_a_reason(admin_client, locked_q1):
    value = IndicatorValue.objects.get(indicator=locked_q1["indicator"], quarter=1)
    url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    before = snapshot()

    response = admin_client.post(url, _admin_form(admin_client, url, realized="99"))

    assert response.status_code == 200
    assert "TW I 2024 sudah dikunci: berikan alasan untuk mengubahnya." in response.content.decode()
    assert snapshot() == before


def test_admin_changes_a_locked_quarters_value_with_a_reason_kept_in_the_history(
    admin_client, locked_q1
):
    value = IndicatorValue.objects.get(indicator=locked_q1["indicator"], quarter=1)
    url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    data = _admin_form(admin_client, url, realized="99", lock_reason="Data susulan")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    value.refresh_from_db()
    assert value.realized == Decimal("99")
    assert value.history.first().history_change_reason == "Data susulan"


def test_a_locked_quarters_value_on_the_indicator_page_needs_the_reason_too(
    admin_client, locked_q1
):
    indicator = locked_q1["indicator"]
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = _admin_form(admin_client, url, **{"values-0-realized": "77"})
    before = snapshot()

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    assert "TW I 2024 sudah dikunci: berikan alasan untuk mengubahnya." in refused.content.decode()
    assert snapshot() == before
    saved = admin_client.post(url, {**data, "lock_reason": "Salah ketik"})
    assert saved.status_code == 302
    value = IndicatorValue.objects.get(indicator=indicator, quarter=1)
    assert value.realized == Decimal("77")
    assert value.history.first().history_change_reason == "Salah ketik"


def test_a_locked_quarters_value_cannot_be_deleted_on_the_admins_delete_page(
    admin_client, locked_q1
):
    value = IndicatorValue.objects.get(indicator=locked_q1["indicator"], quarter=1)
    url = reverse("admin:indicators_indicatorvalue_delete", args=[value.pk])
    before = snapshot()

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert snapshot() == before


def test_a_lock_set_after_the_form_was_checked_is_a_message_not_an_error(
    admin_client, records, admin_user, monkeypatch
):
    """The services refuse a save the form let through (someone locked the quarter in
    between): the admin says so and saves nothing."""
    from bartim.admin import LockReasonFormMixin

    program = records["draft"]
    url = reverse("admin:programs_program_change", args=[program.pk])
    data = _admin_form(admin_client, url, budget_realized_q1=5, name="Diubah")
    period_lock(year=2024, quarter=1, actor=admin_user)
    monkeypatch.setattr(LockReasonFormMixin, "locked_change_refusal", lambda self: None)
    before = snapshot()

    response = admin_client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "TW I 2024 sudah dikunci: berikan alasan untuk mengubahnya." in response.content.decode()
    assert snapshot() == before


# ---- The admin asks the policy, not Django's permissions -----------------------------------


def test_a_staff_agency_account_gets_in_the_admin_what_the_policy_gives(
    client, records, opd_a_user, agency_b
):
    opd_a_user.is_staff = True
    opd_a_user.save(update_fields=["is_staff"])
    foreign = ProgramFactory(agency=agency_b, name="Milik Dinkes")
    client.force_login(opd_a_user)
    own_url = reverse("admin:programs_program_change", args=[records["draft"].pk])
    before = snapshot()

    own = client.get(own_url)
    refused = client.post(
        reverse("admin:programs_program_change", args=[foreign.pk]), {"name": "Diubah"}
    )
    users = client.get(reverse("admin:bartim_user_changelist"))
    add = client.get(reverse("admin:programs_program_add"))

    assert own.status_code == 200
    # His programme's agency is fixed; a new one can only be his agency's.
    assert 'name="agency"' not in own.content.decode()
    assert list(add.context["adminform"].form.fields["agency"].queryset) == [opd_a_user.agency]
    assert refused.status_code == 403
    assert users.status_code == 403
    assert snapshot() == before


# ---- The permission matrix of the API: every endpoint x every token's role x method ------

# The API answers a token, not a session: anonymous is a request without one.
API_ROLES = ["anonymous", "public", "viewer", "opd_a", "opd_b", "camat_x", "camat_y", "admin"]


def _api_url(name, public_year):
    """The URL of `name` for a record every token reads (published, verified)."""
    verified = public_year["verified"]
    args = {
        "programme-detail": [verified.pk],
        "indicator-detail": [verified.indicators.get().pk],
        "village-data-detail": [
            VillageData.objects.get(year=2024, status=ReviewStatus.APPROVED).pk
        ],
    }.get(name, [])
    return reverse(f"api:{name}", args=args)


# anonymous (no token) public viewer opd_a opd_b camat_x camat_y admin; (GET, POST) each.
# Every account reads every aggregate (bartim.access.readable); nobody writes.
API_MATRIX = {
    name: ([401] + [200] * 7, [401] + [405] * 7)
    for name in (
        "programme-list",
        "programme-detail",
        "indicator-list",
        "indicator-detail",
        "village-data-list",
        "village-data-detail",
        "strategy-list",
        "pocket-list",
        "targeting-list",
    )
}
API_MATRIX |= {"schema": ([200] * 8, [405] * 8), "docs": ([200] * 8, [405] * 8)}


def test_every_api_endpoint_has_a_row_in_the_matrix():
    from api.urls import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == set(API_MATRIX) == set(API_URLS)


@pytest.mark.parametrize(
    ("name", "method", "role", "expected"),
    [
        pytest.param(name, method, role, expected, id=f"{name}-{method}-{role}")
        for name, (gets, posts) in API_MATRIX.items()
        for method, statuses in (("get", gets), ("post", posts))
        for role, expected in zip(API_ROLES, statuses, strict=True)
    ],
)
def test_api_matrix(client, public_year, token_for, name, method, role, expected):
    headers = {} if role == "anonymous" else token_for(role)
    url = _api_url(name, public_year)

    if method == "get":
        response = client.get(url, **headers)
    else:
        response = client.post(url, "{}", content_type="application/json", **headers)

    assert response.status_code == expected, response.content[:500]
