"""Make the deadline reminders due today and e-mail every notice still waiting: run it every
hour from cron or a systemd timer (docs/deployment.md). A reminder is made once per account,
kind and quarter, and each notice is e-mailed once, however often this runs."""

from django.core.management.base import BaseCommand

from notifications.services import create_reminders, send_pending


class Command(BaseCommand):
    help = "Create due deadline reminders and send notification e-mails not sent yet."

    def handle(self, *args, **options):
        made = create_reminders()
        sent = send_pending()
        if options["verbosity"]:
            self.stdout.write(f"{made} reminders created, {sent} e-mails sent.")
