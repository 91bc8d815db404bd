from django.shortcuts import render

from .models import PovertyStatistic


def home(request):
    return render(request, "home.html", {"statistics": PovertyStatistic.objects.all()})
