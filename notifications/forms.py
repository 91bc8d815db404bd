from django import forms

from bartim.models import User
from helpers.forms import BootstrapMixin


class MySettingsForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_notifications"]
