"""What a fetch came to, and what a whole run came to: plain functions over Scrapy's results.

    failure_kind(failure.value)    -> ("timeout", "no response within 30 s")
    response_outcome(503)          -> "http_503"
    judge(stats, profile)          -> Verdict(exit_code=3, reason="site unreachable: …")

The archive middleware and the spider's errback record each fetch with these
kinds against its URL (storage.runs.record_fetch); the run recorder closes the
run with `judge`'s verdict, and `newsdb crawl` exits with its code, so a
scheduler learns the truth from the exit status alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

# Exit codes of `newsdb crawl` (README, `newsdb crawl --help`). 1 and 2 stay click's:
# a user error (one line on stderr) and a usage error.
EXIT_OK = 0
EXIT_UNREACHABLE = 3  # no response from the site at all, or every start point failed
EXIT_FAILURES = 4  # fetch failures passed the profile's max_failure_share
EXIT_DRIFT = 5  # the markup-drift alarm: the profile's selectors stopped answering
EXIT_STOPPED = 6  # stopped early (a signal, a database that stayed away, …)
EXIT_LOCKED = 7  # another run of the site is in progress
EXIT_CODES = {
    EXIT_OK: "the run did its job",
    EXIT_UNREACHABLE: "the site was unreachable, or every start point (sitemap, feed, listing) failed",
    EXIT_FAILURES: "fetch failures passed the share the profile allows (default 20 %)",
    EXIT_DRIFT: "the drift alarm fired: the profile's selectors answered too rarely, or no article was stored",
    EXIT_STOPPED: "the run stopped early",
    EXIT_LOCKED: "another run of the site is in progress",
}

# Exception class name -> (kind, reason). Names, not classes: the download
# handlers raise Twisted's, the middlewares Scrapy's, and some come wrapped.
_KINDS = {
    # Scrapy's own (2.13 and later wrap Twisted's in these)
    "DownloadTimeoutError": ("timeout", "no response in time"),
    "CannotResolveHostError": ("dns", "the host name does not resolve"),
    "DownloadConnectionRefusedError": ("refused", "connection refused"),
    "DownloadCancelledError": ("too_large", "cancelled: larger than the download size limit"),
    "ResponseDataLossError": ("truncated", "the body is shorter than Content-Length said"),
    "DownloadFailedError": ("reset", "the download failed"),
    # Twisted's
    "TimeoutError": ("timeout", "no response in time"),
    "TCPTimedOutError": ("timeout", "the connection timed out"),
    "DNSLookupError": ("dns", "the host name does not resolve"),
    "ConnectionRefusedError": ("refused", "connection refused"),
    "ConnectError": ("refused", "cannot connect"),
    "ConnectionLost": ("reset", "the connection was lost mid-response"),
    "ConnectionDone": ("reset", "the connection was closed mid-response"),
    "ConnectionAborted": ("reset", "the connection was aborted"),
    "ResponseNeverReceived": ("reset", "the connection closed before a response"),
    "ResponseFailed": ("truncated", "the response was cut off"),
    "PotentialDataLoss": ("truncated", "the body is shorter than Content-Length said"),
    "CancelledError": ("too_large", "cancelled: larger than the download size limit"),
    # scrapy.utils.gz.gunzip's, raised by the spider for a gzipped sitemap past DOWNLOAD_MAXSIZE
    "_DecompressionMaxSizeExceeded": ("too_large", "larger than the download size limit once decompressed"),
}


def failure_kind(exc: BaseException) -> tuple[str, str]:
    """(kind, reason in words) for an exception a request's errback receives."""
    name = type(exc).__name__
    full = " ".join(str(exc).split())
    text = full[:300]
    if name == "IgnoreRequest" or name == "IgnoreRequestError":
        lowered = full.lower()  # all of it: a long URL can push the telling words past 300
        if lowered.startswith("refused address"):  # crawler.ssrf: a private, loopback or metadata address
            return "refused_address", text
        if "download_maxsize" in lowered:  # HttpCompressionMiddleware: too large once decompressed
            return "too_large", text
        if lowered.startswith("offsite"):
            return "offsite", text
        if "redirect" in lowered:
            return "redirect", text or "too many redirects"
        if "offsite" in lowered:
            return "offsite", text
        if "robots" in lowered or "forbidden by robots" in lowered:
            return "robots", "forbidden by robots.txt"
        return "ignored", text or "ignored"
    if name == "HttpError":
        response = getattr(exc, "response", None)
        status = getattr(response, "status", None)
        return response_outcome(status) if status else "http_error", text
    if "maxsize" in text.lower() or "max size" in text.lower():
        return "too_large", text
    for reasons in (getattr(exc, "reasons", None) or []):  # ResponseFailed wraps the cause
        inner = type(getattr(reasons, "value", reasons)).__name__
        if inner in _KINDS and inner != name:
            kind, reason = _KINDS[inner]
            return kind, reason
    if name in _KINDS:
        kind, reason = _KINDS[name]
        return kind, f"{reason}: {text}" if text and kind == "timeout" else reason
    return name.lower(), text or name


