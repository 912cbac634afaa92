"""Related-headline links: absolute URLs, clean text, no duplicates, no self-links."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin

from crawler.items import RawLink, RelatedLink
from pipelines.normalize import normalize_text


def resolve_related(links: list[RawLink], base_url: str, *, self_urls: tuple[str, ...] = ()) -> list[RelatedLink]:
    """Resolve hrefs against the page URL, keep page order, drop repeats and links to the page itself."""
    seen = {urldefrag(u)[0] for u in self_urls if u}
    resolved = []
    for link in links:
        url = urldefrag(urljoin(base_url, link.url.strip()))[0]
        title = normalize_text(link.title)
        if not title or not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        resolved.append(RelatedLink(title=title, url=url, tag=normalize_text(link.tag) or None))
    return resolved
