"""Datasette as a way into newsdb: a real `datasette` server with newsdb's plugin, on a
database the demo crawl wrote, read through its JSON API and through the pages a real
headless browser (Debian's chromium, which .ci/run installs) rendered.

Expected values come from the demo site's sources (seeds/demo_src/articles/*.toml).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "datasette" / "metadata.yml"
DEMO_SOURCES = ROOT / "seeds" / "demo_src" / "articles"
NEWSDB = Path(sys.executable).with_name("newsdb")

ELECTIONS = "Токаев: выборы акимов проводятся в интересах жителей сел"  # the one text with "выборы"
# Касым-Жомарт Токаев's direct quotes in the demo articles (1145310, 1145302, 1145321),
# written as "Президент Казахстана", "Токаев", "Президент" and "глава государства".
TOKAYEV_QUOTES = {
    "Центральная Азия перестала быть периферией мировой политики.",
    "Присоединение Азербайджана к нашему формату открывает новые",
    "За последние пять лет мы ввели в эксплуатацию более ста",
    "Энергетика — это вопрос национальной безопасности.",
    "Уверен, что предстоящие выборы придадут новый импульс",
    "Акимы — прямые представители власти в каждом населенном пункте.",
}
ON_ELECTIONS = {"Уверен, что предстоящие выборы придадут новый импульс",  # both say "выборы"
                "Акимы — прямые представители власти в каждом населенном пункте."}


def demo_sources() -> list[dict]:
    return [tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted(DEMO_SOURCES.glob("*.toml"))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """newsdb.sqlite: a snapshot of what `newsdb demo` wrote, and notes.db: someone
    else's FTS table beside it."""
    folder = tmp_path_factory.mktemp("datasette")
    crawled = folder / "crawl.sqlite"
    crawl = subprocess.run(
        [str(NEWSDB), "demo", "--port", "0", "--db", f"sqlite:///{crawled}"],
        cwd=folder, capture_output=True, text=True, timeout=600,
    )
    assert crawl.returncode == 0, crawl.stderr
    path = folder / "newsdb.sqlite"  # Datasette names the database after the file
    with closing(sqlite3.connect(crawled)) as connection:
        # newsdb writes in WAL mode, which an immutable open does not read: serve a
        # snapshot, made the way docs/DATASETTE.md says
        connection.execute("VACUUM INTO ?", (str(path),))
    notes = folder / "notes.db"
    with closing(sqlite3.connect(notes)) as connection:
        connection.executescript(
            """
            CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
            INSERT INTO notes (body) VALUES ('ремонт школы начнется весной'), ('дороги в городе');
            CREATE VIRTUAL TABLE notes_fts USING fts5 (body, content="notes", content_rowid="id");
            INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');
            """
        )
    return path, notes


@pytest.fixture(scope="module")
def server(databases):
    """A datasette server on a free loopback port: the newsdb file immutable (-i), as a
    published copy would be; always stopped."""
    newsdb_file, notes = databases
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", "-i", str(newsdb_file), str(notes),
         "-m", str(METADATA), "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a bound on start-up, not a measurement
        while True:
            if process.poll() is not None:
                pytest.fail(f"datasette exited with {process.returncode}: {process.stdout.read()}")
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail("datasette did not answer in 120 s")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def url(base: str, path: str, **params: str) -> str:
    return base + path + ("?" + urllib.parse.urlencode(params) if params else "")


def api(base: str, path: str, **params: str) -> list[dict]:
    with urllib.request.urlopen(url(base, path + ".json", _shape="array", **params), timeout=60) as response:
        return json.load(response)


