"""Sources in their base form, and JSON columns in readable UTF-8.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

1. `articles.source_base`, indexed: the nominative base form of `articles.source`
   (`Акорду` -> `Акорда`, `пресс-службу Акорды` -> `пресс-служба Акорды`), what
   people group articles by (`newsdb stats --by source`). New articles get it from
   core.sources.source_base in the pipeline.

   Existing rows are filled here, from `source`, by a frozen copy of the rules of
   core/sources.py as they stood at this revision (below), not by importing it: a
   migration must give the same rows whenever it runs, and live code changes. The
   copy differs in one point: a surname's case ending is cut by a plain rule
   (Токаеву -> Токаев) instead of core.names.to_nominative. Filling here rather than
   leaving NULL until a re-parse: an upgraded database can be grouped by source at
   once, and a re-parse needs the archive and takes hours on a large one. Later rules
   reach old rows through `newsdb reparse`, which rewrites source_base even for an
   article whose content did not change (storage.api.upsert_article).

2. JSON columns (articles.authors, articles.layers, crawl_runs.stats, pages.headers,
   article_versions.fields) were written with ASCII escapes (`["\\u0410…`); the
   engine now writes readable UTF-8 (storage.db.readable_json), and the rows written
   before are rewritten alike, so Datasette and SQL show `["Айгерим Сапарова"]`.
   Only rows whose text holds an escape are rewritten, in batches by id.

Downgrade drops the column and its index and writes the JSON columns back with
ASCII escapes. Offline (`--sql`) mode renders the schema changes only: it has no
rows to fill or rewrite.

Each migration must work with the code of the previous release too: a crawl
may still be running the old code while `newsdb db upgrade` runs (that code does
not write source_base; the next re-parse fills its articles' base forms).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache

import pymorphy3
import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_articles_source_base"
JSON_COLUMNS = (
    ("articles", "authors"), ("articles", "layers"), ("crawl_runs", "stats"),
    ("pages", "headers"), ("article_versions", "fields"),
)
BATCH = 1000


def upgrade() -> None:
    """Add articles.source_base (filled from source) and rewrite JSON columns readable."""
    op.add_column("articles", sa.Column("source_base", sa.Text(), nullable=True))
    op.create_index(INDEX, "articles", ["source_base"])
    if op.get_context().as_sql:
        return
    connection = op.get_bind()
    _fill_source_base(connection)
    for table, column in JSON_COLUMNS:
        _rewrite_json(connection, table, column, ensure_ascii=False)


def downgrade() -> None:
    """Undo: drop articles.source_base; JSON columns back to ASCII escapes."""
    if not op.get_context().as_sql:
        connection = op.get_bind()
        for table, column in JSON_COLUMNS:
            _rewrite_json(connection, table, column, ensure_ascii=True)
    op.drop_index(INDEX, table_name="articles")
    if op.get_context().dialect.name == "sqlite":
        # SQLite (3.35+) drops a column in place; batch mode would rebuild the table
        # and lose the triggers of the search index (migration 0002) that name it.
        op.execute("ALTER TABLE articles DROP COLUMN source_base")
    else:
        op.drop_column("articles", "source_base")


def _batches(connection: sa.Connection, query: str):  # type: ignore[no-untyped-def]
    """The rows of `query` (which takes :after and :batch, ordered by id), a batch at a time."""
    after = 0
    while True:
        rows = connection.execute(sa.text(query), {"after": after, "batch": BATCH}).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _fill_source_base(connection: sa.Connection) -> None:
    query = ("SELECT id, source FROM articles WHERE id > :after AND source IS NOT NULL "
             "ORDER BY id LIMIT :batch")
    update = sa.text("UPDATE articles SET source_base = :base WHERE id = :id")
    bases: dict[str, str | None] = {}  # few distinct sources: each is worked out once
    for rows in _batches(connection, query):
        values = []
        for row_id, source in rows:
            if source not in bases:
                bases[source] = source_base(source)
            values.append({"id": row_id, "base": bases[source]})
        connection.execute(update, values)


def _rewrite_json(connection: sa.Connection, table: str, column: str, *, ensure_ascii: bool) -> None:
    query = (f"SELECT id, CAST({column} AS TEXT) FROM {table} WHERE id > :after "
             "ORDER BY id LIMIT :batch")
    update = sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id")
    if connection.dialect.name == "postgresql":
        update = sa.text(f"UPDATE {table} SET {column} = CAST(:value AS JSON) WHERE id = :id")
    for rows in _batches(connection, query):
        changed = []
        for row_id, stored in rows:
            if stored is None or (not ensure_ascii and "\\u" not in stored):
                continue
            rewritten = json.dumps(json.loads(stored), ensure_ascii=ensure_ascii)
            if rewritten != stored:
                changed.append({"id": row_id, "value": rewritten})
        if changed:
            connection.execute(update, changed)


# -- the rules of core/sources.py at this revision, frozen ---------------------------


@lru_cache(maxsize=1)
def _morph():  # type: ignore[no-untyped-def]
    return pymorphy3.MorphAnalyzer(lang="ru")


# Leading words that introduce a source, and the case its head then takes.
_LEADS = (
    (r"со\s+ссылкой\s+на|ссылаясь\s+на|на", "accs"),
    (r"по\s+(?:данным|информации|сообщению|сообщениям|словам|оценке|оценкам)|со\s+слов|из|от|у", "gent"),
    (r"согласно|по|к|ко", "datv"),
    (r"в|во|о|об|при", "loct"),
)
_LEAD = [(re.compile(rf"^(?:{words})\s+(?=\S)", re.I), case) for words, case in _LEADS]

_RUSSIAN_WORD = re.compile(r"^[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*$")
_EDGE_PUNCTUATION = " \t,.;:!?"
_CASES = ("nomn", "accs", "datv", "loct", "gent", "ablt")
_OTHER_CASE = 0.5  # a case the context does not expect still counts, half
_MAX_ADJECTIVES = 3

# Nouns of Kazakhstan's news that pymorphy3 does not know, or takes for a person's
# name ("акиму" for a dative of the name Аким, "акимата" for a name in nominative),
# with the singular endings of their declension: hard masculine or feminine in -а.
_MASCULINE_ENDINGS = ("", "а", "у", "ом", "е")
_FEMININE_ENDINGS = ("а", "ы", "е", "у", "ой", "ою")
_LEXICON = (
    ("аким", _MASCULINE_ENDINGS), ("акимат", _MASCULINE_ENDINGS), ("маслихат", _MASCULINE_ENDINGS),
    ("байтерек", _MASCULINE_ENDINGS), ("казгидромет", _MASCULINE_ENDINGS),
    ("казатомпром", _MASCULINE_ENDINGS), ("казахтелеком", _MASCULINE_ENDINGS),
    ("казмунайгаз", _MASCULINE_ENDINGS), ("акорд", _FEMININE_ENDINGS), ("самрук-казын", _FEMININE_ENDINGS),
    ("казпочт", _FEMININE_ENDINGS),
)
# A capitalized word ending like a surname, with its case ending if any.
_SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын)(а|у|ым|е|ой|ою)?$")
_LEXICON_FORMS = {
    stem + ending: stem + ("а" if endings is _FEMININE_ENDINGS else "")
    for stem, endings in _LEXICON
    for ending in endings
}


def source_base(written: str | None) -> str | None:
    """The nominative base form of a source as written (see the module docstring);
    None for None or blank text."""
    if written is None:
        return None
    text = " ".join(written.split()).strip(_EDGE_PUNCTUATION)
    if not text:
        return None
    expected = "accs"
    for lead, case in _LEAD:
        stripped = lead.sub("", text, count=1)
        if stripped != text:
            text, expected = stripped, case
            break
    words = text.split(" ")
    head = _head(tuple(words[: _MAX_ADJECTIVES + 1]), expected)
    if head is None:
        return text
    return " ".join([*head, *words[len(head):]])


def _inflectable(word: str) -> bool:
    """A Russian word pymorphy may inflect: not an abbreviation in capitals (МВД, РИА)."""
    if not _RUSSIAN_WORD.match(word):
        return False
    return not any(len(part) > 1 and part.isupper() for part in word.split("-"))


def _weight(parse, expected: str) -> float:  # type: ignore[no-untyped-def]
    case = parse.tag.case
    if case not in _CASES:
        return 0.0
    return parse.score * (1.0 if case in ("nomn", expected) else _OTHER_CASE)


@lru_cache(maxsize=20000)
def _parses(word: str) -> tuple:
    return tuple(_morph().parse(word))


def _nouns(word: str, expected: str) -> list:
    """The noun parses of `word`, best first: by the summed weight of their lemma
    (normal form and gender), then by their own weight; singular over plural."""
    nouns = [p for p in _parses(word) if p.tag.POS == "NOUN" and _weight(p, expected) > 0]
    if any(p.tag.number == "sing" for p in nouns):
        nouns = [p for p in nouns if p.tag.number != "plur"]
    votes: dict[tuple, float] = {}
    for p in nouns:
        key = (p.normal_form, p.tag.gender)
        votes[key] = votes.get(key, 0.0) + _weight(p, expected)
    return sorted(nouns, key=lambda p: (-votes[(p.normal_form, p.tag.gender)], -_weight(p, expected)))


def _head(words: tuple[str, ...], expected: str) -> list[str] | None:
    """The first words of a source in the nominative: [noun] or [adjectives…, noun];
    None when the source does not begin with a Russian noun phrase to inflect."""
    if not words or not _inflectable(words[0]):
        return None
    phrase = _adjective_phrase(words, expected)
    if phrase is not None:
        return phrase
    listed = _LEXICON_FORMS.get(words[0].lower())
    if listed is not None:
        return [_spelled_like(listed, words[0])]
    surname = _SURNAME.search(words[0].lower()) if words[0][:1].isupper() else None
    if surname and surname.group(1) == "а":
        return [words[0]]  # Ахметова, Токаева: a woman in nominative or a man's accusative; as written
    if surname:
        ending = surname.group(1)
        if ending is None:
            return [words[0]]  # Токаев, Минфин: a nominative pymorphy may read as a plural genitive
        # Токаеву, Токаевым, Токаеве -> Токаев; Ахметовой -> Ахметова
        return [words[0][: -len(ending)] + ("а" if ending in ("ой", "ою") else "")]
    nouns = _nouns(words[0], expected)
    if not nouns:
        return None
    return [_nominative(words[0], nouns[0], {"nomn"})]


def _adjective_phrase(words: tuple[str, ...], expected: str) -> list[str] | None:
    """Adjectives and the noun after them, agreeing in case, number and gender."""
    for count in range(1, min(_MAX_ADJECTIVES, len(words) - 1) + 1):
        adjectives, noun = words[:count], words[count]
        if not all(_inflectable(w) for w in (*adjectives, noun)):
            return None
        for parse in _nouns(noun, expected):
            agreeing = [_agreeing(word, parse) for word in adjectives]
            if all(agreeing):
                gender = {parse.tag.gender} if parse.tag.number == "sing" and parse.tag.gender else set()
                number = {parse.tag.number} if parse.tag.number else set()
                return [
                    *(_nominative(w, a, {"nomn"} | number | gender) for w, a in zip(adjectives, agreeing, strict=True)),
                    _nominative(noun, parse, {"nomn"}),
                ]
        if not any(p.tag.POS in ("ADJF", "PRTF") for p in _parses(noun.lower())):
            return None  # the run of adjectives ended without a noun after it
    return None


def _agreeing(word: str, noun):  # type: ignore[no-untyped-def]
    """The parse of `word` as an adjective agreeing with the noun's parse, or None."""
    for p in _parses(word.lower()):
        if p.tag.POS not in ("ADJF", "PRTF"):
            continue
        if p.tag.case != noun.tag.case or p.tag.number != noun.tag.number:
            continue
        if noun.tag.number == "sing" and p.tag.gender and noun.tag.gender and str(p.tag.gender) != str(noun.tag.gender):
            continue
        return p
    return None


def _nominative(written: str, parse, grammemes: set[str]) -> str:  # type: ignore[no-untyped-def]
    """`written` in the nominative as `parse` inflects, spelled as it was written:
    its capitals, and е where it wrote е (pymorphy writes ё)."""
    if parse.tag.case == "nomn" or "Fixd" in parse.tag:
        return written
    inflected = parse.inflect(grammemes)
    if inflected is None:
        return written
    word = inflected.word
    if "ё" not in written.lower():
        word = word.replace("ё", "е")
    return _spelled_like(word, written)


def _spelled_like(word: str, written: str) -> str:
    """`word` with the capitals of `written`, letter by letter: the base form shares
    the written stem, so КазМунайГазу gives КазМунайГаз, Самрук-Казыну Самрук-Казына."""
    return "".join(c.upper() if i < len(written) and written[i].isupper() else c for i, c in enumerate(word))
