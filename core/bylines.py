"""Bylines to author names, and the entity decoding titles and bylines share.

Not core/names.py: that module finds people inside article text with pymorphy and
puts them in nominative; a byline is a short label the CMS prints ("Автор: А.
Иванов, корреспондент", "Anna Müller und Jan Berg, dpa"), and cleaning it is
string work that must cost nothing on every page.

Rules of `split_byline` (tests/test_titles_authors.py holds a case for each):
- entities are decoded, also twice-escaped ones (`&amp;quot;`);
- e-mail addresses, @handles and URLs are dropped, as is anything in brackets
  ("(А.И.)", "(Kazinform)", "[фото]") once an agency in it has been noted;
- labels go: "Автор:", "Авторы:", "Текст:", "Фото:", "Фото и текст:", "By", "Von", "Par";
- a list splits on , ; / | & and the word "and" of Russian, Kazakh, Ukrainian and
  the major European languages ("и", "және", "мен", "and", "und", "et", "y", "e", "i", …);
- role words ("корреспондент", "собкор", "редактор", "correspondent", …) go;
- news agencies and outlets ("РИА Новости", "dpa", "AFP", "Kazinform", a domain
  like "Tengrinews.kz", "МИА «Казинформ»", "Источник: Kazinform") are not people: they
  are returned apart, in `agencies`, and `clean_authors` (what the extraction stores)
  leaves them out;
- photo, video and graphics credits ("Фото: …", "…, фото автора", "Автор фото: …"),
  contact labels ("Telegram: @…"), organizations ("пресс-служба акимата") and CMS
  logins ("admin", "editor_vko") name no author;
- two names glued where the markup had no space ("Дина КаримоваСергей Попов") are two.
"""

from __future__ import annotations

import html
import re
from typing import Iterable, NamedTuple

from core.normalize import normalize_text


def decode_entities(text: str | None) -> str:
    """HTML entities decoded until none is left (at most three rounds: `&amp;amp;quot;`).

    The parser decodes one round in markup; CMSs escape once more before writing
    og:title or a JSON-LD headline, and JSON-LD text is never decoded at all.
    """
    if not text:
        return ""
    for _ in range(3):
        if "&" not in text:
            break
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


class Byline(NamedTuple):
    people: list[str]
    agencies: list[str]


# Agencies and outlets credited in bylines, folded (lower case, ё as е).
AGENCIES = frozenset({
    "kazinform", "казинформ", "миа казинформ", "mia kazinform", "kaztag", "казтаг", "interfax", "интерфакс",
    "интерфакс-казахстан", "interfax-kazakhstan", "риа новости", "ria novosti", "тасс", "tass",
    "итар-тасс", "рбк", "ап", "ap", "associated press", "afp", "франс пресс", "франс-пресс", "agence france-presse",
    "reuters", "рейтер", "рейтерс", "dpa", "epa", "ansa", "efe", "xinhua", "синьхуа", "синьхуа новости", "anadolu",
    "анадолу", "bbc", "би-би-си", "спутник", "sputnik", "ukrinform", "укринформ", "униан", "unian", "белта",
    "belta", "kabar", "кабар", "akipress", "акипресс", "regnum", "регнум",
    "ntb", "apa", "sda", "keystone-sda", "pap", "ctk", "čtk", "mti", "bta", "hina", "lusa",
    "europa press", "ansa.it", "bloomberg", "kyodo", "yonhap", "pti", "ians",
})
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:kz|ru|ua|by|uz|kg|com|net|org|info|news|de|fr|uk|media|tv|su)$", re.I)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.|(?<![\w.])(?:t\.me|vk\.com|instagram\.com|facebook\.com|x\.com|twitter\.com)/)[^\s()\[\]]+", re.I)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
# Labels before the names; several can be joined ("Фото и текст:"). Without a colon
# only the ones that open a byline as a word of their own ("Автор Светлана Ким", "By John Smith",
# a Russian theme's "От Айгуль Ким"); alone ("От", "By" in their own element) they are no author.
_LABEL_WORD = (r"(?:авторы?|автор\s+материала|текст|тексты|фото(?:графии)?|видео|иллюстрации|инфографика|"
               r"материал\s+подготовил[аи]?|подготовил[аи]?|записал[аи]?|беседовал[аи]?|"
               r"author|authors|text|texts|photos?|words|written\s+by|reporting\s+by|fotos?|texte?|"
               r"мәтін|автор|мақала\s+авторы|дайындаған(?:дар)?|суреттер|сурет|от|by)")
_LABEL = re.compile(
    rf"^\s*{_LABEL_WORD}(?:\s*(?:и|and|und|et|және|,|&|/)\s*{_LABEL_WORD})*\s*(?:[:\-–—|]|$)\s*", re.I)
_BARE_LABEL = re.compile(r"^\s*(?:[Аа]вторы?|[Тт]екст|[Bb]y|BY|От|[Vv]on(?!\s+(?:der|den|dem)\b)|[Pp]ar|[Pp]or|(?:[Мм]атериал\s+)?[Пп]одготовил[аи]?|"
                         r"[Бб]еседовал[аи]?|[Зз]аписал[аи]?|[Ии]нтервью\s+взял[аи]?|[Дд]айындаған)\s+(?=\S)")
