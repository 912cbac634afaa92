"""Site profiles: what a site's crawl starts from and where its fields are.

A profile is a TOML file in seeds/sites/<name>.toml (see caravan.toml for every
key, documented), or any other .toml file given by its path. It is data, not
code: a site that changes its theme gets a new profile, and extraction falls
back to metadata and generic layers meanwhile.

`load_profile` is the one resolver: the crawl, `newsdb reparse`, `newsdb
import-warc` and `newsdb parse` all find a profile through it, by the reference
the site's row records (`SiteProfile.ref`: the bundled name, or the file's
absolute path). A reference that finds nothing is a ProfileError naming it,
never a quiet fall back to "no profile". `profile_for_url` picks a bundled
profile by the URL's host, for pages that come without a site.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from core.normalize import clip

SITES_DIR = Path(__file__).resolve().parent.parent / "seeds" / "sites"


class ProfileError(ValueError):
    """A profile that is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class Selectors:
    title: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: str | None = None
    lead: str | None = None
    body: str | None = None
    drop: tuple[str, ...] = ()
    tags: str | None = None
    images: str | None = None
    related: str | None = None
    related_tag: str | None = None
    related_title: str | None = None


@dataclass(frozen=True)
class SiteProfile:
    name: str
    base_url: str
    allowed_domains: tuple[str, ...]
    timezone: ZoneInfo
    live: bool = True
    title: str = ""
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    listing_patterns: tuple[re.Pattern, ...] = ()
    max_listing_pages: int = 50
    follow_article_links: bool = True
    article_patterns: tuple[re.Pattern, ...] = ()
    selectors: Selectors = field(default_factory=Selectors)
    # [crawl]: how scheduled runs treat the site.
    refresh_hours: float = 48.0  # known articles younger than this are revalidated (conditional GET)
    max_failure_share: float = 0.2  # a run whose fetch failures pass this share exits non-zero
    drift_min_share: float = 0.5  # a run whose body selector answered for less exits non-zero
    schedule: str | None = None  # when `newsdb schedule` runs it: a crontab line, in `timezone`
    every: float | None = None  # or: every so many seconds (written "10m" in the profile)
    # Networks the crawl may connect to although they are not public (crawler.ssrf): none by
    # default, loopback for the demo. An intranet site names its own, e.g. "10.1.2.0/24".
    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    path: Path | None = None
    ref: str | None = None  # what load_profile() takes to find it again (sites.profile)
    content_hash: str | None = None  # sha256 of the TOML file (sites.profile_hash)

    def with_base_url(self, base_url: str) -> "SiteProfile":
        """The same site served elsewhere (the demo on a loopback port)."""
        host = urlsplit(base_url).hostname or ""
        domains = self.allowed_domains if host in self.allowed_domains else (*self.allowed_domains, host)
        return replace(self, base_url=base_url.rstrip("/"), allowed_domains=domains)

    def absolute(self, path_or_url: str) -> str:
        if "://" in path_or_url:
            return path_or_url
        return self.base_url + "/" + path_or_url.lstrip("/")

    def article_id(self, url: str) -> str | None:
        """The site's own id of the article at `url`, or None if `url` is not an
        article URL. AMP twins and ?p=<id> short links give the same id."""
        try:
            parts = urlsplit(url)
        except ValueError:  # "http://[::1": no URL of the site's, so no article of it
            return None
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        for pattern in self.article_patterns:
            match = pattern.search(target)
            if match:
                return match.groupdict().get("id") or match.group(0)
        return None

    def is_article_url(self, url: str) -> bool:
        return self.article_id(url) is not None

    def is_listing_url(self, url: str) -> bool:
        try:
            path = urlsplit(url).path
        except ValueError:
            return False
        return any(p.search(path) for p in self.listing_patterns)


def _tuple(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _number(section: dict, key: str, default: float, *, low: float, high: float | None = None) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ValueError(f"crawl.{key} must be a number {bounds}, not {value!r}")
    return float(value)


# -- [crawl] schedule / every: when `newsdb schedule` runs the site ------------------

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?[smhd])+")


