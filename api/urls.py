from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

router = SimpleRouter()
router.register("programmes", views.ProgramViewSet, basename="programme")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("village-data", views.VillageDataViewSet, basename="village-data")

urlpatterns = [
    *router.urls,
    path("strategies/", views.StrategySummaryView.as_view(), name="strategy-list"),
    path("pockets/", views.PocketListView.as_view(), name="pocket-list"),
    path("targeting/", views.TargetingView.as_view(), name="targeting-list"),
    # The schema and its documentation page are public: they describe, they hold no data.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    # Swagger UI sets a few inline styles; its scripts stay the app's own files.
    path(
        "docs/",
        csp_update({"style-src": ["'self'", "'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", authentication_classes=[], permission_classes=[AllowAny]
            )
        ),
        name="docs",
    ),
]

# The API answers for itself (a token, or 401): Django's login redirect does not apply.
for pattern in urlpatterns:
    pattern.callback.login_required = False