def rendered(address: str, tmp_path: Path) -> lxml.html.HtmlElement:
    """The DOM of `address` after chromium loaded it and ran its scripts."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: these tests read pages a real browser rendered "
                    "(apt-get install chromium; .ci/run installs it)")
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--dump-dom", address],
        capture_output=True, timeout=180, env={**os.environ, "LANG": "C.UTF-8"},
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return lxml.html.document_fromstring(result.stdout.decode("utf-8"))


def table_rows(dom: lxml.html.HtmlElement) -> tuple[list[str], list[dict[str, str]]]:
    """The result table of a Datasette page: its column names, and its rows as {column: text}."""
    (table,) = dom.cssselect("table.rows-and-columns")
    columns = [_column(th) for th in table.cssselect("thead th")]
    rows = [{_column(td): td.text_content().strip() for td in tr.cssselect("td")} for tr in table.cssselect("tbody tr")]
    return columns, rows


def _column(cell: lxml.html.HtmlElement) -> str:
    return next(name[4:] for name in cell.get("class", "").split() if name.startswith("col-"))


def test_search_box_finds_other_word_forms(server, tmp_path):
    # the text says "выборы" (and the tag "выборы акимов"); the box is given "выборов"
    assert [row["title"] for row in api(server, "/newsdb/articles", _search="выборов", _col="title")] == [ELECTIONS]
    assert [row["title"] for row in api(server, "/newsdb/article_list", _search="выборов")] == [ELECTIONS]
    assert [row["title"] for row in api(server, "/newsdb/articles", _search="выборами акимов", _col="title")] == [ELECTIONS]
    # raw mode is FTS5 over the stems, as Datasette documents it: no word form is expanded
    assert api(server, "/newsdb/articles", _search="выборов", _searchmode="raw", _col="title") == []
    _, rows = table_rows(rendered(url(server, "/newsdb/articles", _search="выборов"), tmp_path))
    assert [row["title"] for row in rows] == [ELECTIONS]
    dom = rendered(url(server, "/newsdb/article_list", _search="выборов"), tmp_path)
    assert [row["title"] for row in table_rows(dom)[1]] == [ELECTIONS]
    assert dom.cssselect("input[name=_search]")[0].get("value") == "выборов"


def test_other_databases_keep_datasettes_own_search(server):
    # notes.db is not newsdb's: its search box matches words as written, Datasette's way
    assert [row["body"] for row in api(server, "/notes/notes", _search="школы")] == ["ремонт школы начнется весной"]
    assert api(server, "/notes/notes", _search="школа") == []


def test_quotes_by_speaker_finds_every_case_form(server, tmp_path):
    def starts(rows):
        return {next((q for q in TOKAYEV_QUOTES if row["text"].startswith(q)), row["text"]) for row in rows}

    for speaker in ("Токаев", "Токаева", "токаев", "ТОКАЕВУ", "Касым-Жомарта Токаева"):
        rows = api(server, "/newsdb/quotes_by_speaker", speaker=speaker)
        assert starts(rows) == TOKAYEV_QUOTES and len(rows) == len(TOKAYEV_QUOTES), speaker
    assert api(server, "/newsdb/quotes_by_speaker", speaker="Токарев") == []
    _, rows = table_rows(rendered(url(server, "/newsdb/quotes_by_speaker", speaker="токаева"), tmp_path))
    assert starts(rows) == TOKAYEV_QUOTES and len(rows) == len(TOKAYEV_QUOTES)
    assert {row["speaker_canonical"] for row in rows} == {"Касым-Жомарт Токаев"}
    # 1145321 was published at 10:15 in Astana (+05:00): the page shows the UTC time with its offset
    assert "2025-12-20T05:15:00+00:00" in {row["published_at"] for row in rows}


def test_said_about_and_sources_by_count(server, tmp_path):
    rows = api(server, "/newsdb/said_about", speaker="Токаева", about="выборов")
    assert {next(q for q in ON_ELECTIONS if row["text"].startswith(q)) for row in rows} == ON_ELECTIONS
    assert len(rows) == 2 and {row["article"] for row in rows} == {ELECTIONS}
    assert api(server, "/newsdb/said_about", speaker="Токаева", about="больницы") == []
    energy = api(server, "/newsdb/said_about", speaker="глава государства", about='"национальной безопасности"')
    assert [row["text"][:26] for row in energy] == ["Энергетика — это вопрос на"]

    # "… со ссылкой на пресс-службу Акорды" is the most cited source of the demo texts;
    # 1145321 credits "Акорду", another form of another name
    cited = sum("со ссылкой на пресс-службу Акорды" in source["body"] for source in demo_sources())
    sources = api(server, "/newsdb/sources_by_count")
    assert (sources[0]["source"], sources[0]["written"], sources[0]["articles"]) == ("пресс-служба Акорды", "пресс-службу Акорды", cited)
    assert cited == 4
    assert {(row["source"], row["written"], row["articles"]) for row in sources if "Акорд" in row["source"]} == {
        ("пресс-служба Акорды", "пресс-службу Акорды", 4), ("Акорда", "Акорду", 1)}
    assert [row["articles"] for row in sources] == sorted((row["articles"] for row in sources), reverse=True)

    dom = rendered(url(server, "/newsdb"), tmp_path)
    titles = {a.text_content().strip() for a in dom.cssselect("a")}
    assert {"Quotes by speaker", "What did X say about Y", "Sources by count"} <= titles
    _, rows = table_rows(rendered(url(server, "/newsdb/sources_by_count"), tmp_path))
    assert rows[0]["articles"] == "4"


def test_authors_render_as_readable_text(server, tmp_path, databases):
    article = next(source for source in demo_sources() if source["title"] == ELECTIONS)
    with sqlite3.connect(databases[0]) as connection:
        (stored,) = connection.execute("SELECT authors FROM articles WHERE title = ?", (ELECTIONS,)).fetchone()
    assert json.loads(stored) == [article["author"]]  # stored as a JSON list, escaped or not
    _, rows = table_rows(rendered(url(server, "/newsdb/articles", _search="выборов"), tmp_path))
    assert rows[0]["authors"] == article["author"] == "Айгерим Сапарова"
    assert "\\u" not in rows[0]["layers"] and json.loads(rows[0]["layers"])["title"] == "profile"
    _, rows = table_rows(rendered(url(server, "/newsdb/article_list", _search="выборов"), tmp_path))
    assert rows[0]["authors"] == "Айгерим Сапарова"


def test_plugin_is_installed_with_newsdb_and_shortens_the_articles_page(server, tmp_path):
    with urllib.request.urlopen(server + "/-/plugins.json", timeout=60) as response:
        plugins = {plugin["name"]: plugin for plugin in json.load(response)}
    assert {"prepare_connection", "render_cell"} <= set(plugins["newsdb"]["hooks"])  # found by its entry point
    dom = rendered(url(server, "/newsdb/articles"), tmp_path)
    styles = [urllib.parse.unquote(link.get("href")) for link in dom.cssselect("link[rel=stylesheet]")
              if link.get("href", "").startswith("data:text/css,")]
    assert len(styles) == 1 and "td.col-body" in styles[0] and "text-overflow: ellipsis" in styles[0]
    row_page = rendered(url(server, "/newsdb/articles/1"), tmp_path)
    assert not [link for link in row_page.cssselect("link[rel=stylesheet]") if link.get("href", "").startswith("data:")]


def test_article_list_is_a_readable_default_view(server, tmp_path):
    sources = demo_sources()
    newest = max(sources, key=lambda source: datetime.fromisoformat(source["published"]))
    dom = rendered(url(server, "/newsdb/article_list"), tmp_path)
    columns, rows = table_rows(dom)
    assert columns[:4] == ["title", "published_at", "site", "source"]
    elections = next(row for row in rows if row["title"] == ELECTIONS)  # "… со ссылкой на Акорду"
    assert (elections["source"], elections["source_written"]) == ("Акорда", "Акорду")
    assert not {"body", "lead", "layers"} & set(columns)
    assert len(rows) == len(sources)
    assert rows[0]["title"] == newest["title"] and rows[0]["site"] == "demo"
    assert datetime.fromisoformat(rows[0]["published_at"]) == datetime.fromisoformat(newest["published"])  # ISO 8601, UTC
    assert rows[0]["published_at"].endswith("+00:00")
    # the id opens the whole article, body included
    (link,) = dom.cssselect("table.rows-and-columns tbody tr")[0].cssselect("td.col-id a")
    article = rendered(urllib.parse.urljoin(server, link.get("href")), tmp_path)
    first_paragraph = newest["body"].strip().split("\n")[0]
    assert first_paragraph[:60] in article.text_content()


def test_the_examples_of_docs_datasette_answer(server):
    """Every URL docs/DATASETTE.md shows answers with rows on the demo data, and its SQL runs."""
    text = (ROOT / "docs" / "DATASETTE.md").read_text(encoding="utf-8")
    examples = [path for path in re.findall(r"http://127\.0\.0\.1:8001(/[^\s<>'`)]*)", text) if "…" not in path]
    assert len(examples) >= 12
    for example in examples:
        path, _, query = example.partition("?")
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if path == "/newsdb":
            with urllib.request.urlopen(url(server, path), timeout=60) as response:
                assert response.status == 200
            continue
        rows = api(server, path.removesuffix(".json"), **{k: v for k, v in params.items() if k != "_shape"})
        assert rows, example
    (sql,) = re.findall(r"```sql\n(.*?)```", text, re.S)
    rows = api(server, "/newsdb", sql=sql)
    # Данияр Оразбаев on the tenge, in the demo article about the exchange rate
    assert [row["title"] for row in rows] == ["Курс тенге: доллар подешевел до 508 тенге"]
    assert rows[0]["text"].startswith("Тенге поддерживают")
