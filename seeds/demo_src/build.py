"""Build the static demo news site in ``seeds/demo/`` from ``seeds/demo_src/articles/*.toml``.

Usage::

    python seeds/demo_src/build.py [--src DIR] [--out DIR]

The output imitates a caravan.kz-style WordPress site, noise included, so that crawl and
extraction tests meet the same clutter a live page has: navigation, widgets, ads, share
buttons, comments, related cards, typographer entities in the body text, and a few pages
in windows-1251. ``README.md`` beside this file is the markup contract; this script
follows it. The output is deterministic (no build timestamps, stable ordering, "random"
choices derived from CRC32 of the post id), so a rebuild without source changes produces
an identical tree and a clean ``git diff``.

Every source file is read and checked before ``--out`` is touched: a broken article stops
the build and leaves the previous site in place. Stdlib only (Python 3.11+).
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
import tomllib
import zlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
DEFAULT_SRC = HERE / "articles"
DEFAULT_OUT = HERE.parent / "demo"

BASE_URL = "__BASE_URL__"  # the demo server substitutes http://127.0.0.1:<port>
PER_PAGE = 10
FEED_SIZE = 15
POPULAR_SIZE = 10
# Listed in the sitemap but never generated: the crawler must cope with a 404 from a sitemap.
DELETED_URL = "/news/udalennaya-novost-1100000/"
DELETED_LASTMOD = "2025-11-28T12:00:00+05:00"

MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)

ENCODINGS = {"utf-8", "windows-1251"}
DATE_MODES = {"datetime", "text"}
READ_ALSO_FORMS = {"canonical", "amp", "short"}
REQUIRED_KEYS = ("id", "slug", "title", "rubric", "rubric_slug", "published", "author", "body")
OPTIONAL_KEYS = (
    "date_in_markup", "tags", "encoding", "image", "image_caption", "read_also",
    "read_also_after", "read_also_form", "ad_after", "amp", "related",
)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Post:
    """One post of the site: an article from a TOML file, or the built-in video post."""

    id: int
    slug: str
    title: str
    rubric: str
    rubric_slug: str
    published: datetime
    author: str
    body: tuple[str, ...]
    date_in_markup: str = "datetime"
    tags: tuple[str, ...] = ()
    encoding: str = "utf-8"
    image: str | None = None
    image_caption: str | None = None
    read_also: int | None = None
    read_also_after: int = 2
    read_also_form: str = "canonical"
    ad_after: int | None = None
    amp: bool = False
    related: tuple[int, ...] = ()
    video: str | None = None  # player URL; only the video-only post has one

    @property
    def url(self) -> str:
        prefix = "video-" if self.video else ""
        return f"/news/{prefix}{self.slug}-{self.id}/"

    @property
    def amp_url(self) -> str:
        return f"/amp/news/{self.slug}-{self.id}/"

    @property
    def short_url(self) -> str:
        return f"/?p={self.id}"

    @property
    def lead(self) -> str:
        return self.body[0] if self.body else ""


# The one non-article post. It lives here rather than in articles/ because the TOML format
# describes text articles; real sites list such posts beside articles (listings, sitemap,
# feed), which is exactly what makes them a useful "is_article = false" case.
VIDEO_POST = Post(
    id=1145240,
    slug="novyy-terminal-aeroporta-almaty-iznutri",
    title="Видео: как выглядит новый терминал аэропорта Алматы изнутри",
    rubric="Видео",
    rubric_slug="video",
    published=datetime.fromisoformat("2025-12-19T16:40:00+05:00"),
    author="Данияр Омаров",
    body=(),
    video="https://www.youtube.com/embed/k3Xq7LmZp2A",
)

# Reader comments: short and topic-neutral so any of them fits under any article.
COMMENTS = (
    ("Ерлан", "Посмотрим, как это будет на деле. Обещали уже не раз."),
    ("Айгуль", "Спасибо за новость, очень полезная информация."),
    ("Сергей К.", "А в нашем районе до сих пор ничего не изменилось."),
    ("Гость", "Наконец-то! Давно пора было этим заняться."),
    ("Мадина", "Хорошо бы подробнее написать, куда обращаться."),
    ("Нуржан", "Правильное решение, поддерживаю."),
    ("Ольга", "Опять всё узнаём последними."),
    ("Бауыржан", "Интересно, а что по этому поводу говорят в регионах?"),
    ("Асем", "Прочитала два раза, так и не поняла, что поменяется для нас."),
    ("Виктор", "Главное, чтобы не получилось как в прошлый раз."),
    ("Данияр", "Отличная новость, особенно для молодежи."),
    ("Гость", "Статья хорошая, но фото не соответствует."),
)

# Transliteration used for author and tag slugs (the article slugs are written by hand).
TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i",
}


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def stable_hash(*parts: object) -> int:
    """A hash that, unlike hash(), is the same in every run (PYTHONHASHSEED-proof)."""
    return zlib.crc32(":".join(map(str, parts)).encode("utf-8"))


def slugify(text: str) -> str:
    latin = "".join(TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")


def russian_date(moment: datetime) -> str:
    """'20 декабря 2025, 10:15' in the post's own (Asia/Almaty) offset."""
    return f"{moment.day} {MONTHS_GENITIVE[moment.month - 1]} {moment.year}, {moment:%H:%M}"


