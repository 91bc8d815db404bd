class IndonesianFirstMiddleware:
    """Ignore the browser's Accept-Language, so the language is Indonesian unless the user
    chose another with the switcher (a cookie that LocaleMiddleware still reads).

    Many office computers in the regency run an English-language browser, yet the app's users
    work in Indonesian and the meeting's figures must read the same on every screen
    (Indonesian first, English available). Must come before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
