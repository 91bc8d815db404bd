from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from programs.models import Program
from programs.progress import refresh_stored_progress, stale_stored_progress


class Command(BaseCommand):
    help = (
        "Compute every programme's stored progress (mean achievement and whether it reported, "
        "per quarter) again from its indicators: needed only after data was changed around "
        "the application, e.g. by SQL. With --check, change nothing and fail if a stored "
        "value is out of date."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="List the stored values that differ from their indicators; exit 1 if any do.",
        )

    def handle(self, *args, check, **options):
        if check:
            stale = stale_stored_progress(Program.objects.all())
            for program_id, field, stored, computed in stale:
                self.stdout.write(
                    _(
                        "Programme %(id)s, %(field)s: stored %(stored)s, its indicators give "
                        "%(computed)s"
                    )
                    % {
                        "id": program_id,
                        "field": Program._meta.get_field(field).verbose_name,
                        "stored": stored,
                        "computed": computed,
                    }
                )
            if stale:
                raise CommandError(
                    _("Stored progress out of date: %(count)s.") % {"count": len(stale)}
                )
            self.stdout.write(_("The stored progress of every programme is up to date."))
            return
        refresh_stored_progress(Program.objects.values_list("pk", flat=True))
        self.stdout.write(_("The stored progress of every programme was computed again."))
