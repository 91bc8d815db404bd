from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from bartim.models import YEAR_MAX, YEAR_MIN, Agency
from demo.demo import DEMO_PASSWORD, MissingReferenceData, demo_load
from indicators.models import Indicator, IndicatorValue
from programs.models import Program
from villages.models import VillageData


class Command(BaseCommand):
    help = (
        "Add a demo year (programmes, indicators, village data) and one demo account per role "
        "on top of the reference data from load_bartim. Refuses to run when DEBUG is off "
        "unless --force is given. See docs/demo-data.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2024, help="Fiscal year (default 2024).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (the demo accounts share a published password).",
        )

    def handle(self, *args, year, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "DEBUG is off, so this looks like a real installation: demo data and demo "
                    "accounts with a published password do not belong there. "
                    "Use --force if you really want them."
                )
            )
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise CommandError(_("The year must be between 2000 and 2100."))
        try:
            result = demo_load(year=year)
        except MissingReferenceData as error:
            raise CommandError(str(error)) from error

        labels = {"accounts": _("Demo accounts")} | {
            key: capfirst(model._meta.verbose_name_plural)
            for key, model in (
                # Those beyond the OPDs: the OPDs come with the reference data.
                ("programme owners", Agency),
                ("village data", VillageData),
                ("programmes", Program),
                ("indicators", Indicator),
                ("quarterly values", IndicatorValue),
            )
        }
        for key, label in labels.items():
            self.stdout.write(
                _("%(label)s: %(created)d created, %(existing)d already there (left as they are).")
                % {
                    "label": label,
                    "created": result.created.get(key, 0),
                    "existing": result.existing.get(key, 0),
                }
            )
        self.stdout.write(
            _(
                "Synthetic registry (DTSEN demo): %(families)d families, %(beneficiaries)d "
                "beneficiary records created."
            )
            % {
                "families": result.created.get("registry families", 0),
                "beneficiaries": result.created.get("beneficiaries", 0),
            }
        )
        self.stdout.write(self.style.SUCCESS(_("Demo year %(year)d ready.") % {"year": year}))
        self.stdout.write("")
        self.stdout.write(
            _("Demo accounts (password: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        for user, created in result.accounts:
            scope = user.agency or user.district
            line = f"  {user.username:<20} {user.get_role_display()}"
            if scope:
                line += f" · {scope.name}"
            if not created:
                line += " " + _("(existed already; its password was not changed)")
            self.stdout.write(line)
