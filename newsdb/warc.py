"""WARC files in and out of the page archive (warcio).

    report, parsed = import_warc(db, ["CC-NEWS-….warc.gz"], site=None, jobs=2)
    export_warc(db, "demo.warc.gz", site="demo")

Import takes the HTML `response` records (Common Crawl News, wget --warc-file,
a newsdb export), archives them with `storage.api.archive_page`, records the
profile of each site they belong to (the bundled profile for the URL's host, or
the one `--site` names), and parses them through `newsdb.reparse`: the one
parse and the one apply, as a crawl runs them. Export writes every
archived page version as a request-less `response` record: the original status
line and headers, WARC-Date = when it was fetched, WARC-Target-URI = its URL.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.items import Page
from core.profiles import SiteProfile, available_sites, load_profile, profile_for_url
from newsdb.reparse import ReparseReport, reparse
from pipelines.parse import Steps
from storage import api
from storage import models as m
from storage.db import Database

ARCHIVE_BATCH = 200  # records archived per transaction
HTML_TYPES = ("text/html", "application/xhtml+xml")
# The archive keeps bodies decoded (as Scrapy hands them over), so headers that
# describe the bytes on the wire would lie about them; export recomputes the length.
WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


class WarcError(ValueError):
    """A file that is not a readable WARC; the message names it."""


@dataclass
class ImportReport:
    records: int = 0  # every record read, of any type
    pages_new: int = 0  # archived as a new page version
    pages_known: int = 0  # bytes the archive already held for that URL
    skipped: int = 0  # not an HTML response (requests, metadata, images, revisits)


# -- in ------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def site_for(url: str) -> tuple[str, SiteProfile | None]:
    """The site a page belongs to: the bundled profile for the URL's host, else
    the host itself, with no profile."""
    profile = profile_for_url(url)
    if profile is not None:
        return profile.name, profile
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # "http://[::1": a host nobody can name
        host = ""
    return host.lower() or "unknown", None


def named_site(site: str) -> tuple[str, SiteProfile | None]:
    """What `--site` names: a profile (a bundled name or a .toml path; ProfileError
    if the file is missing), else a site of that name with no profile."""
    if site.endswith(".toml") or site in available_sites():
        profile = load_profile(site)
        return profile.name, profile
    return site, None


def _is_html(content_type: str | None, body: bytes) -> bool:
    if content_type:
        return any(kind in content_type.lower() for kind in HTML_TYPES)
    start = body[:512].lstrip().lower()  # no header: look at the bytes
    return start.startswith((b"<!doctype html", b"<html"))


def _headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header pairs to the archive's dict; repeated names joined as Scrapy joins them."""
    merged: dict[str, str] = {}
    for name, value in pairs:
        if name.lower() in WIRE_HEADERS:
            continue
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def page_from_record(record, site: tuple[str, SiteProfile | None] | None = None):  # type: ignore[no-untyped-def]
    """(the page a WARC record holds, its site's profile), or (None, None) if it is
    not an HTML response. `site` is (name, profile) to store it under (default:
    `site_for` its URL)."""
    if record.rec_type != "response" or record.http_headers is None:
        return None, None
    http = record.http_headers
    if not (http.get_statuscode() or "").isdigit():
        return None, None
    body = record.content_stream().read()  # de-chunked and decompressed by warcio
    if not _is_html(http.get_header("Content-Type"), body):
        return None, None
    url = record.rec_headers.get_header("WARC-Target-URI")
    if not url or any(ord(c) < 32 for c in url):  # no URL a crawl could have fetched (a NUL, a newline)
        return None, None
    date = record.rec_headers.get_header("WARC-Date")
    try:
        fetched_at = datetime.fromisoformat(date).astimezone(UTC) if date else None
    except ValueError:  # a date no writer should have written: fetched "now", as with none
        fetched_at = None
    name, profile = site or site_for(url)
    return Page(
        url=url,
        final_url=url,
        body=body,
        status=int(http.get_statuscode()),
        headers=_headers(http.headers),
        fetched_at=fetched_at,
        site=name,
    ), profile


