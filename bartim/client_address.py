"""The address of the person behind a request, for the login throttling (django-axes).

Behind the documented nginx (docs/deployment.md) every request comes from 127.0.0.1 and the
client's address is the last entry nginx appended to X-Forwarded-For; entries further left
were sent by the client and may be forged. With N proxies, each appending the address it
saw, the client is the N-th entry from the right. django-ipware's proxy count counts proxies
listed in the header, which nginx does not add itself, so it found no address here.
"""

from django.conf import settings


def client_address(request) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