# --------------------------------------------------------------------------- loading


def load_post(path: Path) -> Post:
    """Read and check one articles/<id>.toml; raise ValueError saying what is wrong."""
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"invalid TOML: {exc}") from exc

    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ValueError(f"missing keys: {', '.join(missing)}")
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        warn(f"{path.name}: ignoring unknown keys: {', '.join(unknown)}")

    if path.stem != str(data["id"]):
        raise ValueError(f"file name does not match id = {data['id']}")
    for key in ("slug", "rubric_slug"):
        if not SLUG_RE.match(data[key]):
            raise ValueError(f"{key} must be a-z0-9 and '-': {data[key]!r}")
    published = datetime.fromisoformat(data["published"])  # ValueError names the bad string
    if published.tzinfo is None:
        raise ValueError("published needs a UTC offset (+05:00)")

    post = Post(
        id=int(data["id"]),
        slug=data["slug"],
        title=data["title"].strip(),
        rubric=data["rubric"].strip(),
        rubric_slug=data["rubric_slug"],
        published=published,
        author=data["author"].strip(),
        body=split_paragraphs(data["body"]),
        date_in_markup=data.get("date_in_markup", "datetime"),
        tags=tuple(data.get("tags", ())),
        encoding=data.get("encoding", "utf-8").lower(),
        image=data.get("image"),
        image_caption=data.get("image_caption"),
        read_also=data.get("read_also"),
        read_also_after=int(data.get("read_also_after", 2)),
        read_also_form=data.get("read_also_form", "canonical"),
        ad_after=data.get("ad_after"),
        amp=bool(data.get("amp", False)),
        related=tuple(int(i) for i in data.get("related", ())),
    )
    check_choices(post)
    return post


def split_paragraphs(body: str) -> tuple[str, ...]:
    """Blank lines separate paragraphs; line breaks inside a paragraph become spaces."""
    blocks = re.split(r"\n\s*\n", body.strip())
    paragraphs = tuple(" ".join(block.split()) for block in blocks if block.strip())
    if not paragraphs:
        raise ValueError("body is empty")
    return paragraphs


def check_choices(post: Post) -> None:
    for key, allowed in (
        ("encoding", ENCODINGS),
        ("date_in_markup", DATE_MODES),
        ("read_also_form", READ_ALSO_FORMS),
    ):
        value = getattr(post, key)
        if value not in allowed:
            raise ValueError(f"{key} = {value!r}, expected one of {sorted(allowed)}")
    if post.amp and post.encoding != "utf-8":
        # The AMP spec requires UTF-8; keeping both pages of a pair in UTF-8 keeps them comparable.
        raise ValueError("amp = true needs encoding = 'utf-8'")