def parse_duration(text: str) -> float:
    """Seconds in "15s", "10m", "2h", "1d" (or "1h30m"); ValueError in one line otherwise."""
    compact = text.replace(" ", "").lower() if isinstance(text, str) else ""
    if not _DURATION.fullmatch(compact):
        raise ValueError(f"{text!r} is not a duration: write a number and a unit, e.g. 15s, 10m, 2h, 1d")
    seconds = sum(float(n) * _UNITS[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([smhd])", compact))
    if seconds < 1:
        raise ValueError(f"{text!r} is shorter than a second")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest way parse_duration reads back: 900 -> "15m", 5400 -> "1h30m"."""
    if seconds != int(seconds):
        return f"{seconds:g}s"
    left, parts = int(seconds), []
    for unit, size in sorted(_UNITS.items(), key=lambda kv: -kv[1]):
        if left >= size:
            parts.append(f"{left // size}{unit}")
            left %= size
    return "".join(parts)


@dataclass(frozen=True)
class Cron:
    """A crontab line (minute hour day month weekday) as the values each field allows.

    None is a field that is `*`. Weekdays count as cron counts them: 0 (or 7) is
    Sunday. `day_or_weekday` is cron's rule for a line that restricts both the
    day of the month and the weekday (neither field starts with `*`): it runs
    on days that match either, not both.
    """

    text: str
    minute: tuple[int, ...] | None
    hour: tuple[int, ...] | None
    day: tuple[int, ...] | None
    month: tuple[int, ...] | None
    weekday: tuple[int, ...] | None
    day_or_weekday: bool = False


_MONTHS = {name: i for i, name in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_WEEKDAYS = {name: i for i, name in enumerate("sun mon tue wed thu fri sat".split())}
_CRON_FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day", 1, 31, {}),
                ("month", 1, 12, _MONTHS), ("weekday", 0, 7, _WEEKDAYS))
_CRON_MACROS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
                "@annually": "0 0 1 1 *"}


def _cron_field(text: str, item: str, name: str, low: int, high: int, names: dict) -> tuple[int, ...] | None:
    if item == "*":
        return None
    values: set[int] = set()
    top = 6 if name == "weekday" else high  # `*` and `a/n` stop at Saturday; 7 is Sunday again

    def value(word: str) -> int:
        number = names.get(word.lower()) if not word.isdigit() else int(word)
        if number is None or not low <= number <= high:
            raise ValueError(f"{text!r} is not a cron schedule: {name} {word!r} is not "
                             f"{'a number' if not names else 'a number or name'} from {low} to {high}")
        return number

    for part in item.split(","):
        base, slash, step_text = part.partition("/")
        if slash and not (step_text.isdigit() and int(step_text) > 0):
            raise ValueError(f"{text!r} is not a cron schedule: {name} step {step_text!r} is not a whole number above 0")
        step = int(step_text) if slash else 1
        if base == "*":
            start, end = low, top
        elif "-" in base:
            start, end = (value(word) for word in base.split("-", 1))
            if start > end:
                raise ValueError(f"{text!r} is not a cron schedule: {name} range {base!r} runs backwards")
        else:
            start = value(base)
            end = top if slash else start
        values.update(range(start, end + 1, step))
    if name == "weekday":
        values = {0 if v == 7 else v for v in values}
    return tuple(sorted(values))


def parse_cron(text: str) -> Cron:
    """A crontab line ("*/10 * * * *", "0 6 * * mon-fri", "@hourly") as a Cron; ValueError in one line."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a cron schedule: write it as a string, e.g. '*/10 * * * *'")
    line = _CRON_MACROS.get(text.strip().lower(), text)
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"{text!r} is not a cron schedule: it needs 5 fields (minute hour day month weekday), "
                         "e.g. '*/10 * * * *'")
    minute, hour, day, month, weekday = (
        _cron_field(text, item, *spec) for item, spec in zip(fields, _CRON_FIELDS)
    )
    both = not fields[2].startswith("*") and not fields[4].startswith("*")
    return Cron(" ".join(text.split()), minute, hour, day, month, weekday, day_or_weekday=both)


def _when(crawl: dict) -> dict:
    """crawl.schedule (a crontab line) or crawl.every (a duration), checked; at most one."""
    schedule, every = crawl.get("schedule"), crawl.get("every")
    if schedule is not None and every is not None:
        raise ValueError("crawl.schedule and crawl.every both given: keep one")
    if schedule is not None:
        try:
            return {"schedule": parse_cron(schedule).text}
        except ValueError as exc:
            raise ValueError(f"crawl.schedule: {exc}") from None
    if every is not None:
        try:
            return {"every": parse_duration(every)}
        except ValueError as exc:
            raise ValueError(f"crawl.every: {exc}") from None
    return {}


