import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bartim.models import User
from bartim.selectors import agency_find, district_find
from bartim.services import account_create

# Each role's scope option; admin and viewer have none.
SCOPE_OPTION = {User.Role.OPD: "opd", User.Role.CAMAT: "kecamatan"}


class Command(BaseCommand):
    help = (
        "Create an account with its role: opd accounts need --opd, camat accounts need "
        "--kecamatan. Prompts for the password unless --password is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=User.Role.values)
        parser.add_argument(
            "--opd",
            help="The programme owner (OPD, village government, business, community "
            "organisation): its ID, abbreviation or name.",
        )
        parser.add_argument("--kecamatan", help="The kecamatan: its Kemendagri code or name.")
        parser.add_argument(
            "--password", help="The password; without it you are asked for it (twice)."
        )

    def handle(self, *args, username, role, opd, kecamatan, password, **options):
        given = {"opd": opd, "kecamatan": kecamatan}
        needed = SCOPE_OPTION.get(role)
        if needed and not given[needed]:
            raise CommandError(
                _("The %(role)s role needs --%(option)s.") % {"role": role, "option": needed}
            )
        for option, value in given.items():
            if value and option != needed:
                raise CommandError(
                    _("--%(option)s does not apply to the %(role)s role.")
                    % {"option": option, "role": role}
                )
        if User.objects.filter(username=username).exists():
            raise CommandError(_('The username "%(username)s" is taken.') % {"username": username})
        try:
            agency = agency_find(opd) if opd else None
            district = district_find(kecamatan) if kecamatan else None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        def create(secret):
            return account_create(
                username=username, role=role, agency=agency, district=district, password=secret
            )

        if password is not None:
            try:
                user = create(password)
            except ValidationError as error:
                raise CommandError(self._describe(error)) from error
        else:
            user = self._create_interactively(create)
        scope = user.agency or user.district
        self.stdout.write(
            self.style.SUCCESS(
                _('Account "%(username)s" created: %(role)s%(scope)s.')
                % {
                    "username": user.username,
                    "role": user.get_role_display(),
                    "scope": f", {scope}" if scope else "",
                }
            )
        )

    def _create_interactively(self, create):
        """Ask until the password is accepted, as createsuperuser does."""
        try:
            while True:
                first = getpass.getpass(_("Password: "))
                second = getpass.getpass(_("Password (again): "))
                if first != second:
                    self.stderr.write(_("The two passwords differ; try again."))
                    continue
                try:
                    return create(first)
                except ValidationError as error:
                    if set(error.message_dict) != {"password"}:
                        raise CommandError(self._describe(error)) from error
                    for message in error.message_dict["password"]:
                        self.stderr.write(message)
        except (EOFError, KeyboardInterrupt):
            raise CommandError(_("No password given; no account created.")) from None

    @staticmethod
    def _describe(error: ValidationError) -> str:
        return _("No account created: %(messages)s") % {"messages": " ".join(error.messages)}
