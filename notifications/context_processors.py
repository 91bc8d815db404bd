from functools import cache

from notifications.services import unread_count


def unread_notifications(request):
    """The navigation's unread count: one COUNT query, made only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count():
        return unread_count(user)

    return {"unread_notifications": count}