def load_posts(src: Path) -> list[Post]:
    """All articles plus the video post; exits on the first broken file or duplicate id."""
    posts: list[Post] = []
    for path in sorted(src.glob("*.toml")):
        try:
            posts.append(load_post(path))
        except ValueError as exc:
            sys.exit(f"error: {path.name}: {exc}")
    posts.append(VIDEO_POST)
    seen: set[int] = set()
    for post in posts:
        if post.id in seen:
            sys.exit(f"error: duplicate post id {post.id}")
        seen.add(post.id)
    return posts


# --------------------------------------------------------------------------- the site


class Site:
    """The set of posts plus the lookups every page template needs."""

    def __init__(self, posts: list[Post]) -> None:
        # Newest first; the id breaks ties so the order never depends on file order.
        self.posts = sorted(posts, key=lambda p: (p.published, p.id), reverse=True)
        self.articles = [p for p in self.posts if not p.video]
        self.by_id = {p.id: p for p in self.posts}
        self.rubrics = self._collect_rubrics()

    def _collect_rubrics(self) -> list[tuple[str, str]]:
        names: dict[str, str] = {}
        for post in sorted(self.posts, key=lambda p: p.id):
            known = names.setdefault(post.rubric_slug, post.rubric)
            if known != post.rubric:
                warn(f"{post.id}: rubric_slug {post.rubric_slug!r} is already {known!r}")
        # Menu order: alphabetical by the name a reader sees (ties cannot happen: slugs are keys).
        return sorted((name, slug) for slug, name in names.items())

    def resolve(self, owner: Post, ids: tuple[int, ...], what: str) -> list[Post]:
        """The posts behind ids, skipping (with a warning) ids that have no file yet."""
        found = []
        for post_id in ids:
            if post_id in self.by_id:
                found.append(self.by_id[post_id])
            else:
                warn(f"{owner.id}: {what} id {post_id} does not exist, skipped")
        return found

    def popular(self, current: Post | None) -> list[Post]:
        """Ten other articles, a different "random" selection per page."""
        seed = current.id if current else 0
        others = [p for p in self.articles if p is not current]
        others.sort(key=lambda p: stable_hash(seed, "popular", p.id))
        return others[:POPULAR_SIZE]


# --------------------------------------------------------------------------- body text noise

# One- and two-letter prepositions and conjunctions a WordPress typographer glues to the next word.
SHORT_WORD_RE = re.compile(
    r"(?<!\w)(в|во|на|по|за|от|до|из|об|о|у|к|ко|с|со|и|а|не|но) (?=\w)", re.IGNORECASE
)
LONG_WORD_RE = re.compile(r"[А-Яа-яЁё]{13,}")


