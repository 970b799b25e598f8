"""The one URL guard: article metadata and imported fact-checks are hostile input."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) address with a host, else None: never a
    javascript:/data: link, nor one hiding control characters or spaces."""
    if not url:
        return None
    url = url.strip()
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url