def response_outcome(status: int) -> str:
    """"ok" for 2xx and 3xx, "not_modified" for 304, "http_<status>" for the rest."""
    if status == 304:
        return "not_modified"
    return "ok" if status < 400 else f"http_{status}"


@dataclass(frozen=True)
class Verdict:
    exit_code: int
    reason: str | None = None  # None when the run did its job
    drift: bool = False

    @property
    def status(self) -> str:
        return "finished" if self.exit_code == EXIT_OK else "failed"


def _counts(stats: dict[str, Any], prefix: str) -> Counter[str]:
    return Counter({k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)})


def judge(
    stats: dict[str, Any],
    *,
    max_failure_share: float = 0.2,
    drift_min_share: float = 0.5,
    has_body_selector: bool = False,
    finish_reason: str = "finished",
) -> Verdict:
    """What a run came to, from its stats (`newsdb/…` keys and Scrapy's)."""
    failed = _counts(stats, "newsdb/fetch/failed/")
    fetched = sum(_counts(stats, "newsdb/fetch/done/").values())
    responses = stats.get("downloader/response_count", 0)
    attempts = fetched + sum(failed.values())
    if finish_reason not in ("finished", "limit"):
        return Verdict(EXIT_STOPPED, f"stopped early: {finish_reason}")
    if attempts and not responses:
        worst = ", ".join(f"{kind} {count}" for kind, count in failed.most_common(3))
        return Verdict(EXIT_UNREACHABLE, f"site unreachable: no response to {attempts} requests ({worst})")
    if stats.get("newsdb/start/failed", 0) and not stats.get("newsdb/start/ok", 0):
        return Verdict(EXIT_UNREACHABLE, f"every start point failed ({stats['newsdb/start/failed']})")
    if attempts and sum(failed.values()) / attempts > max_failure_share:
        share = sum(failed.values()) / attempts
        worst = ", ".join(f"{kind} {count}" for kind, count in failed.most_common(3))
        return Verdict(EXIT_FAILURES, f"{share:.0%} of fetches failed, more than {max_failure_share:.0%} ({worst})")
    articles = stats.get("newsdb/parse/article", 0)
    article_pages = sum(_counts(stats, "newsdb/parse/").values())
    if article_pages and not articles:
        return Verdict(EXIT_DRIFT, f"drift: {article_pages} article pages fetched, no article stored", drift=True)
    if has_body_selector and articles:
        body = _counts(stats, "newsdb/extract/layer/body/")
        share = body.get("profile", 0) / articles
        if share < drift_min_share:
            fell = sorted(
                field for field, layers in _fields(stats).items()
                if layers.get("profile", 0) / articles < drift_min_share and sum(layers.values())
            )
            return Verdict(
                EXIT_DRIFT,
                f"drift: the profile's body selector answered for {share:.0%} of articles "
                f"(at least {drift_min_share:.0%} expected); fell back: {', '.join(fell)}",
                drift=True,
            )
    return Verdict(EXIT_OK)


def _fields(stats: dict[str, Any]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for key, value in stats.items():
        if key.startswith("newsdb/extract/layer/"):
            field, layer = key[len("newsdb/extract/layer/"):].split("/", 1)
            out.setdefault(field, Counter())[layer] += value
    return out
