from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.progress import refresh_program_means, stale_program_means
from programs.models import Program


class Command(BaseCommand):
    help = (
        "Compute every programme's stored mean achievement per quarter again from its "
        "indicators (needed only after data was changed around the application, e.g. by SQL). "
        "With --check, change nothing and fail if a stored mean is out of date."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="List the stored means that differ from their indicators; exit 1 if any do.",
        )

    def handle(self, *args, check, **options):
        if check:
            stale = stale_program_means(Program.objects.all())
            for program_id, quarter, stored, computed in stale:
                self.stdout.write(
                    _(
                        "Programme %(id)s, Q%(quarter)s: stored %(stored)s, its indicators "
                        "give %(computed)s"
                    )
                    % {"id": program_id, "quarter": quarter, "stored": stored, "computed": computed}
                )
            if stale:
                raise CommandError(
                    _("Stored means out of date: %(count)s.") % {"count": len(stale)}
                )
            self.stdout.write(_("Every stored mean achievement is up to date."))
            return
        refresh_program_means(Program.objects.values_list("pk", flat=True))
        self.stdout.write(_("The mean achievements of every programme were computed again."))