# One author from the next: punctuation, and "and" in the languages bylines come in.
# Case-sensitive: "E. Smith" and "И. Петров" are initials, "e" and "и" are words.
_SEPARATORS = re.compile(
    r"\s*[,;/|&+]\s*|\s+(?:и|та|і|және|мен|and|AND|und|et|y|e|i|en|og|och|ja|és|și|ve|oraz|a)\s+|\s+[—–-]\s+")
_ROLE = re.compile(
    r"(?<![\w-])(?:наш(?:его|и)?|собственн\w*|специальн\w*|старш\w*|главн\w*|выпускающ\w*|шеф-|"
    r"корреспондент\w*|собкор\w*|спецкор\w*|фотокор\w*|фотокорреспондент\w*|редактор\w*|редакци\w*|"
    r"обозревател\w*|журналист\w*|фотограф\w*|тілші\w*|(?:соб\.|спец\.)?\s*корр\.|ред\.|обозр\.|"
    r"staff|senior|chief|correspondent|reporter|editor|writer|columnist|photographer|"
    r"korrespondent\w*|redakteur\w*|reporter(?:in)?|journaliste|correspondant\w*|rédact\w*|redattor\w*|"
    r"corresponsal|periodista)(?![\w-])",
    re.I,
)
# A photo, video or graphics credit ("Фото: Ержан Нурбеков", a Drupal field "Фото Ерлан
# Мухамедиев", "…, фото: пресс-служба акимата", "…, фото автора") runs to the next separator:
# a photographer is no author. "Фото и текст:" credits the author and stays.
_CREDIT_WORD = (r"(?:фото(?:графи[яи])?|фотограф\w*|видео|иллюстраци[яи]|инфографика|дизайн|вёрстка|верстка|"
                r"сурет(?:тер)?|бейне|photos?|photography|video|illustrations?|graphics|foto|bild)")
_CREDIT = re.compile(
    rf"(?:^|(?<=[,;|/])|(?<=[^\W\d_]{{2}}\.))\s*(?:автор\w*\s+)?{_CREDIT_WORD}(?![\w-])(?!\s*(?:и|and|және|&|,|/)\s*(?:текст|text|мәтін))"
    r"(?:\s*[:\-–—]|\s+(?=\w))[^,;|/]*", re.I)
# The same credit opening with a capital in mid-line, where a line break was ("Н. Орлова Фото автора").
_CREDIT_MID = re.compile(r"\s(?:Фото(?:графи[яи])?|Видео|Иллюстраци[яи]|Инфографика|Сурет(?:тер)?|Photos?|Video)(?![\w-])"
                         r"(?:\s*[:\-–—]|\s+(?=\w))[^,;|/]*")
# An editing credit with its colon ("редактор: Ольга Ким", "корректор: …"): no author. Without the
# colon "редактор отдела Гульнар Ахметова" is the author and her role.
_EDIT_CREDIT = re.compile(r"(?:^|(?<=[,;|/]))\s*(?:(?:выпускающ\w+|шеф-|бильд-)?редактор\w*|корректор\w*|дизайн\w*|"
                          r"верст\w*|вёрст\w*|editor|edited\s+by)\s*:[^,;|/]*", re.I)
# A contact label whose handle or address went above ("Telegram: @handle", "e-mail: …", "тел.: …").
_CONTACT = re.compile(r"(?<![\w-])(?:telegram|телеграм|tg|whatsapp|instagram|инстаграм|twitter|facebook|vk|вконтакте|"
                      r"e-?mail|почта|эл\.\s*почта|тел(?:ефон)?\.?|phone|tel\.?)\s*:[^,;|/]*", re.I)
# An outlet's kind before its name in quotes ("МИА «Казинформ»", "газета «Вечерний Уральск»"):
# no person. A quoted nickname inside a name ("«Иван» Петров") stays.
_QUOTED = re.compile(r"^(?:м?иа|иац|информагентств\w*|информационн\w+\s+агентств\w*|агентств\w*|газет\w*|"
                     r"журнал\w*|телеканал\w*|радио|портал\w*|издани\w*|сайт\w*|тк|ид)\s*[«\"“„]", re.I)
