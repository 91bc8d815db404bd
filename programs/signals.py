"""Single saves and deletes of indicators and quarterly values keep the stored programme
progress current (programs.progress.refresh_stored_progress): every form, service, admin page
and cascade goes through them. Bulk writes do it in indicators/models.py.

Fixtures (raw saves) are left alone: they carry the stored progress with the programmes."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from helpers import dataversion
from indicators.models import Indicator, IndicatorValue
from programs.models import Program, Strategy
from programs.progress import refresh_stored_progress

# What the dashboard summarises (reports/meeting.py): a write to any of it raises the data
# version its cache is keyed by. The villages app and bartim watch their own models.
dataversion.watch(Strategy, Program, Indicator, IndicatorValue)


@receiver(pre_save, sender=Indicator)
def remember_former_program(sender, instance, raw, **kwargs):
    # An indicator moved to another programme changes the mean of the one it leaves too.
    instance._former_program_id = None
    if instance.pk and not raw:
        instance._former_program_id = (
            Indicator.objects.filter(pk=instance.pk).values_list("program_id", flat=True).first()
        )


@receiver(post_save, sender=Indicator)
def indicator_saved(sender, instance, raw, **kwargs):
    if not raw:
        refresh_stored_progress(
            [instance.program_id, getattr(instance, "_former_program_id", None)]
        )


@receiver(post_delete, sender=Indicator)
def indicator_deleted(sender, instance, **kwargs):
    refresh_stored_progress([instance.program_id])


@receiver(post_save, sender=IndicatorValue)
@receiver(post_delete, sender=IndicatorValue)
def value_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if IndicatorValue.indicator.is_cached(instance):
        program_ids = [instance.indicator.program_id]
    else:
        program_ids = Indicator.objects.filter(pk=instance.indicator_id).values_list(
            "program_id", flat=True
        )
    refresh_stored_progress(program_ids)