def noisy_text(text: str, key: str) -> str:
    """Escape a paragraph for HTML and add the invisible noise a real page carries.

    ``key`` (post id + paragraph index) seeds the choices, so the noise differs between
    paragraphs but is identical on every rebuild.
    """
    out = html.escape(text, quote=False)
    out = out.replace(" — ", "&nbsp;— ")

    counter = iter(range(10**6))

    def glue(match: re.Match[str]) -> str:
        # Only two thirds of them: typographer plugins are never applied consistently.
        keep = stable_hash(key, "nbsp", next(counter)) % 3
        return match.group(1) + ("&nbsp;" if keep else " ")

    out = SHORT_WORD_RE.sub(glue, out)

    def hyphenate(match: re.Match[str]) -> str:
        word = match.group(0)
        if stable_hash(key, "shy", next(counter)) % 3:
            return word
        middle = len(word) // 2
        return f"{word[:middle]}&shy;{word[middle:]}"

    out = LONG_WORD_RE.sub(hyphenate, out)

    # A zero-width space in about one paragraph of four, stuck to the end of a word.
    spaces = [m.start() for m in re.finditer(" ", out)]
    pick = stable_hash(key, "zwsp")
    if spaces and pick % 4 == 0:
        at = spaces[pick // 4 % len(spaces)]
        out = f"{out[:at]}\u200b{out[at:]}"
    return out


# --------------------------------------------------------------------------- HTML pieces


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def time_tag(post: Post, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    iso = post.published.isoformat()
    return f'<time{cls} datetime="{iso}">{russian_date(post.published)}</time>'


def page_head(post_title: str, charset: str, extra: list[str]) -> str:
    lines = [
        "<!DOCTYPE html>",
        '<html lang="ru-RU">',
        "<head>",
        f'  <meta charset="{charset}">',
        '  <meta name="viewport" content="width=device-width, initial-scale=1">',
        f"  <title>{esc(post_title)} - Caravan.kz</title>",
        *(f"  {line}" for line in extra),
        '  <link rel="stylesheet" href="/wp-content/themes/caravan/style.css?ver=5.8.2">',
        "</head>",
    ]
    return "\n".join(lines)


def site_header(site: Site) -> str:
    menu = "".join(
        f'<li><a href="/rubric/{slug}/">{esc(name)}</a></li>' for name, slug in site.rubrics
    )
    return (
        '<header class="site-header">\n'
        '  <div class="top-bar"><div class="currency-ticker">USD 512.40 EUR 541.15 RUB 5.12</div>\n'
        '    <div class="weather-widget">Алматы +3°C</div></div>\n'
        '  <div class="site-branding"><a class="custom-logo-link" href="/">'
        '<img src="/wp-content/uploads/logo.svg" alt="Caravan.kz"></a></div>\n'
        '  <form class="search-form" action="/search/" method="get">'
        '<input type="search" name="s" placeholder="Поиск"></form>\n'
        f'  <nav class="main-navigation"><ul class="menu"><li><a href="/news/">Новости</a></li>{menu}</ul></nav>\n'
        "</header>"
    )


def sidebar(site: Site, current: Post | None) -> str:
    items = "\n".join(
        f'    <li><a href="{p.url}">{esc(p.title)}</a></li>' for p in site.popular(current)
    )
    return (
        '<aside class="sidebar"><section class="widget popular-posts">'
        '<h3 class="widget-title">Популярное</h3>\n'
        f"  <ul>\n{items}\n  </ul></section></aside>"
    )


def site_footer() -> str:
    return (
        '<footer class="site-footer"><nav class="footer-menu"><ul>'
        '<li><a href="/">Главная</a></li><li><a href="/news/">Новости</a></li>'
        '<li><a href="/feed/">RSS</a></li></ul></nav>'
        "<p>© 2025 Сaravan.kz. Все права защищены.</p></footer>\n"
        "</body>\n</html>\n"
    )


def share_buttons(post: Post) -> str:
    target = quote(post.url, safe="")
    return (
        '<div class="share-buttons">Поделиться: '
        f'<a href="https://t.me/share/url?url={target}">Telegram</a> '
        f'<a href="https://wa.me/?text={target}">WhatsApp</a> '
        f'<a href="https://www.facebook.com/sharer.php?u={target}">Facebook</a></div>'
    )


def entry_meta(post: Post) -> str:
    if post.date_in_markup == "datetime":
        date = time_tag(post, "entry-date published")
    else:
        # No machine-readable date anywhere on the page: only the Russian text.
        date = f'<span class="entry-date">{russian_date(post.published)}</span>'
    views = f"{1000 + stable_hash(post.id, 'views') % 20000:,}".replace(",", " ")
    return (
        '<div class="entry-meta">\n'
        f"      {date}\n"
        f'      <span class="byline">Автор: <a class="author" href="/author/{slugify(post.author)}/">'
        f"{esc(post.author)}</a></span>\n"
        f'      <span class="views">{views}</span>\n'
        "    </div>"
    )


def thumbnail(post: Post) -> str:
    if not post.image:
        return ""
    caption = f"<figcaption>{esc(post.image_caption)}</figcaption>" if post.image_caption else ""
    return (
        f'    <figure class="post-thumbnail"><img src="{esc(post.image)}" alt="{esc(post.title)}">'
        f"{caption}</figure>\n"
    )


def read_also_link(post: Post, target: Post) -> str:
    if post.read_also_form == "amp":
        if not target.amp:
            warn(f"{post.id}: read_also_form = 'amp' but {target.id} has no AMP twin (link 404s)")
        return target.amp_url
    if post.read_also_form == "short":
        return target.short_url
    return target.url


def ad_block(post: Post) -> str:
    campaign = stable_hash(post.id, "ad") % 900 + 100
    return (
        '<div class="ad-block"><span>Реклама</span>'
        f'<a href="https://ads.example.kz/click?campaign={campaign}" rel="nofollow sponsored">'
        '<img src="/ads/banner.jpg" alt=""></a></div>'
    )


def entry_content(post: Post, site: Site) -> str:
    """Body paragraphs with the read-also paragraph and the ad block spliced in."""
    read_also = site.resolve(post, (post.read_also,), "read_also") if post.read_also else []
    count = len(post.body)
    for what, after in (("read_also_after", post.read_also_after), ("ad_after", post.ad_after)):
        if after is not None and not 0 < after < count:
            warn(f"{post.id}: {what} = {after} is outside the body ({count} paragraphs)")

    blocks = []
    for index, paragraph in enumerate(post.body):
        blocks.append(f"<p>{noisy_text(paragraph, f'{post.id}:{index}')}</p>")
        done = index + 1
        if read_also and done == min(post.read_also_after, count):
            target = read_also[0]
            blocks.append(
                '<p class="read-also"><strong>Читайте также:</strong> '
                f'<a href="{read_also_link(post, target)}">{esc(target.title)}</a></p>'
            )
        if post.ad_after is not None and done == min(post.ad_after, count):
            blocks.append(ad_block(post))
    blocks.append(
        '<p class="subscribe">Подписывайтесь на наш Telegram-канал — '
        '<a href="https://t.me/caravan_kz">Сaravan.kz</a></p>'
    )
    inner = "\n".join(f"      {block}" for block in blocks)
    return f'    <div class="entry-content">\n{inner}\n    </div>\n'


def post_tags(post: Post) -> str:
    if not post.tags:
        return ""
    links = " ".join(
        f'<a href="/tag/{slugify(tag)}/" rel="tag">{esc(tag)}</a>' for tag in post.tags
    )
    return f'    <div class="post-tags">Теги: {links}</div>\n'


def related_posts(post: Post, site: Site) -> str:
    cards = [
        f'      <div class="related-item"><a class="related-item__rubric" href="/rubric/{r.rubric_slug}/">'
        f"{esc(r.rubric)}</a>\n"
        f'        <a class="related-item__title" href="{r.url}">{esc(r.title)}</a></div>'
        for r in site.resolve(post, post.related, "related")
    ]
    if not cards:
        return ""
    return '    <div class="related-posts">\n' + "\n".join(cards) + "\n    </div>\n"


def comments(post: Post) -> str:
    """One to three reader comments, picked from COMMENTS by the post id."""
    count = 1 + stable_hash(post.id, "comments") % 3
    picked = sorted(COMMENTS, key=lambda c: stable_hash(post.id, "comment", c[1]))[:count]
    items = "".join(
        f'<li class="comment"><span class="comment-author">{esc(name)}</span><p>{esc(text)}</p></li>'
        for name, text in picked
    )
    return (
        f'  <section id="comments" class="comments-area"><h3>Комментарии ({count})</h3>\n'
        f'    <ol class="comment-list">{items}</ol></section>\n'
    )


# --------------------------------------------------------------------------- pages


def article_head(post: Post) -> str:
    extra = [
        f'<meta name="description" content="{esc(post.lead[:150])}">',
        f'<link rel="canonical" href="{post.url}">',
    ]
    if post.amp:
        extra.append(f'<link rel="amphtml" href="{post.amp_url}">')
    extra += [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{esc(post.title)}">',
        f'<meta property="og:url" content="{post.url}">',
    ]
    if post.date_in_markup == "datetime":
        extra.append(
            f'<meta property="article:published_time" content="{post.published.isoformat()}">'
        )
    extra += [
        f'<meta property="article:section" content="{esc(post.rubric)}">',
        f'<link rel="shortlink" href="{post.short_url}">',
    ]
    charset = "windows-1251" if post.encoding == "windows-1251" else "UTF-8"
    return page_head(post.title, charset, extra)


def render_article(post: Post, site: Site) -> str:
    """The full single-post page; the video post shares it with a player instead of text."""
    if post.video:
        content = (
            '    <div class="entry-content">\n'
            f'      <div class="video-wrapper"><iframe src="{post.video}" width="800" height="450" '
            'frameborder="0" allow="autoplay; encrypted-media" allowfullscreen></iframe></div>\n'
            "    </div>\n"
        )
    else:
        content = entry_content(post, site)
    return (
        f"{article_head(post)}\n"
        f'<body class="post-template-default single single-post postid-{post.id}">\n'
        f"{site_header(site)}\n"
        '<main class="site-main">\n'
        f'  <div class="breadcrumbs"><a href="/">Главная</a> » '
        f'<a href="/rubric/{post.rubric_slug}/">{esc(post.rubric)}</a></div>\n'
        '  <article class="post type-post">\n'
        f'    <h1 class="entry-title">{esc(post.title)}</h1>\n'
        f"    {entry_meta(post)}\n"
        f"    {share_buttons(post)}\n"
        f"{thumbnail(post)}"
        f"{content}"
        f"{post_tags(post)}"
        f"{related_posts(post, site)}"
        "  </article>\n"
        f"{comments(post)}"
        "</main>\n"
        f"{sidebar(site, post)}\n"
        f"{site_footer()}"
    )


def render_amp(post: Post) -> str:
    """The AMP twin: same title and body, minimal chrome, always UTF-8."""
    date = (
        time_tag(post)
        if post.date_in_markup == "datetime"
        else f"<span>{russian_date(post.published)}</span>"
    )
    figure = ""
    if post.image:
        caption = f"<figcaption>{esc(post.image_caption)}</figcaption>" if post.image_caption else ""
        figure = (
            f'  <figure class="amp-featured"><amp-img src="{esc(post.image)}" width="800" height="450" '
            f'layout="responsive" alt="{esc(post.title)}"></amp-img>{caption}</figure>\n'
        )
    paragraphs = "\n".join(
        f"    <p>{noisy_text(text, f'{post.id}:{index}')}</p>" for index, text in enumerate(post.body)
    )
    return (
        "<!doctype html>\n"
        '<html amp lang="ru">\n'
        "<head>\n"
        '  <meta charset="utf-8">\n'
        f"  <title>{esc(post.title)} - Caravan.kz</title>\n"
        f'  <link rel="canonical" href="{post.url}">\n'
        '  <meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">\n'
        '  <script async src="https://cdn.ampproject.org/v0.js"></script>\n'
        "  <style amp-boilerplate>body{-webkit-animation:none;animation:none}</style>\n"
        "</head>\n"
        "<body>\n"
        '<header class="amp-header"><a href="/">Caravan.kz</a></header>\n'
        '<article class="amp-article">\n'
        f'  <h1 class="amp-title">{esc(post.title)}</h1>\n'
        f'  <div class="amp-meta">{date} <span class="amp-author">{esc(post.author)}</span></div>\n'
        f"{figure}"
        '  <div class="amp-article-body">\n'
        f"{paragraphs}\n"
        "  </div>\n"
        "</article>\n"
        '<footer class="amp-footer">© 2025 Сaravan.kz</footer>\n'
        "</body>\n</html>\n"
    )


def news_item(post: Post) -> str:
    return (
        f'<article class="news-item"><a class="news-item__rubric" href="/rubric/{post.rubric_slug}/">'
        f"{esc(post.rubric)}</a>\n"
        f'  <h2 class="news-item__title"><a href="{post.url}">{esc(post.title)}</a></h2>'
        f"{time_tag(post)}</article>"
    )


def render_listing(
    site: Site, heading: str, posts: list[Post], *, prev_url: str | None = None,
    next_url: str | None = None, body_class: str = "archive", aside: str = "",
) -> str:
    """A listing page (news archive, rubric, home): items, pagination, widgets."""
    items = "\n".join(news_item(p) for p in posts)
    pagination = []
    if prev_url:
        pagination.append(f'<a class="prev page-numbers" href="{prev_url}">Назад</a>')
    if next_url:
        pagination.append(f'<a class="next page-numbers" href="{next_url}">Далее</a>')
    nav = f'<nav class="pagination">{" ".join(pagination)}</nav>\n' if pagination else ""
    return (
        f"{page_head(heading, 'UTF-8', [])}\n"
        f'<body class="{body_class}">\n'
        f"{site_header(site)}\n"
        '<main class="site-main">\n'
        f'<h1 class="page-title">{esc(heading)}</h1>\n'
        f"{items}\n"
        f"{nav}"
        f"{aside}"
        "</main>\n"
        f"{sidebar(site, None)}\n"
        f"{site_footer()}"
    )


def news_pages(site: Site) -> dict[str, str]:
    """news/index.html and news/page/N/index.html, PER_PAGE posts each."""
    chunks = [site.posts[i : i + PER_PAGE] for i in range(0, len(site.posts), PER_PAGE)]

    def page_url(number: int) -> str:
        return "/news/" if number == 1 else f"/news/page/{number}/"

    pages = {}
    for number, chunk in enumerate(chunks, start=1):
        path = "news/index.html" if number == 1 else f"news/page/{number}/index.html"
        pages[path] = render_listing(
            site,
            "Новости" if number == 1 else f"Новости — страница {number}",
            chunk,
            prev_url=page_url(number - 1) if number > 1 else None,
            next_url=page_url(number + 1) if number < len(chunks) else None,
        )
    return pages


def rubric_pages(site: Site) -> dict[str, str]:
    return {
        f"rubric/{slug}/index.html": render_listing(
            site, name, [p for p in site.posts if p.rubric_slug == slug],
            body_class=f"archive category category-{slug}",
        )
        for name, slug in site.rubrics
    }


def render_home(site: Site) -> str:
    links = "".join(
        f'<li><a href="/rubric/{slug}/">{esc(name)}</a></li>' for name, slug in site.rubrics
    )
    aside = (
        '<p class="all-news"><a href="/news/">Все новости</a></p>\n'
        f'<section class="rubrics"><h2>Рубрики</h2><ul>{links}</ul></section>\n'
    )
    return render_listing(
        site, "Последние новости", site.posts[:PER_PAGE], body_class="home", aside=aside
    )


def render_404(site: Site) -> str:
    head = page_head("Страница не найдена", "UTF-8", ['<meta name="robots" content="noindex">'])
    return (
        f"{head}\n"
        '<body class="error404">\n'
        f"{site_header(site)}\n"
        '<main class="site-main">\n'
        '  <section class="error-404 not-found"><h1 class="page-title">Страница не найдена</h1>\n'
        '  <p>Возможно, она была удалена или вы ошиблись адресом. '
        'Перейдите на <a href="/">главную</a> или в раздел <a href="/news/">новостей</a>.</p></section>\n'
        "</main>\n"
        f"{sidebar(site, None)}\n"
        f"{site_footer()}"
    )


# --------------------------------------------------------------------------- XML and text files


def render_sitemap_index(site: Site) -> str:
    newest = site.posts[0].published.isoformat()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"  <sitemap><loc>{BASE_URL}/sitemap-news.xml</loc><lastmod>{newest}</lastmod></sitemap>\n"
        "</sitemapindex>\n"
    )


def render_sitemap_news(site: Site) -> str:
    entries = [(p.url, p.published.isoformat()) for p in site.posts]
    entries.append((DELETED_URL, DELETED_LASTMOD))
    urls = "\n".join(
        f"  <url><loc>{BASE_URL}{url}</loc><lastmod>{lastmod}</lastmod></url>"
        for url, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}\n"
        "</urlset>\n"
    )


