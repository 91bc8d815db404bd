from django import forms
from django.utils.translation import gettext_lazy as _

from bartim.models import YEAR_MAX, YEAR_MIN
from helpers.forms import BootstrapMixin


class PublishYearForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
