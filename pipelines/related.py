"""Related-headline links: absolute URLs, clean text, no duplicates, no self-links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from core.items import RawLink, RelatedLink
from core.normalize import clean_url, defragment, join_url, normalize_text

# A site-absolute path with nothing for urljoin to resolve: no "." or ".." segment,
# no empty segment, no query, params or fragment, no character urlsplit strips.
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9_~%-]+(?:\.[A-Za-z0-9_~%-]+)*)*/?")


def _joiner(base_url: str):
    """urljoin(base_url, ·). Related hrefs are mostly plain "/news/…" paths, which
    urljoin would join to the base's scheme and host after parsing both URLs;
    those are joined directly (same result, a tenth of the time), the rest go to urljoin."""
    try:
        base = urlsplit(base_url)
    except ValueError:  # a page URL urllib cannot parse: only absolute hrefs stand
        return lambda href: join_url(base_url, href)
    if base.scheme not in ("http", "https") or not base.netloc:
        return lambda href: join_url(base_url, href)
    origin = f"{base.scheme}://{base.netloc}"

    def join(href: str) -> str:
        if href[:1] == "/" and _PLAIN_PATH.fullmatch(href):
            return origin + href
        return join_url(base_url, href)

    return join


def resolve_related(links: list[RawLink], base_url: str, *, self_urls: tuple[str, ...] = ()) -> list[RelatedLink]:
    """Resolve hrefs against the page URL, keep page order, drop repeats and links to the page itself."""
    seen = {clean_url(defragment(u)) for u in self_urls if u}
    resolved = []
    join = _joiner(base_url) if links else None
    for link in links:
        joined = join(link.url.strip())
        url = clean_url(defragment(joined)) if joined else None  # None: an href urllib cannot parse
        title = normalize_text(link.title)
        if not title or not url or not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        resolved.append(RelatedLink(title=title, url=url, tag=normalize_text(link.tag) or None))
    return resolved