def _networks(crawl: dict) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """crawl.allow_networks: a list of addresses or CIDR networks, checked."""
    value = crawl.get("allow_networks", [])
    if not isinstance(value, list):
        raise ValueError(f"crawl.allow_networks must be a list of networks, e.g. [\"127.0.0.0/8\", \"::1/128\"], not {value!r}")
    networks = []
    for item in value:
        try:
            if not isinstance(item, str):
                raise TypeError
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except (TypeError, ValueError):
            raise ValueError(f"crawl.allow_networks: {item!r} is not a network: write an address or "
                             "a CIDR network, e.g. \"127.0.0.0/8\" or \"::1/128\"") from None
    return tuple(networks)


def parse_profile(data: dict, *, path: Path | None = None, ref: str | None = None,
                  content_hash: str | None = None) -> SiteProfile:
    where = str(path) if path else "profile"
    try:
        discover = data.get("discover", {})
        urls = data.get("urls", {})
        sel = data.get("selectors", {})
        crawl = data.get("crawl", {})
        return SiteProfile(
            name=data["name"],
            title=data.get("title", ""),
            base_url=data["base_url"].rstrip("/"),
            allowed_domains=_tuple(data.get("allowed_domains")),
            timezone=ZoneInfo(data.get("timezone", "Asia/Almaty")),
            live=bool(data.get("live", True)),
            sitemaps=_tuple(discover.get("sitemaps")),
            feeds=_tuple(discover.get("feeds")),
            listings=_tuple(discover.get("listings")),
            listing_patterns=tuple(re.compile(p) for p in _tuple(discover.get("listing_patterns"))),
            max_listing_pages=int(discover.get("max_listing_pages", 50)),
            follow_article_links=bool(discover.get("follow_article_links", True)),
            article_patterns=tuple(re.compile(p) for p in _tuple(urls.get("article"))),
            selectors=Selectors(
                **{k: (tuple(v) if k == "drop" else v) for k, v in sel.items()}
            ),
            refresh_hours=_number(crawl, "refresh_hours", 48.0, low=0),
            max_failure_share=_number(crawl, "max_failure_share", 0.2, low=0, high=1),
            drift_min_share=_number(crawl, "drift_min_share", 0.5, low=0, high=1),
            allow_networks=_networks(crawl),
            **_when(crawl),
            path=path,
            ref=ref,
            content_hash=content_hash,
        )
    except KeyError as exc:
        raise ProfileError(f"{where}: missing key {exc.args[0]!r}") from None
    except (TypeError, ValueError, re.error) as exc:
        raise ProfileError(f"{where}: {exc}") from None


def available_sites() -> list[str]:
    return sorted(p.stem for p in SITES_DIR.glob("*.toml"))


@lru_cache(maxsize=32)
def load_profile(name_or_path: str) -> SiteProfile:
    """The profile a site name (seeds/sites/<name>.toml) or a .toml path refers to.

    ProfileError, naming the reference, when there is no such profile or the
    file is malformed.
    """
    path = Path(name_or_path)
    bundled = path.suffix != ".toml"
    if bundled:
        path = SITES_DIR / f"{name_or_path}.toml"
    try:
        found = path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL in it
        found = False
    if not found:
        shown = clip(name_or_path, 200)
        if bundled:
            known = ", ".join(available_sites()) or "none"
            raise ProfileError(f"no site profile {shown!r} (known sites: {known})")
        raise ProfileError(f"no site profile file {shown}")
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: {exc}") from None
    ref = name_or_path if bundled else str(path.resolve())
    return parse_profile(data, path=path, ref=ref, content_hash=hashlib.sha256(raw).hexdigest())


def profile_for_url(url: str) -> SiteProfile | None:
    """The bundled profile whose allowed domains hold the URL's host, or None."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # a URL urllib cannot parse belongs to no profile
        return None
    if not host:
        return None
    for name in available_sites():
        profile = load_profile(name)
        if host in profile.allowed_domains:
            return profile
    return None
