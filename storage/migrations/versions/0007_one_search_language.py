"""One search language on both backends: PostgreSQL's vectors by SQLite's rule.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Until now PostgreSQL built `article_search` with to_tsvector('russian', ...): its
parser kept `Caravan.kz` as one host token (so `caravan` found nothing), sent
Latin words to the English stemmer (`Mobile` -> `mobil`, while queries asked
for `mobile`) and dropped stop words, while SQLite indexed what storage.search
computes. Now both follow one rule (storage.search, "text folding"): words are
runs of letters and digits, mixed-script words take their majority script,
lower case by an explicit table, ё -> е, the Snowball russian stem. Here that
rule is SQL: `newsdb_fold_word`, `newsdb_search_vector` (plpgsql, so its plan
is kept; a tsvector literal built from the words' positions: no text search
parser) and the snowball dictionary `newsdb_russian` without stop words. It
costs about 1.5 ms an article where to_tsvector cost 0.2 ms: a crawl does not
notice, a `db copy` of a million articles takes some 25 minutes longer. The trigger of 0002 now calls
them; `title_vector` keeps its positions (a phrase in the title ranks it) and
may be compressed (STORAGE MAIN). Every stored article is indexed again.

SQLite: `articles_fts` is made again with `remove_diacritics 0` (FTS5 folded
`café` to `cafe`, PostgreSQL does not) and filled from the articles by the
current storage.search.

The SQL below is a frozen copy of storage.search.pg_search_functions();
tests/test_search_parity.py fails when the two differ.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DICTIONARY = 'CREATE TEXT SEARCH DICTIONARY newsdb_russian (TEMPLATE = snowball, Language = russian)'

FOLD_WORD = """CREATE FUNCTION newsdb_fold_word(word text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT translate(
    CASE WHEN word ~ '[A-Za-z]' AND word ~ '[А-Яа-яЁё]' THEN
        CASE WHEN length(regexp_replace(word, '[^А-Яа-яЁё]', '', 'g'))
                  >= length(regexp_replace(word, '[^A-Za-z]', '', 'g'))
             THEN translate(word, 'AaBCcEeHKMOoPpTXxyiI', 'АаВСсЕеНКМОоРрТХхуіІ')
             ELSE translate(word, 'АаВСсЕеНКМОоРрТХхуіІ', 'AaBCcEeHKMOoPpTXxyiI') END
    ELSE word END,
    'ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽſЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯёѠѢѤѦѨѪѬѮѰѲѴѶѸѺѼѾҀҊҌҎҐҒҔҖҘҚҜҞҠҢҤҦҨҪҬҮҰҲҴҶҸҺҼҾӀӁӃӅӇӉӋӍӐӒӔӖӘӚӜӞӠӢӤӦӨӪӬӮӰӲӴӶӸӺӼӾԀԂԄԆԈԊԌԎԐԒԔԖԘԚԜԞԠԢԤԦԨԪԬԮ',
    'abcdefghijklmnopqrstuvwxyzàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįiĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷÿźżžsѐеђѓєѕіїјљњћќѝўџабвгдежзийклмнопрстуфхцчшщъыьэюяеѡѣѥѧѩѫѭѯѱѳѵѷѹѻѽѿҁҋҍҏґғҕҗҙқҝҟҡңҥҧҩҫҭүұҳҵҷҹһҽҿӏӂӄӆӈӊӌӎӑӓӕӗәӛӝӟӡӣӥӧөӫӭӯӱӳӵӷӹӻӽӿԁԃԅԇԉԋԍԏԑԓԕԗԙԛԝԟԡԣԥԧԩԫԭԯ')
$$"""

SEARCH_VECTOR = """CREATE FUNCTION newsdb_search_vector(title text, lead text, body text) RETURNS tsvector
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
RETURN (
WITH fields (field, weight, content) AS (
    VALUES (1, 'A', title), (2, 'B', lead), (3, 'C', body)
), found AS (
    SELECT f.field, f.weight, w.ord, w.match[1] AS word
    FROM fields AS f
    CROSS JOIN LATERAL regexp_matches(
        translate(normalize(coalesce(f.content, ''), NFC), chr(173) || chr(8203) || chr(8204) || chr(8205) || chr(8288) || chr(65279) || chr(768) || chr(769), ''),
        '[0-9A-Za-zÀ-ÖØ-öø-ÿĀ-ſЀ-ҁҊ-ԯ]+', 'g') WITH ORDINALITY AS w (match, ord)
), numbered AS (
    SELECT weight,
           CASE WHEN word ~ '[A-Za-z]' AND word ~ '[А-Яа-яЁё]' THEN newsdb_fold_word(word)
                WHEN word ~ '[ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽſЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯёѠѢѤѦѨѪѬѮѰѲѴѶѸѺѼѾҀҊҌҎҐҒҔҖҘҚҜҞҠҢҤҦҨҪҬҮҰҲҴҶҸҺҼҾӀӁӃӅӇӉӋӍӐӒӔӖӘӚӜӞӠӢӤӦӨӪӬӮӰӲӴӶӸӺӼӾԀԂԄԆԈԊԌԎԐԒԔԖԘԚԜԞԠԢԤԦԨԪԬԮ]' THEN translate(word, 'ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽſЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯёѠѢѤѦѨѪѬѮѰѲѴѶѸѺѼѾҀҊҌҎҐҒҔҖҘҚҜҞҠҢҤҦҨҪҬҮҰҲҴҶҸҺҼҾӀӁӃӅӇӉӋӍӐӒӔӖӘӚӜӞӠӢӤӦӨӪӬӮӰӲӴӶӸӺӼӾԀԂԄԆԈԊԌԎԐԒԔԖԘԚԜԞԠԢԤԦԨԪԬԮ', 'abcdefghijklmnopqrstuvwxyzàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįiĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷÿźżžsѐеђѓєѕіїјљњћќѝўџабвгдежзийклмнопрстуфхцчшщъыьэюяеѡѣѥѧѩѫѭѯѱѳѵѷѹѻѽѿҁҋҍҏґғҕҗҙқҝҟҡңҥҧҩҫҭүұҳҵҷҹһҽҿӏӂӄӆӈӊӌӎӑӓӕӗәӛӝӟӡӣӥӧөӫӭӯӱӳӵӷӹӻӽӿԁԃԅԇԉԋԍԏԑԓԕԗԙԛԝԟԡԣԥԧԩԫԭԯ')
                ELSE word END AS folded,
           least(row_number() OVER (ORDER BY field, ord) + CASE WHEN field > 1 THEN 1 ELSE 0 END, 16383) AS pos
    FROM found
    WHERE length(word) <= 100
), stems AS (
    SELECT folded, (ts_lexize('newsdb_russian', folded))[1] AS stem
    FROM (SELECT DISTINCT folded FROM numbered) AS distinct_words
)
SELECT coalesce((
    SELECT string_agg('''' || stem || ''':' || positions, ' ')
    FROM (SELECT s.stem, string_agg(n.pos || n.weight, ',' ORDER BY n.pos) AS positions
          FROM numbered AS n JOIN stems AS s USING (folded)
          GROUP BY s.stem) AS per_stem
)::tsvector, ''::tsvector)
);
END
$$"""

FUNCTIONS = [DICTIONARY, FOLD_WORD, SEARCH_VECTOR]

SYNC_FUNCTION = """
CREATE OR REPLACE FUNCTION article_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search (article_id, published_at, title_vector, search_vector)
    VALUES (NEW.id, NEW.published_at, newsdb_search_vector(NEW.title, NULL, NULL),
            newsdb_search_vector(NEW.title, NEW.lead, NEW.body))
    ON CONFLICT (article_id) DO UPDATE SET
        published_at = EXCLUDED.published_at,
        title_vector = EXCLUDED.title_vector,
        search_vector = EXCLUDED.search_vector;
    RETURN NULL;
END
$$
"""
REINDEX = (
    "INSERT INTO article_search (article_id, published_at, title_vector, search_vector) "
    "SELECT a.id, a.published_at, newsdb_search_vector(a.title, NULL, NULL), "
    "newsdb_search_vector(a.title, a.lead, a.body) FROM articles AS a "
    "ON CONFLICT (article_id) DO UPDATE SET published_at = EXCLUDED.published_at, "
    "title_vector = EXCLUDED.title_vector, search_vector = EXCLUDED.search_vector"
)

# 0002's vectors, for the way back.
def _old_vector(column: str, weight: str) -> str:
    return f"setweight(to_tsvector('russian', translate(coalesce({column}, ''), 'Ёё', 'Ее')), '{weight}')"


OLD_TITLE_VECTOR = f"strip({_old_vector('a.title', 'A')})"
OLD_SEARCH_VECTOR = f"{_old_vector('a.title', 'A')} || {_old_vector('a.lead', 'B')} || {_old_vector('a.body', 'C')}"
OLD_SYNC_FUNCTION = f"""
CREATE OR REPLACE FUNCTION article_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search (article_id, published_at, title_vector, search_vector)
    SELECT a.id, a.published_at, {OLD_TITLE_VECTOR}, {OLD_SEARCH_VECTOR}
    FROM (SELECT NEW.id, NEW.published_at, NEW.title, NEW.lead, NEW.body) AS a (id, published_at, title, lead, body)
    ON CONFLICT (article_id) DO UPDATE SET
        published_at = EXCLUDED.published_at,
        title_vector = EXCLUDED.title_vector,
        search_vector = EXCLUDED.search_vector;
    RETURN NULL;
END
$$
"""


def _sqlite_fts(remove_diacritics: int) -> None:
    op.execute("DROP TABLE IF EXISTS articles_fts")
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        f"title_stems, text_stems, word_forms, tokenize = 'unicode61 remove_diacritics {remove_diacritics}')"
    )
    if not op.get_context().as_sql:  # offline mode renders SQL; there are no rows to index
        from storage.search import rebuild_search_index  # late: app code, only needed here

        rebuild_search_index(op.get_bind())


def upgrade() -> None:
    """Build the search index by the one rule on both backends."""
    if op.get_context().dialect.name == "postgresql":
        for statement in FUNCTIONS:
            op.execute(statement)
        op.execute(SYNC_FUNCTION)
        op.execute("ALTER TABLE article_search ALTER COLUMN title_vector SET STORAGE MAIN")
        op.execute(REINDEX)
        return
    _sqlite_fts(0)  # the AFTER DELETE trigger of 0002 names the table, not its definition


def downgrade() -> None:
    """Back to 0002's index: to_tsvector('russian') on PostgreSQL, FTS5 folding diacritics."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(OLD_SYNC_FUNCTION)
        op.execute(
            f"UPDATE article_search AS s SET title_vector = {OLD_TITLE_VECTOR}, search_vector = {OLD_SEARCH_VECTOR} "
            "FROM articles AS a WHERE a.id = s.article_id"
        )
        op.execute("ALTER TABLE article_search ALTER COLUMN title_vector SET STORAGE PLAIN")
        op.execute("DROP FUNCTION IF EXISTS newsdb_search_vector(text, text, text)")
        op.execute("DROP FUNCTION IF EXISTS newsdb_fold_word(text)")
        op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS newsdb_russian")
        return
    _sqlite_fts(2)
