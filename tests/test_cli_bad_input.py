"""Bad input, command by command: one clear line on stderr, a non-zero exit, nothing created.

One table row per (command, bad input). Each row asserts the exit code (1 a user
error, 2 a usage error), that stderr holds one error line (a usage error also
has click's "Usage:" and "Try …" lines) and no traceback, that the line names
the problem, that no password shows, and, for commands that only read, that no
SQLite file and no PostgreSQL database was created. A few rows also run through
the real entry point (newsdb.cli:main, the console script) in a subprocess.
Then the Python API, which can be given what argv cannot (NUL, lone surrogates),
and hostile search and speaker strings on both backends.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text

from newsdb.cli import cli
from storage import models as m
from storage.db import open_database
from storage.query import open_db
from storage.search import QueryError
from tests.conftest import PG_ADMIN_URL, PG_SERVER
from tests.test_cli_commands import all_commands
from tests.test_cli_options import DATE_OPTIONS, REQUIRED_ARGS, command
from tests.test_search import add_corpus

LONG = "a" * 100_000  # ASCII: Linux takes at most 128 KiB in one argument, and Cyrillic is 2 bytes a letter
PASSWORD = "s3cret"
DOWN = f"postgresql+psycopg://root:{PASSWORD}@127.0.0.1:1/newsdb"  # nothing listens on port 1
BAD_URLS = {
    "garbage": ("not a url", 1, "invalid database URL"),
    "unknown driver": ("nosuchdb://host/x", 1, "unknown database driver 'nosuchdb'"),
    "non-numeric port": (f"postgresql+psycopg://root:{PASSWORD}@127.0.0.1:abc/x", 1, "invalid database URL"),
    "no database name": (f"postgresql+psycopg://root:{PASSWORD}@127.0.0.1:5432", 1, "names no database"),
    "no database name, slash": (f"postgresql+psycopg://root:{PASSWORD}@127.0.0.1:5432/", 1, "names no database"),
    "down": (DOWN, 1, "cannot connect to postgresql+psycopg://root:***@127.0.0.1:1/newsdb"),
    "100,000 characters": ("sqlite:///" + LONG, 2, "too long (100010 characters, at most 4096)"),
}

# Every command that opens a database, with arguments that are fine but for the
# database; {db} is the URL under test, {good} a database with articles, {tmp} a folder.
READ_COMMANDS = {
    "stats": ["stats", "--db", "{db}"],
    "search": ["search", "аким", "--db", "{db}"],
    "show": ["show", "1", "--db", "{db}"],
    "related": ["related", "1", "--db", "{db}"],
    "export": ["export", "--db", "{db}"],
    "quotes": ["quotes", "--speaker", "Токаев", "--db", "{db}"],
    "runs": ["runs", "--db", "{db}"],
    "runs show": ["runs", "show", "1", "--db", "{db}"],
    "reparse": ["reparse", "--db", "{db}"],
    "export-warc": ["export-warc", "{tmp}/out.warc.gz", "--db", "{db}"],
    "db copy --from": ["db", "copy", "--from", "{db}", "--to", "sqlite:///{tmp}/copy-target.sqlite"],
}
WRITE_COMMANDS = {
    "crawl": ["crawl", "demo", "--db", "{db}"],
    "demo": ["demo", "--port", "0", "--db", "{db}"],
    "schedule": ["schedule", "demo", "--every", "1h", "--db", "{db}"],
    "import-warc": ["import-warc", "{tmp}/empty.warc.gz", "--db", "{db}"],
    "db upgrade": ["db", "upgrade", "--db", "{db}"],
    "db check": ["db", "check", "--db", "{db}"],
    "db copy --to": ["db", "copy", "--from", "{good}", "--to", "{db}"],
    "enqueue crawl": ["enqueue", "crawl", "demo", "--db", "{db}"],
    "enqueue reparse": ["enqueue", "reparse", "--db", "{db}"],
    "enqueue import-warc": ["enqueue", "import-warc", "{tmp}/empty.warc.gz", "--db", "{db}"],
    "worker": ["worker", "--idle-exit", "1", "--db", "{db}"],
    "jobs": ["jobs", "--db", "{db}"],  # reads the queue, not the articles: it is the queue's schema it installs
}


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    exit: int  # 1 a user error, 2 a usage error
    fragment: str  # the error line contains it
    read_only: bool = False  # then: no file, no PostgreSQL database may appear
    real: bool = False  # also through the console script, in a subprocess


def cases() -> list[Case]:
    rows = []
    for kind, (url, code, fragment) in BAD_URLS.items():
        for name, args in {**READ_COMMANDS, **WRITE_COMMANDS}.items():
            rows.append(Case(f"{name}: {kind} URL", tuple(a.replace("{db}", url) for a in args), code, fragment,
                             read_only=name in READ_COMMANDS,
                             real=(name, kind) in {("stats", "down"), ("crawl", "non-numeric port"),
                                                   ("search", "no database name")}))
    for name, args in READ_COMMANDS.items():
        rows.append(Case(f"{name}: mistyped SQLite path", tuple(args), 1, "no database at {tmp}/typo/newsdb.sqlite",
                         read_only=True, real=name == "stats"))
        rows.append(Case(f"{name}: missing PostgreSQL database", tuple(args), 1, 'database "{missing}" does not exist',
                         read_only=True, real=name == "db copy --from"))
        rows.append(Case(f"{name}: PostgreSQL database without newsdb", tuple(args), 1,
                         "holds no newsdb database", read_only=True))
        rows.append(Case(f"{name}: empty SQLite file", tuple(args), 1, "holds no newsdb database", read_only=True))
    # The `newsdb db upgrade` a missing database's message names makes it.
    for name, option in sorted(DATE_OPTIONS):
        rows.append(Case(f"{name} {option}: bad date",
                         (*name.split(), *REQUIRED_ARGS.get(name, []), option, "31.02.2025x", "--db", "{good}"),
                         2, f"Invalid value for '{option}': '31.02.2025x' is not a date", read_only=True))
    unknown_site = {
        "crawl": (("crawl", "nosuchsite", "--db", "{good}"), "no site profile 'nosuchsite' (known sites: "),
        "schedule": (("schedule", "nosuchsite", "--every", "1h", "--db", "{good}"), "no site profile 'nosuchsite'"),
        "parse --site": (("parse", "{page}", "--site", "nosuchsite"), "no site profile 'nosuchsite' (known sites: caravan, demo"),
        "runs --site": (("runs", "--site", "nosuchsite", "--db", "{good}"), "no site named 'nosuchsite' in the database (known: demo, other)"),
        "reparse --site": (("reparse", "--site", "nosuchsite", "--db", "{good}"), "no site named 'nosuchsite'"),
        "search --site": (("search", "аким", "--site", "nosuchsite", "--db", "{good}"), "no site named 'nosuchsite'"),
        "quotes --site": (("quotes", "--site", "nosuchsite", "--db", "{good}"), "no site named 'nosuchsite'"),
        "export --site": (("export", "--site", "nosuchsite", "--db", "{good}"), "no site named 'nosuchsite'"),
        "stats --site": (("stats", "--site", "nosuchsite", "--db", "{good}"),
                         "no site named 'nosuchsite' in the database (known: demo, other)"),
        "export-warc --site": (("export-warc", "{tmp}/o.warc", "--site", "nosuchsite", "--db", "{good}"), "no site named 'nosuchsite'"),
    }
    for name, (args, fragment) in unknown_site.items():
        # an unknown --site is a usage error, exit 2 as for a bad date, in one shape on
        # every command; a SITE argument (crawl, schedule) names a profile to load: 1
        option = name.endswith("--site")
        rows.append(Case(f"{name}: unknown site", args, 2 if option else 1,
                         f"Invalid value for '--site': {fragment}" if option else fragment,
                         real=name == "search --site"))
    missing = {
        "parse": (("parse", "{tmp}/missing.html"), 1, "cannot read {tmp}/missing.html: No such file or directory"),
        "parse a folder": (("parse", "{tmp}"), 2, "is a directory"),
        "import-warc": (("import-warc", "{tmp}/missing.warc.gz", "--db", "{good}"), 2, "does not exist"),
        "import-warc not a WARC": (("import-warc", "{page}", "--db", "{good}"), 1, "not a WARC"),
        "crawl profile path": (("crawl", "{tmp}/missing.toml", "--db", "{good}"), 1, "no site profile file {tmp}/missing.toml"),
        "schedule profile path": (("schedule", "{tmp}/missing.toml", "--every", "1h", "--db", "{good}"), 1, "no site profile file"),
        "parse --site profile path": (("parse", "{page}", "--site", "{tmp}/missing.toml"), 2,
                                      "Invalid value for '--site': no site profile file"),
        "export-warc into a missing folder": (("export-warc", "{tmp}/no/such/dir/o.warc", "--db", "{good}"), 1, "{tmp}/no/such/dir"),
        "export -o into a missing folder": (("export", "-o", "{tmp}/no/such/dir/o.jsonl", "--db", "{good}"), 1, "{tmp}/no/such/dir"),
    }
    for name, (args, code, fragment) in missing.items():
        rows.append(Case(f"{name}: missing file", args, code, fragment, real=name == "parse"))
    hostile = {
        "search only punctuation": (("search", "--db", "{good}", "--", "-- * ^ ( )"), 1,
                                    "nothing to search for in '-- * ^ ( )'"),
        "search only an exclusion": (("search", "--db", "{good}", "--", "-аким"), 1, "nothing to search for"),
        "search too many words": (("search", " OR ".join(["аким"] * 101), "--db", "{good}"), 1,
                                  "the search query has too many words (101, at most 100)"),
        "show a huge id": (("show", "9" * 30, "--db", "{good}"), 1, "no stored article with id or URL '999999999999999999999999999999'"),
        "show a 4,000-digit id": (("show", "9" * 4000, "--db", "{good}"), 1, "no stored article with id or URL '9999"),
        "runs show a huge id": (("runs", "show", "9" * 30, "--db", "{good}"), 2, "Invalid value for ID"),
        "search a huge limit": (("search", "аким", "--limit", "9" * 30, "--db", "{good}"), 2, "Invalid value for '--limit'"),
        "quotes a speaker past the bound": (("quotes", "--speaker", "Т" * 201, "--db", "{good}"), 2,
                                            "the speaker name is too long (201 characters, at most 200)"),
        "search not UTF-8 (argv bytes)": (("search", "\udcff", "--db", "{good}"), 1, "is not valid text"),
    }
    for name, (args, code, fragment) in hostile.items():
        rows.append(Case(name, args, code, fragment, read_only=True))
    rows.extend(long_argument_cases())
    return rows


def long_argument_cases() -> list[Case]:
    """A 100,000-character value for every option and argument of every command that takes a value."""
    rows = []
    for path in all_commands():
        cmd = command(path)
        for param in cmd.params:
            if getattr(param, "is_flag", False) or param.name in ("help", "version"):
                continue
            # 100,000 digits for an integer (int() refuses past 4,300), else letters
            value = "9" * 100_000 if isinstance(param.type, click.types.IntParamType) else LONG
            long_name = param.name if isinstance(param, click.Argument) else None
            args = [*path, *fill_arguments(cmd, long_name, value)]
            if long_name is None:
                args += [param.opts[0], value]
            if any(p.name == "db_url" for p in cmd.params) and param.name != "db_url":
                args += ["--db", "{good}"]
            if path == ("db", "copy"):
                args += {"source": ["--to", "sqlite:///{tmp}/copy-target.sqlite"],
                         "target": ["--from", "{good}"]}[param.name]
            name = param.opts[0] if isinstance(param, click.Option) else param.name.upper()
            rows.append(Case(f"{' '.join(path)} {name}: 100,000 characters", tuple(args), 2, "Invalid value for",
                             read_only=path[0] in READ_COMMANDS or path in (("runs",), ("db", "copy")),
                             real=path == ("quotes",) and param.name == "speaker"))
    return rows


def fill_arguments(cmd: click.Command, long_name: str | None, long_value: str | None) -> list[str]:
    """Values for the command's required positional arguments; `long_name` gets `long_value`."""
    fine = {"query": "аким", "ref": "1", "site": "demo", "sites": "demo", "path": "{page}",
            "files": "{tmp}/empty.warc.gz", "out": "{tmp}/o.warc", "action": "show", "run_id": "1"}
    out = []
    for param in cmd.params:
        if not isinstance(param, click.Argument):
            continue
        if param.name == long_name:
            if param.name == "run_id":
                out.append("show")
            out.append(long_value)
        elif param.required:
            out.append(fine[param.name])
    return out