def render_feed(site: Site) -> str:
    items = []
    for post in site.posts[:FEED_SIZE]:
        description = post.lead or post.title
        items.append(
            "    <item>\n"
            f"      <title>{esc(post.title)}</title>\n"
            f"      <link>{BASE_URL}{post.url}</link>\n"
            f'      <guid isPermaLink="false">{BASE_URL}/?p={post.id}</guid>\n'
            f"      <pubDate>{format_datetime(post.published)}</pubDate>\n"
            f"      <dc:creator>{esc(post.author)}</dc:creator>\n"
            f"      <category>{esc(post.rubric)}</category>\n"
            f"      <description>{esc(description)}</description>\n"
            "    </item>"
        )
    newest = format_datetime(site.posts[0].published)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        "  <channel>\n"
        "    <title>Caravan.kz</title>\n"
        f"    <link>{BASE_URL}/</link>\n"
        "    <description>Новости Казахстана и мира</description>\n"
        "    <language>ru-RU</language>\n"
        f"    <lastBuildDate>{newest}</lastBuildDate>\n"
        + "\n".join(items)
        + "\n  </channel>\n</rss>\n"
    )


def render_robots() -> str:
    return (
        "User-agent: *\n"
        "Disallow: /wp-admin/\n"
        "Disallow: /search/\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "\n"
        f"Sitemap: {BASE_URL}/sitemap.xml\n"
    )


