"""A check that a rendered page obeys the Content-Security-Policy without 'unsafe-inline'."""

import re

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[^>]*>", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def csp_violations(html: str) -> list[str]:
    """What in `html` a browser would block under script-src/style-src 'self'."""
    found = []
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("on* event handler attribute", EVENT_HANDLER),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("javascript: URL", JAVASCRIPT_URL),
    ]:
        match = pattern.search(html)
        if match:
            start = max(match.start() - 40, 0)
            found.append(f"{name}: …{html[start : match.end() + 60]}…")
    return found


def assert_csp_clean(response):
    assert "Content-Security-Policy" in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    violations = csp_violations(response.content.decode())
    assert not violations, "\n".join(violations)
