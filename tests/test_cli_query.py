"""newsdb search / show / related / export / stats / db copy through the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from test_search import add_corpus

from newsdb.cli import cli
from storage.db import open_database


@pytest.fixture
def corpus_url(db_url):
    db = open_database(db_url)
    try:
        with db.session() as session:
            ids = add_corpus(session)
    finally:
        db.close()
    return db_url, ids


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result


def test_search_table_json_and_csv(corpus_url):
    url, ids = corpus_url
    table = run("search", "выборы акимов", "--db", url)
    assert table.exit_code == 0, table.output
    assert "[акимов]" in table.output and f"#{ids[1]}" in table.output
    found = json.loads(run("search", "выборы акимов", "--db", url, "--format", "json").output)
    assert {hit["id"] for hit in found} == {ids[1], ids[3]}
    assert found[0]["published_at"].startswith("2025-12-")
    rows = list(csv.reader(io.StringIO(run("search", "тенге", "--db", url, "--format", "csv").output)))
    assert rows[0][:2] == ["id", "site"] and [r[0] for r in rows[1:]] == [str(ids[2])]


def test_search_filters_from_the_command_line(corpus_url):
    url, ids = corpus_url
    out = run("search", "аким", "--db", url, "--format", "json", "--since", "2025-12-02", "--tag", "Алматы")
    assert [hit["id"] for hit in json.loads(out.output)] == [ids[3]]
    out = run("search", "аким", "--db", url, "--format", "json", "--until", "2025-12-01")
    assert [hit["id"] for hit in json.loads(out.output)] == [ids[1]]  # the whole day counts
    out = run("search", "аким", "--db", url, "--format", "json", "--site", "other")
    assert json.loads(out.output) == []


def test_bad_input_is_one_line(corpus_url):
    url, _ = corpus_url
    bad_date = run("search", "аким", "--db", url, "--since", "2025-13-01")
    assert bad_date.exit_code == 2 and "is not a date" in bad_date.output
    empty = run("search", "« — »", "--db", url)
    assert empty.exit_code == 1 and empty.output.strip().startswith("Error: nothing to search for")
    missing = run("show", "https://nowhere.example/x/", "--db", url)
    assert missing.exit_code == 1 and len(missing.output.strip().splitlines()) == 1
    assert "no stored article" in missing.output


def test_show_history_lists_what_changed(db_url):
    from dataclasses import replace

    from storage import api
    from test_search import CORPUS

    first = CORPUS[0]
    db = open_database(db_url)
    try:
        with db.session() as session:
            article_id, _ = api.upsert_article(session, first)
        with db.session() as session:
            changed = replace(first, title=first.title + " (обновлено)", parser_version="9.9.9")
            assert api.upsert_article(session, changed) == (article_id, "updated")
    finally:
        db.close()
    shown = run("show", article_id, "--history", "--db", db_url)
    assert shown.exit_code == 0, shown.output
    assert f"title: - {first.title}" in shown.output
    assert f"title: + {first.title} (обновлено)" in shown.output
    assert "-> 9.9.9" in shown.output
    unchanged = run("show", article_id, "--history", "--db", db_url, "--format", "json")
    assert any("(обновлено)" in line for line in json.loads(unchanged.output)["history"])


def test_show_and_related(corpus_url):
    url, ids = corpus_url
    shown = run("show", "https://demo.example/news/1/", "--db", url)
    assert shown.exit_code == 0, shown.output
    assert "В Казахстане пройдут выборы акимов районов" in shown.output
    assert "Нурлан Абдиров: «Выборы пройдут честно»" in shown.output
    assert f"-> #{ids[2]}" in shown.output and "tags: Политика" in shown.output
    record = json.loads(run("show", ids[1], "--db", url, "--format", "json").output)
    assert record["quotes"][0]["speaker"] == "председатель ЦИК"
    report = json.loads(run("related", ids[2], "--db", url, "--format", "json").output)
    assert report["outgoing"][0]["article_id"] == ids[1]
    assert [link["article_id"] for link in report["incoming"]] == [ids[1]]


def test_export_jsonl_and_csv(corpus_url, tmp_path):
    url, ids = corpus_url
    out = run("export", "--db", url)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in lines] == sorted(ids.values())
    assert "exported 4 articles" in out.stderr
    target = tmp_path / "demo.csv"
    assert run("export", "--db", url, "--format", "csv", "--site", "demo", "-o", target).exit_code == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 3 and rows[2]["tags"] == '["Политика","Алматы"]'  # nested fields: JSON columns
    assert json.loads(rows[0]["quotes"])[0]["text"] == "Выборы пройдут честно"
    assert rows[0]["published_at"] == "2025-12-01T05:00:00+00:00"


def test_stats_per_site(corpus_url):
    url, _ = corpus_url
    out = run("stats", "--db", url)
    assert out.exit_code == 0, out.output
    assert "articles   3" in out.output and "quotes     1" in out.output
    assert "published  2025-12-01 .. 2025-12-03" in out.output
    assert "layers     body          generic 3" in out.output
    data = json.loads(run("stats", "--db", url, "--format", "json").output)
    assert {s["site"]: s["articles"] for s in data["sites"]} == {"demo": 3, "other": 1}


def test_db_copy_command(tmp_path):
    source = f"sqlite:///{tmp_path / 'a.sqlite'}"
    target = f"sqlite:///{tmp_path / 'b.sqlite'}"
    db = open_database(source)
    with db.session() as session:
        add_corpus(session)
    db.close()
    out = run("db", "copy", "--from", source, "--to", target)
    assert out.exit_code == 0, out.output
    assert "articles 4" in out.output
    again = run("db", "copy", "--from", source, "--to", target)
    assert again.exit_code == 1 and "is not empty" in again.output
    found = json.loads(run("search", "тенге", "--db", target, "--format", "json").output)
    assert len(found) == 1


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_search_words_may_begin_with_a_dash(corpus_url):
    url, ids = corpus_url
    # `аким` is in articles 1 and 3; 3 also says Алматы
    assert [h["id"] for h in _json(run("search", "-алматы", "аким", "--db", url, "--format", "json"))] == [ids[1]]
    assert [h["id"] for h in _json(run("search", "--db", url, "--format", "json", "--", "-алматы", "аким"))] == [ids[1]]
    assert [h["id"] for h in _json(run("search", "аким", "NOT", "алматы", "--format", "json", "--db", url))] == [ids[1]]
    # the words of several arguments are one query; options may come between them
    assert [h["id"] for h in _json(run("search", "курс", "--db", url, "тенге", "--format=json"))] == [ids[2]]
    typo = run("search", "аким", "--limt", "5", "--db", url)
    assert typo.exit_code == 2 and "No such option '--limt'" in typo.output


def test_search_says_how_many_matched_and_how_to_see_the_rest(corpus_url):
    url, ids = corpus_url
    # `аким`: both titles hold it (Аким города; акимов районов): newest first, 3 then 1
    first = run("search", "аким", "--limit", "1", "--db", url)
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0].startswith(f"  1. 2025-12-03  demo  #{ids[3]}  Аким города")
    assert first.stdout.splitlines()[-1] == "1 of 2 articles; next: --limit 1 --page 2, all: --all"
    second = run("search", "аким", "--limit", "1", "--page", "2", "--db", url)
    assert second.stdout.splitlines()[0].startswith(f"  2. 2025-12-01  demo  #{ids[1]}  ")
    assert second.stdout.splitlines()[-1] == "article 2 of 2"
    assert run("search", "аким", "--limit", "1", "--offset", "1", "--db", url).stdout == second.stdout
    assert run("search", "аким", "--all", "--db", url).stdout.splitlines()[-1] == "2 of 2 articles"
    assert run("search", "аким", "--limit", "1", "--page", "3", "--db", url).stdout.splitlines()[-1] == \
        "0 of 2 articles: --page 3 is past the end"
    assert run("search", "тенге", "--db", url).stdout.splitlines()[-1] == "1 of 1 article"
    page = _json(run("search", "аким", "--limit", "1", "--page", "2", "--format", "json", "--db", url))
    assert [(h["id"], h["position"], h["total"]) for h in page] == [(ids[1], 2, 2)]
    assert set(page[0]) == {"id", "site", "url", "title", "published_at", "rank", "snippet", "position", "total"}
    rows = list(csv.DictReader(io.StringIO(run("search", "аким", "--format", "csv", "--db", url).stdout)))
    assert [(r["id"], r["position"], r["total"]) for r in rows] == [(str(ids[3]), "1", "2"), (str(ids[1]), "2", "2")]
    both = run("search", "аким", "--page", "2", "--offset", "1", "--db", url)
    assert both.exit_code == 2 and "--page and --offset" in both.output
    all_and_limit = run("search", "аким", "--all", "--limit", "1", "--db", url)
    assert all_and_limit.exit_code == 2 and "--all" in all_and_limit.output


def test_search_help_documents_the_language():
    text = run("search", "--help").output
    for example in ('"курс тенге"', "тенге OR рубль", "тенге AND доллар", "-прогноз", "NOT прогноз", "прези*",
                    "--page", "--all", "--offset", "newsdb search -прогноз тенге"):
        assert example in text, example


def test_show_and_related_take_any_url_form(db_url):
    from test_query import CARAVAN_URL, _caravan_articles

    db = open_database(db_url)
    try:
        with db.session() as session:
            ids = _caravan_articles(session)
    finally:
        db.close()
    for form in ("https://caravan.kz/?p=1145321", "http://amp.caravan.kz/news/x-1145321",
                 "https://www.caravan.kz/amp/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321"):
        shown = run("show", form, "--db", db_url)
        assert shown.exit_code == 0, shown.output
        assert shown.stdout.splitlines()[0] == f"#{ids['caravan']} Токаев провел совещание по экономике"
        assert CARAVAN_URL in shown.stdout.splitlines()[1]
        report = json.loads(run("related", form, "--db", db_url, "--format", "json").stdout)
        assert report["article_id"] == ids["caravan"]
        assert [link["article_id"] for link in report["incoming"]] == [ids["linking"]]
    for command in ("show", "related"):
        missing = run(command, "https://www.caravan.kz/?p=1", "--db", db_url)
        assert missing.exit_code == 1 and missing.stdout == ""
        assert missing.stderr.splitlines() == ["Error: no stored article with id or URL 'https://www.caravan.kz/?p=1'"]
