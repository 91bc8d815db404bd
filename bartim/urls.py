from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from bartim.forms import LoginForm
from bartim.views import ThrottledPasswordChangeView

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", ThrottledPasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The login page offers the language switch too, before anyone is signed in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("excel/", include("spreadsheets.urls")),
    path("", include("programs.urls")),
    path("", include("villages.urls")),
    path("", include("evidence.urls")),
    path("", include("review.urls")),
    path("", include("notifications.urls")),
    path("", include("families.urls")),
    path("", include("reports.urls")),
    path("", include("home.urls")),
    path("", include("transparency.urls")),
    path("api/v1/", include("api.urls")),
]
