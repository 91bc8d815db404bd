"""The welfare registry (DTSEN) as dated snapshots, each programme's beneficiaries, and the
log of who saw whose names. No NIK, No. KK, name or address is stored in clear: see
families/crypto.py and docs/privacy.md."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bartim.models import Quarter, Village, quarter_range_constraint
from families.crypto import EncryptedTextField

HASH_LENGTH = 64
DEFAULT_ELIGIBLE_DECILES = 4


class RegistrySnapshotQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed=True)

    def latest_confirmed(self):
        return self.confirmed().order_by("-taken_on", "-pk").first()


class RegistrySnapshot(models.Model):
    """One import of the registry extract, as of a date (the registry is updated each
    semester). Until the administrator confirms the preview it counts nowhere; deleting it
    deletes its families with it."""

    label = models.CharField(_("name"), max_length=100)
    taken_on = models.DateField(_("registry date"))
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    eligible_up_to = models.PositiveSmallIntegerField(
        _("eligible up to decile"),
        default=DEFAULT_ELIGIBLE_DECILES,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Families in deciles 1 up to this one are eligible for the programmes."),
    )
    family_count = models.PositiveIntegerField(_("families"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    objects = RegistrySnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("registry snapshot")
        verbose_name_plural = _("registry snapshots")
        ordering = ["-taken_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(eligible_up_to__gte=1, eligible_up_to__lte=10),
                name="registrysnapshot_eligible_1_to_10",
                violation_error_message=_("The eligible deciles end between 1 and 10."),
            )
        ]

    def __str__(self):
        return f"{self.label} ({self.taken_on:%d-%m-%Y})"


class Family(models.Model):
    """One family (KK) of a registry snapshot."""

    snapshot = models.ForeignKey(
        RegistrySnapshot,
        on_delete=models.CASCADE,
        related_name="families",
        verbose_name=_("registry snapshot"),
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    kk_hash = models.CharField(_("No. KK (keyed hash)"), max_length=HASH_LENGTH)
    nik_hash = models.CharField(_("NIK of the head (keyed hash)"), max_length=HASH_LENGTH)
    # "NIK No.KK", kept only so that a new hash key can be applied (rotate_personal_data).
    ids = EncryptedTextField(_("NIK and No. KK (encrypted)"))
    name = EncryptedTextField(_("head of the family"))
    address = EncryptedTextField(_("address"), blank=True)
    decile = models.PositiveSmallIntegerField(_("welfare decile"))
    members = models.PositiveSmallIntegerField(_("members"), default=1)
    elderly = models.BooleanField(_("elderly member"), null=True)
    disability = models.BooleanField(_("member with a disability"), null=True)
    under_five = models.BooleanField(_("children under five"), null=True)
    female_head = models.BooleanField(_("female head"), null=True)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["village", "decile", "pk"]
        indexes = [
            models.Index(fields=["snapshot", "nik_hash"], name="family_snapshot_nik_idx"),
            models.Index(fields=["snapshot", "village", "decile"], name="family_snapshot_vil_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "kk_hash"],
                name="family_one_per_kk_per_snapshot",
                violation_error_message=_("This No. KK is already in the snapshot."),
            ),
            models.CheckConstraint(
                condition=Q(decile__gte=1, decile__lte=10),
                name="family_decile_1_to_10",
                violation_error_message=_("The decile must be between 1 and 10."),
            ),
        ]

    def __str__(self):
        # Never the name: a family shows up in logs and error pages by its number only.
        return f"{_('family')} #{self.pk}"


class Beneficiary(models.Model):
    """What one family received from one programme, and when. Matched with the registry by
    the hash of its No. KK or its NIK; one that matches no family of a snapshot is kept and
    shown as outside the registry."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash transfer")
        FOOD = "food", _("Food aid")
        HEALTH = "health", _("Health (contributions, services)")
        EDUCATION = "education", _("Education (scholarships, school needs)")
        HOUSING = "housing", _("Housing (RTLH, water, latrine)")
        CAPITAL = "capital", _("Business capital or tools")
        TRAINING = "training", _("Training and mentoring")
        JOBS = "jobs", _("Jobs (cash for work, placement)")
        OTHER = "other", _("Other")

    program = models.ForeignKey(
        "programs.Program",
        # A programme deleted takes its beneficiary list with it: personal data is not kept
        # beyond the reason it was collected for.
        on_delete=models.CASCADE,
        related_name="beneficiaries",
        verbose_name=_("programme"),
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices)
    kind = models.CharField(_("kind of help"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount or quantity"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    kk_hash = models.CharField(_("No. KK (keyed hash)"), max_length=HASH_LENGTH, blank=True)
    nik_hash = models.CharField(_("NIK (keyed hash)"), max_length=HASH_LENGTH, blank=True)
    ids = EncryptedTextField(_("NIK and No. KK (encrypted)"), blank=True)
    name = EncryptedTextField(_("name"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["program", "quarter", "pk"]
        indexes = [
            models.Index(fields=["program", "quarter"], name="beneficiary_program_q_idx"),
            models.Index(fields=["kk_hash"], name="beneficiary_kk_idx"),
            models.Index(fields=["nik_hash"], name="beneficiary_nik_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kk_hash="") | ~Q(nik_hash=""),
                name="beneficiary_has_nik_or_kk",
                violation_error_message=_("Give the NIK or the No. KK of the beneficiary."),
            ),
            quarter_range_constraint("beneficiary"),
        ]

    def __str__(self):
        return f"{_('beneficiary')} #{self.pk}"


class PendingBeneficiaryImport(models.Model):
    """A beneficiary file between its preview and its confirmation: its rows as one
    encrypted JSON text, so that nothing of it is in clear in the database."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("programme"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    rows = EncryptedTextField(_("rows (encrypted)"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("pending beneficiary import")
        verbose_name_plural = _("pending beneficiary imports")

    def __str__(self):
        return f"{self.filename} ({self.user})"


class AccessLogEntry(models.Model):
    """One view or export of families' names: who, when, what and how many. It names what
    was shown by its filters, never by the names themselves."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        EXPORT = "export", _("exported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    what = models.CharField(_("what"), max_length=200)
    rows = models.PositiveIntegerField(_("families shown"))

    class Meta:
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.user} · {self.get_action_display()} · {self.what}"