# A name wholly in quotes ("«Деловой курс»", after "Фото: Сергей Бобылев / …") is an outlet: a
# person's name is never quoted.
_QUOTED_ONLY = re.compile(r"^[«\"“„][^«»\"“”„]+[»\"”“]$")
# Any other label before the name: "Автор текста:", "Другие материалы:", "Материал подготовлен:"
# (words before a colon, one of them in lower case: a name's words are all capitalized).
_ANY_LABEL = re.compile(r"^\s*(?=[^:]{0,40}?(?:^|\s)[а-яёәғқңөұүһіa-z])[^:\d]{2,40}:\s+(?=\S)")
# Two names glued where the markup had two elements and no space ("Дина КаримоваСергей Попов",
# a Drupal field's items read as one text): a Cyrillic lower-case letter then a capital opening a word.
_GLUED = re.compile(r"(?<=[а-яёәғқңөұүһі])(?=[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі])")
# An organization or a source credited where a byline stands: no person ("пресс-служба акимата",
# "Источник: Kazinform", "По материалам РИА Новости", "Press service of the akimat").
_NOT_PERSON = re.compile(
    r"^(?:пресс-служб\w*|пресс-центр\w*|пресс-секретариат\w*|служб\w*|управлени\w*|департамент\w*|министерств\w*|"
    r"акимат\w*|ведомств\w*|пресс-қызмет\w*|баспасөз\s+қызмет\w*|press\s+(?:service|office)|"
    r"источник\w*|по\s+материалам|дереккөз\w*|source)(?![\w-])", re.I)
# A CMS login ("admin", "editor_vko"): one word, no capital, or joined by "_".
_LOGIN = re.compile(r"^(?:[^\W\d_A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]+|\w*_\w*)$")
_INITIALS_ONLY = re.compile(r"^(?:[^\W\d_]{1,2}\.\s*){1,3}$")
_LETTER = re.compile(r"[^\W\d_]")
# "Зарина Исаева." before the next credit: a full stop after a whole word (an initial keeps its own).
_TRAILING_STOP = re.compile(r"(?<=[^\W\d_]{3})\.$")
_EDGE_JUNK = re.compile(r"^[\s\-–—:.,;|·•*]+|[\s\-–—:,;|·•*]+$")


def _fold(text: str) -> str:
    return re.sub(r"[«»\"“”„]", "", text).casefold().replace("ё", "е").strip(" .")


def _is_agency(part: str) -> bool:
    folded = _fold(part)
    return folded in AGENCIES or bool(_DOMAIN.match(folded))


def split_byline(text: str | None) -> Byline:
    """One byline to the people it names and the agencies it credits, as written."""
    people: list[str] = []
    agencies: list[str] = []
    # a line break parts credits as a comma would ("Текст: Н. Орлова<br>Фото автора")
    text = normalize_text(decode_entities(text).replace("\n", " | "))
    if not text or len(text) > 300:  # a bio or a paragraph, not a byline
        return Byline(people, agencies)
    text = _EMAIL.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)

    def bracket(match: re.Match) -> str:
        inner = (match.group(1) or match.group(2) or "").strip()
        if inner and _is_agency(inner):
            agencies.append(inner)
        return " "  # initials, a city, "фото": never part of the name

    text = _BRACKETS.sub(bracket, text)
    text = _GLUED.sub(", ", text)
    text = _CONTACT.sub(" ", text)
    text = _CREDIT_MID.sub(" ", _CREDIT.sub(" ", _EDIT_CREDIT.sub(" ", text)))
    text = _LABEL.sub("", text, count=1)
    for part in _SEPARATORS.split(text):
        part = _LABEL.sub("", part, count=1)
        part = _BARE_LABEL.sub("", part, count=1)
        part = _ANY_LABEL.sub("", part, count=1)
        part = _TRAILING_STOP.sub("", _EDGE_JUNK.sub("", part))
        if not part:
            continue
        if _is_agency(part) or _QUOTED.search(part) or _QUOTED_ONLY.match(part):
            agencies.append(part)
            continue
        if _LOGIN.match(part):
            continue
        if _NOT_PERSON.match(part):
            rest = _EDGE_JUNK.sub("", _NOT_PERSON.sub("", part, count=1))
            if rest and _is_agency(rest):
                agencies.append(rest)
            continue
        if _ROLE.search(part):
            # "редактор отдела Гульнар Ахметова": the role and the words it governs
            # (lower case) go; a name starts with a capital.
            tokens = _ROLE.sub(" ", part).split()
            while tokens and not tokens[0][:1].isupper():
                tokens.pop(0)
            part = _EDGE_JUNK.sub("", " ".join(tokens))
        part = _split_agency(part, agencies)
        if not part or not _LETTER.search(part) or _INITIALS_ONLY.match(part):
            continue
        if len(part) > 60 or len(part.split()) > 5 or any(ch.isdigit() for ch in part):
            continue  # a sentence or a date that sat next to the name
        people.append(part)
    return Byline(_unique(people), _unique(agencies))


def _split_agency(part: str, agencies: list[str]) -> str:
    """"Kazinform Асель Омарова" (from "корреспондент Kazinform …"): the agency apart."""
    tokens = part.split()
    for n in range(min(3, len(tokens)), 0, -1):
        head = " ".join(tokens[:n])
        if _is_agency(head):
            agencies.append(head)
            return " ".join(tokens[n:])
    return part


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(_fold(name), name)
    return list(seen.values())


def clean_authors(values: Iterable[str | None]) -> list[str]:
    """Author names of every byline in `values`, each once, agencies left out."""
    found: list[str] = []
    for value in values:
        found.extend(split_byline(value).people)
    return _unique(found)