# -- fixtures ----------------------------------------------------------------------


def pg_databases() -> set[str]:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return set(connection.scalars(text("SELECT datname FROM pg_database")))
    finally:
        admin.dispose()


def pg_admin(statement: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        admin.dispose()


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """A SQLite database with articles, an empty PostgreSQL database, a page, an empty file."""
    folder = tmp_path_factory.mktemp("bad-input")
    good = f"sqlite:///{folder / 'good.sqlite'}"
    with open_database(good) as database, database.session() as session:
        add_corpus(session)
    empty_pg = f"newsdb_test_empty_{uuid.uuid4().hex}"
    pg_admin(f'CREATE DATABASE "{empty_pg}"')
    page = folder / "page.html"
    page.write_text("<html><body><p>Не WARC.</p></body></html>", encoding="utf-8")
    (folder / "empty.warc.gz").write_bytes(b"")
    try:
        yield {"good": good, "page": str(page), "empty_pg": empty_pg, "folder": folder}
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{empty_pg}" WITH (FORCE)')


def fill(case: Case, places, tmp_path: Path) -> tuple[list[str], str, str]:
    missing = f"newsdb_test_missing_{uuid.uuid4().hex[:12]}"
    db = {
        "mistyped SQLite path": f"sqlite:///{tmp_path}/typo/newsdb.sqlite",
        "missing PostgreSQL database": f"postgresql+psycopg://root:{PASSWORD}@127.0.0.1:5432/{missing}",
        "PostgreSQL database without newsdb": f"{PG_SERVER}/{places['empty_pg']}",
        "empty SQLite file": f"sqlite:///{tmp_path}/empty.sqlite",
    }.get(case.id.split(": ", 1)[-1])
    if case.id.endswith("empty SQLite file"):
        (tmp_path / "empty.sqlite").write_bytes(b"")

    def sub(value: str) -> str:
        for key, new in (("{db}", db or ""), ("{good}", places["good"]), ("{page}", places["page"]),
                         ("{tmp}", str(tmp_path)), ("{missing}", missing)):
            value = value.replace(key, new)
        return value

    (tmp_path / "empty.warc.gz").write_bytes(b"")
    args = [sub(a) for a in case.args]
    if db is not None and db not in args:
        args = [db if a == "{db}" else a for a in args]
    return args, sub(case.fragment), missing


def error_line(stderr: str, code: int) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr[-3000:]
    if code == 2:
        assert len(lines) == 3 and lines[0].startswith("Usage: ") and lines[1].startswith("Try "), lines[:4]
        lines = lines[2:]
    assert len(lines) == 1, lines[:5]
    assert lines[0].startswith("Error: ") and len(lines[0]) < 1200, lines[0][:300]
    return lines[0]


CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line(case, places, tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSDB_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # a default database would appear here
    args, fragment, missing = fill(case, places, tmp_path)
    before = pg_databases() if case.read_only else None
    files_before = set(tmp_path.rglob("*"))
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == case.exit, (result.exit_code, result.stderr[-2000:], result.stdout[-500:])
    line = error_line(result.stderr, case.exit)
    assert fragment in line, line
    assert PASSWORD not in result.stdout + result.stderr
    if case.read_only:
        assert set(tmp_path.rglob("*")) == files_before, "a read command created a file"
        assert pg_databases() == before and missing not in before
        if case.id.endswith("PostgreSQL database without newsdb"):
            with open_engine(f"{PG_SERVER}/{places['empty_pg']}") as connection:
                assert not connection.scalars(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
    if case.real:
        real = subprocess.run([console_script(), *args], capture_output=True, text=True, timeout=120,
                              cwd=tmp_path, env={k: v for k, v in os.environ.items() if k != "NEWSDB_DATABASE_URL"},
                              errors="surrogateescape")
        assert real.returncode == case.exit, real.stderr
        assert error_line(real.stderr, case.exit) == line
        assert PASSWORD not in real.stdout + real.stderr


class open_engine:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def __enter__(self):
        self.connection = self.engine.connect()
        return self.connection

    def __exit__(self, *exc) -> None:
        self.connection.close()
        self.engine.dispose()


def console_script() -> str:
    """The `newsdb` script pip made from pyproject's newsdb.cli:main."""
    script = Path(sys.executable).parent / "newsdb"
    assert script.exists(), script
    return str(script)


def test_every_command_that_takes_a_value_is_in_the_table():
    """A new option gets its 100,000-character row by itself; a new command must be listed."""
    covered = {c.id.split(": ")[0].rsplit(" ", 1)[0] for c in CASES if c.id.endswith("100,000 characters")}
    assert covered >= {" ".join(path) for path in all_commands()}
    with_db = {" ".join(p) for p in all_commands() if any(x.name == "db_url" for x in command(p).params)}
    listed = {name.removesuffix(" --from").removesuffix(" --to").removesuffix(" show")
              for name in {**READ_COMMANDS, **WRITE_COMMANDS}}
    assert with_db | {"db copy"} <= listed | {"db copy"}


# -- the Python API ------------------------------------------------------------------


@pytest.fixture
def api_db(db):
    with db.session() as session:
        add_corpus(session)
    with open_db(str(db.url.render_as_string(hide_password=False))) as newsdb:
        yield newsdb


NOT_TEXT = {"NUL": ("\x00", "holds a NUL character"), "lone surrogate": ("\ud800", "is not valid text")}
API_CALLS = {
    "search query": lambda db, bad: db.search("аким" + bad),
    "search site": lambda db, bad: db.search("аким", site="demo" + bad),
    "search tag": lambda db, bad: db.search("аким", tag="Политика" + bad),
    "quotes speaker": lambda db, bad: db.quotes("Абдиров" + bad),
    "quotes contains": lambda db, bad: db.quotes(contains="честно" + bad),
    "quotes site": lambda db, bad: db.quotes(site="demo" + bad),
    "article URL": lambda db, bad: db.article("https://demo.example/news/1/" + bad),
    "related URL": lambda db, bad: db.related("https://demo.example/news/1/" + bad),
    "export site": lambda db, bad: list(db.export(site="demo" + bad)),
}


@pytest.mark.parametrize("kind", NOT_TEXT)
@pytest.mark.parametrize("call", API_CALLS)
def test_api_refuses_what_is_not_text_in_one_line(api_db, call, kind):
    bad, fragment = NOT_TEXT[kind]
    with pytest.raises(QueryError) as raised:
        API_CALLS[call](api_db, bad)
    message = str(raised.value)
    assert fragment in message and "\n" not in message, message


def test_api_bounds_long_input(api_db):
    with pytest.raises(QueryError, match=r"^the speaker name is too long \(100000 characters, at most 200\)$"):
        api_db.quotes(LONG)
    with pytest.raises(QueryError, match=r"^the quote text is too long \(100000 characters, at most 1000\)$"):
        api_db.quotes(contains=LONG)
    with pytest.raises(QueryError, match=r"^the search query is too long \(\d+ characters, at most 1000\)$"):
        api_db.search(" OR ".join(["аким"] * 20_000))  # PostgreSQL: stack depth limit exceeded
    with pytest.raises(QueryError, match=r"^the search query is too long"):
        api_db.search(" ".join(["аким"] * 20_000))
    with pytest.raises(QueryError, match=r"too many words \(150, at most 100\)"):
        api_db.search(" ".join(["аким"] * 150))
    assert api_db.article("https://" + LONG) is None and api_db.related(9**40) is None
    assert api_db.search(" OR ".join(["аким"] * 100))  # the bound itself still finds


HOSTILE = [
    '"выборы', 'выборы"', '"', "''", "'; DROP TABLE articles; --", "-- выборы", "выборы --", "*", "выб*",
    "NEAR(выборы акимов)", "NEAR", "title:выборы", "title_stems:выборы", "{title_stems}: выборы", "^выборы",
    "(выборы", "выборы)", "()", "выборы\\", "\\", "выборы AND NOT OR", "OR выборы", "выборы OR", "выборы & !акимов",
    "выборы | акимов", "выборы <-> акимов", "выборы:*", "%", "_", "выборы % _", "\t\n выборы \r",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_search_strings_give_results_or_one_line(api_db, query):
    try:
        hits = api_db.search(query)
    except QueryError as error:
        assert "\n" not in str(error) and str(error).startswith("nothing to search for"), error
        return
    assert isinstance(hits, list)
    # Operators of FTS5 or tsquery are punctuation here, and NEAR, AND, title… plain words (all required).
    if set(re.findall(r"[^\W\d_]+", query.lower())) == {"выборы"}:
        assert hits, query


@pytest.mark.parametrize("speaker", ["'", "%", "_", "\\", "%_\\", "Абдиров' OR '1'='1", "-- Абдиров", "*", "Т" * 200])
def test_hostile_speaker_strings_give_results(api_db, speaker):
    rows = api_db.quotes(speaker)
    assert isinstance(rows, list)
    if speaker.strip("- ") == "Абдиров":
        assert rows and all("Абдиров" in (r.speaker_canonical or "") for r in rows)
    else:
        assert not rows  # a LIKE wildcard is a character, not "anything"; OR '1'='1 is three more words


def test_api_never_creates_a_database(tmp_path):
    before = pg_databases()
    missing = f"newsdb_test_missing_{uuid.uuid4().hex[:12]}"
    for url in (f"sqlite:///{tmp_path}/typo/x.sqlite", f"{PG_SERVER}/{missing}", PG_SERVER):
        with pytest.raises(Exception) as raised:
            open_db(url)
        assert type(raised.value).__name__ == "DatabaseError" and "\n" not in str(raised.value)
    assert not (tmp_path / "typo").exists() and pg_databases() == before


# -- passwords -----------------------------------------------------------------------


@pytest.fixture
def pg_with_password():
    name = f"newsdb_test_pw_{uuid.uuid4().hex[:12]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:5432/{name}"  # trust auth: accepted, ignored
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_password_is_in_no_output_and_no_stored_row(pg_with_password, tmp_path):
    from newsdb.demo_site import serve_demo

    server, base_url = serve_demo(0)
    env = {k: v for k, v in os.environ.items() if k != "NEWSDB_DATABASE_URL"}
    outputs = []
    try:
        for args in (["crawl", "demo", "--base-url", base_url, "-v", "--limit", "3"],
                     ["stats"], ["runs"], ["runs", "show", "1"], ["search", "аким"], ["export"],
                     ["quotes"], ["show", "1"], ["reparse", "--dry-run"], ["db", "upgrade"],
                     ["db", "copy", "--from", pg_with_password, "--to", f"sqlite:///{tmp_path}/copy.sqlite"]):
            db_args = [] if args[0] == "db" and args[1] == "copy" else ["--db", pg_with_password]
            done = subprocess.run([console_script(), *args, *db_args], capture_output=True, text=True,
                                  timeout=300, cwd=tmp_path, env=env)
            assert done.returncode == 0, (args, done.stderr[-2000:])
            outputs.append(done.stdout + done.stderr)
    finally:
        server.shutdown()
    assert "postgres:***@" in "".join(outputs)  # the URL was shown, masked
    assert not [out[:200] for out in outputs if PASSWORD in out]
    with open_database(pg_with_password, create=False) as database, database.engine.connect() as connection:
        assert connection.scalar(select(m.CrawlRun.id)) is not None
        for table in m.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                assert PASSWORD not in repr(tuple(row)), (table.name, repr(tuple(row))[:300])