# --------------------------------------------------------------------------- build


@dataclass
class Counts:
    articles: int = 0
    video_posts: int = 0
    cp1251: int = 0
    amp: int = 0
    listing_pages: int = 0
    rubric_pages: int = 0
    files: int = 0


def render_site(site: Site) -> tuple[dict[str, bytes], Counts]:
    """Every output file as relative path -> bytes; nothing is written yet."""
    files: dict[str, str | bytes] = {}
    counts = Counts()
    for post in site.posts:
        page = render_article(post, site)
        # xmlcharrefreplace: a character windows-1251 lacks becomes &#NNNN; as on old sites.
        files[f"{post.url.strip('/')}/index.html"] = page.encode(
            post.encoding, errors="xmlcharrefreplace"
        )
        if post.video:
            counts.video_posts += 1
            continue
        counts.articles += 1
        counts.cp1251 += post.encoding == "windows-1251"
        if post.amp:
            files[f"{post.amp_url.strip('/')}/index.html"] = render_amp(post)
            counts.amp += 1

    listings = news_pages(site)
    rubrics = rubric_pages(site)
    counts.listing_pages = len(listings)
    counts.rubric_pages = len(rubrics)
    files.update(listings)
    files.update(rubrics)
    files["index.html"] = render_home(site)
    files["404.html"] = render_404(site)
    files["sitemap.xml"] = render_sitemap_index(site)
    files["sitemap-news.xml"] = render_sitemap_news(site)
    files["feed/index.xml"] = render_feed(site)
    files["robots.txt"] = render_robots()

    encoded = {
        path: data if isinstance(data, bytes) else data.encode("utf-8")
        for path, data in files.items()
    }
    counts.files = len(encoded)
    return encoded, counts


def write_tree(out: Path, files: dict[str, bytes]) -> None:
    """Replace ``out`` with exactly these files, so removed articles leave no stale pages."""
    if out.exists():
        shutil.rmtree(out)
    for relative, data in sorted(files.items()):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="directory of <id>.toml files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="site directory to regenerate")
    args = parser.parse_args(argv)

    site = Site(load_posts(args.src))
    files, counts = render_site(site)
    write_tree(args.out, files)
    print(
        f"article pages: {counts.articles} (windows-1251: {counts.cp1251}, with AMP twin: {counts.amp})\n"
        f"video posts: {counts.video_posts}\n"
        f"AMP twins: {counts.amp}\n"
        f"listing pages: {counts.listing_pages} news + {counts.rubric_pages} rubric + 1 home\n"
        f"files written: {counts.files} to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