def _read_pages(
    path: Path, site: tuple[str, SiteProfile | None] | None, report: ImportReport
) -> Iterator[tuple[Page, SiteProfile | None]]:
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                report.records += 1
                page, profile = page_from_record(record, site)
                if page is None:
                    report.skipped += 1
                else:
                    yield page, profile
    except ArchiveLoadFailed as exc:
        reason = re.sub(r"\s+", " ", str(exc)).strip()
        raise WarcError(f"{path}: not a WARC file ({reason})") from None


def import_warc(
    db: Database,
    paths: Iterable[str | Path],
    *,
    site: str | None = None,
    jobs: int = 1,
    progress: TextIO | None = None,
    steps: Steps = Steps(),
) -> tuple[ImportReport, ReparseReport]:
    """Archive the HTML responses of WARC files, then parse them; return both reports.

    In Python, what `newsdb import-warc` does. `site` names the site (or
    profile) to store every page under; by default each page goes to the
    profile for its host, else to a site named after the host. Records stream
    through in batches, so a multi-gigabyte file needs no more memory than a
    small one. `steps` as for `newsdb.reparse.reparse`.
    """
    report, page_ids, batch = ImportReport(), [], []
    chosen = named_site(site) if site else None  # a missing profile file fails before any work
    recorded: set[str] = set()

    def archive(pages: list[tuple[Page, SiteProfile | None]]) -> None:
        def write(session) -> list[tuple[int, bool]]:  # runs again whole if the database was away
            for page, profile in pages:
                if profile is not None and page.site not in recorded:  # what re-parse will resolve
                    api.record_site_profile(session, page.site, profile.ref, profile.content_hash)
            return [api.archive_page(session, page) for page, _ in pages]

        for page_id, is_new in db.write(write):
            page_ids.append(page_id)
            if is_new:
                report.pages_new += 1
            else:
                report.pages_known += 1
        recorded.update(page.site for page, profile in pages if profile is not None)

    for path in paths:
        for item in _read_pages(Path(path), chosen, report):
            batch.append(item)
            if len(batch) >= ARCHIVE_BATCH:
                archive(batch)
                batch = []
    if batch:
        archive(batch)
    # Parse through the one path; only pages that are the newest version of their URL.
    parsed = reparse(db, page_ids=sorted(set(page_ids)), jobs=jobs, progress=progress, steps=steps)
    return report, parsed


# -- out -------------------------------------------------------------------------


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def warc_date(value: datetime) -> str:
    """WARC/1.1 date with microseconds, so a round trip keeps fetched_at exactly."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def export_warc(db: Database, out: str | Path, *, site: str | None = None) -> int:
    """Write every archived page version (of one site) as WARC; return the record count.

    In Python, what `newsdb export-warc` does. Gzipped per record when the
    name ends in .gz, as Common Crawl's files are.
    """
    out = Path(out)
    query = (
        select(m.Page.url, m.Page.status, m.Page.headers, m.Page.fetched_at, m.Page.body)
        .order_by(m.Page.id)
        .execution_options(yield_per=100)  # stream: a batch of bodies in memory at a time
    )
    if site is not None:
        query = query.join(m.Site).where(m.Site.name == site)
    count = 0
    with out.open("wb") as stream, db.session() as session:
        writer = WARCWriter(stream, gzip=out.name.endswith(".gz"), warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(out.name, {"software": "newsdb"}))
        for row in session.execute(query):
            body = gzip.decompress(row.body)
            headers = [(k, v) for k, v in row.headers.items() if k.lower() not in WIRE_HEADERS]
            headers.append(("Content-Length", str(len(body))))
            record = writer.create_warc_record(
                row.url,
                "response",
                payload=BytesIO(body),
                length=len(body),
                warc_headers_dict={"WARC-Date": warc_date(row.fetched_at)},
                http_headers=StatusAndHeaders(_status_line(row.status), headers, protocol="HTTP/1.1"),
            )
            writer.write_record(record)
            count += 1
    return count
