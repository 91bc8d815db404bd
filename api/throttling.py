from rest_framework.throttling import SimpleRateThrottle


class PerSystemAccount(SimpleRateThrottle):
    """settings.API_RATE_LIMIT requests a minute per token; per client address without one."""

    scope = "system_account"

    def get_cache_key(self, request, view):
        system = getattr(request, "auth", None)
        ident = f"token-{system.pk}" if system is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
