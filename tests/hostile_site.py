"""A news site on loopback that misbehaves in every way a crawl meets, one URL per fault.

    site = HostileSite().start("127.0.0.1")     # port 0: a free one
    site.base                                   # "http://127.0.0.1:41234"
    site.hits["/news/burst-500-901/"]           # how often each path was asked for
    site.stop()

A small regional news site, "Степной вестник": a listing, an RSS feed, a
sitemap index and twenty ordinary articles with the noise real pages carry
(menu, counters, "read also", footer). Next to them, each URL in FAULTS
misbehaves in one way: 5xx bursts, resets, trickles and stalls, 429 with
Retry-After, redirect loops, chains and redirects to private, metadata and
loopback addresses, a lying Content-Length, wrong Content-Types, a gzip bomb,
a 60 MB page, 10,000-deep nesting, binary bytes, lying encodings and an empty
200. Sitemaps and feeds add entity bombs (billion laughs), external entities
(file:///etc/passwd), a gzipped sitemap bomb and a sitemap past the
protocol's 50,000 entries.

tests/test_crawl_hostile.py crawls it with `newsdb crawl` and holds each fault
to the outcome its URL must record. Everything is served on loopback only.
"""

from __future__ import annotations

import gzip
import os
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MB = 1024 * 1024
ARTICLE_PATTERN = r"^/news/[a-z0-9-]+-(?P<id>\d+)/?$"

# -- the twenty ordinary articles -------------------------------------------------

ARTICLES = [
    ("teploseti-pavlodar", "В Павлодаре к отопительному сезону заменили шесть километров теплосетей", [
        "Коммунальщики Павлодара завершили замену изношенных участков теплотрассы на улицах Ломова и Академика Сатпаева. "
        "По словам руководителя городского отдела ЖКХ, трубам на этих участках было больше сорока лет.",
        "Всего за лето обновили около шести километров сетей, работы обошлись бюджету в 2,3 млрд тенге. "
        "Подрядчик дал гарантию на пять лет, а качество сварных швов проверяла независимая лаборатория.",
        "Жителей просят сообщать о провалах асфальта и парящих люках по номеру 109. "
        "Благоустройство разрытых дворов обещают закончить до конца сентября.",
    ]),
    ("metro-almaty-stancii", "В Алматы назвали сроки открытия двух новых станций метро", [
        "Станции «Сарыарка» и «Калкаман» на продолжении первой линии должны принять первых пассажиров в конце следующего года. "
        "Об этом на брифинге в акимате рассказал заместитель акима города.",
        "Проходка тоннеля выполнена на восемьдесят процентов, сейчас строители монтируют эскалаторы и вентиляцию. "
        "После запуска станций время в пути от микрорайонов до центра сократится почти вдвое.",
        "В метрополитене напомнили, что с нового года оплатить проезд можно будет банковской картой прямо у турникета. "
        "Транспортные карты при этом продолжат действовать.",
    ]),
    ("sneg-astana-tehnika", "Астану после снегопада расчищали более семисот единиц техники", [
        "За сутки в столице выпало почти двадцать сантиметров снега, ветер местами усиливался до 23 метров в секунду. "
        "На улицы вышли 720 единиц спецтехники и около двух тысяч дорожных рабочих.",
        "В первую очередь чистили главные магистрали, подъезды к больницам и остановки. "
        "Вывоз снега со дворов продолжится до выходных, сообщили в управлении городского хозяйства.",
        "Водителей просят не оставлять машины на обочинах: они мешают работе грейдеров. "
        "Эвакуатором уже убраны 46 автомобилей.",
    ]),
    ("vodoprovod-shymkent", "В Шымкенте восемь микрорайонов подключат к центральному водопроводу", [
        "В микрорайонах Кайтпас и Тассай начали прокладку магистральных водоводов. "
        "Сейчас жители берут воду из скважин и колонок, а летом нередко сидят без воды вовсе.",
        "Проект рассчитан на два года, первые дома получат воду уже к осени. "
        "Общая протяжённость новых сетей превысит 140 километров.",
        "Одновременно строится канализация, чтобы не вскрывать улицы дважды. "
        "Ход работ можно отслеживать на сайте акимата.",
    ]),
    ("shkola-karaganda-otkrytie", "В Караганде открылась школа на 1200 мест", [
        "Новая школа в микрорайоне Восток-5 приняла первых учеников. "
        "В здании есть бассейн, робототехнический класс и библиотека с читальным залом.",
        "Прежде дети из этого района ездили учиться в соседние кварталы, а классы в старых школах были переполнены. "
        "Теперь обучение во многих из них перейдёт из трёх смен в две.",
        "В управлении образования добавили, что педагогический коллектив набран полностью. "
        "Почти треть учителей — выпускники местного университета.",
    ]),
    ("dorogi-aktobe-remont", "В Актобе отремонтируют сорок улиц частного сектора", [
        "Городские власти утвердили список улиц, где этим летом впервые положат асфальт. "
        "Список составили по обращениям жителей, поступившим через портал открытых бюджетов.",
        "На ремонт предусмотрено около четырёх миллиардов тенге. "
        "Вместе с дорогами появятся тротуары, освещение и ливнёвка.",
        "Работы начнутся в мае, после того как прогреется грунт. "
        "Подрядчиков выберут на открытом конкурсе.",
    ]),
    ("urozhai-kostanai-zerno", "Костанайские аграрии намолотили больше трёх миллионов тонн зерна", [
        "Уборочная в области подходит к концу: обмолочено девяносто процентов площадей. "
        "Средняя урожайность пшеницы составила 14 центнеров с гектара.",
        "Погода в этом году была капризной, и часть хозяйств убирает хлеб после дождей. "
        "Зерно приходится досушивать, поэтому сушилки работают круглосуточно.",
        "В облуправлении сельского хозяйства уверены, что элеваторы примут весь урожай. "
        "Свободных мощностей хранения хватает.",
    ]),
    ("ekologiya-oskemen-vozduh", "В Усть-Каменогорске установили ещё десять постов контроля воздуха", [
        "Новые датчики поставили возле промышленных предприятий и в жилых кварталах левобережья. "
        "Данные о качестве воздуха обновляются каждые двадцать минут.",
        "Экоактивисты давно добивались, чтобы замеры публиковались открыто. "
        "Теперь показатели можно увидеть на карте в мобильном приложении.",
        "Если концентрация вредных веществ превысит норму, предприятия обязаны сократить выбросы. "
        "Контроль за этим возложен на департамент экологии.",
    ]),
    ("pavodok-atyrau-damby", "В Атырауской области укрепляют дамбы перед паводком", [
        "Вдоль Урала отсыпают защитные валы у сёл, которые подтопило прошлой весной. "
        "Работы ведутся круглосуточно, задействованы спасатели и местные жители.",
        "Синоптики ожидают высокую воду в середине апреля. "
        "Уровень реки отслеживают гидропосты, сводки публикуются дважды в день.",
        "Жителей прибрежных районов просят заранее подготовить документы и запас питьевой воды. "
        "Пункты временного размещения уже определены.",
    ]),
    ("turizm-turkestan-gostinicy", "Туркестан за год принял почти миллион туристов", [
        "Поток гостей в древний город вырос на четверть по сравнению с прошлым годом. "
        "Больше всего приезжают к мавзолею Ходжи Ахмеда Ясави.",
        "В городе открылись двенадцать новых гостиниц, но в праздники мест всё равно не хватает. "
        "Власти рассчитывают, что к следующему сезону номерной фонд удвоится.",
        "Из Алматы и Астаны в Туркестан теперь ходят ежедневные скоростные поезда. "
        "Билеты на выходные раскупают за несколько дней.",
    ]),
    ("ris-kyzylorda-posevy", "Кызылординские рисоводы сократят посевы из-за маловодья", [
        "Из-за низкого уровня воды в Сырдарье рисовые чеки в этом году займут меньше площади. "
        "Освободившиеся поля засеют засухоустойчивыми культурами.",
        "Фермерам компенсируют часть затрат на капельное орошение. "
        "Заявки принимают в районных отделах сельского хозяйства.",
        "Специалисты считают, что переход на новые культуры нужно было начинать раньше. "
        "Вода в регионе становится главным ограничением.",
    ]),
    ("bolnica-semei-korpus", "В Семее достроили новый корпус областной больницы", [
        "Шестиэтажный корпус рассчитан на 240 коек, в нём разместятся хирургия и реанимация. "
        "Оборудование закупили за счёт республиканского бюджета.",
        "Пациентов начнут переводить в новое здание в следующем месяце. "
        "Старый корпус закроют на капитальный ремонт.",
        "Главный врач пообещал, что очереди на плановые операции сократятся. "
        "Больнице не хватает анестезиологов, и их уже ищут по всей стране.",
    ]),
    ("sport-taraz-stadion", "Тараз примет матчи молодёжного чемпионата по футболу", [
        "Центральный стадион Тараза после реконструкции получил новое поле и табло. "
        "Здесь пройдут игры группового этапа молодёжного первенства.",
        "На трибунах поменяли все кресла, теперь стадион вмещает двенадцать тысяч зрителей. "
        "Вход на матчи для школьников будет бесплатным.",
        "Местная команда надеется выступить успешно на домашнем поле. "
        "Тренерский штаб уже объявил расширенный состав.",
    ]),
    ("avtobusy-petropavl-marshruty", "В Петропавловске поменяют схему автобусных маршрутов", [
        "Транспортный отдел предложил объединить несколько дублирующих маршрутов. "
        "Обсуждение проекта продлится до конца месяца.",
        "Пассажиры жалуются на долгие интервалы вечером и в выходные. "
        "После реформы автобусы должны ходить чаще, хотя пересадок станет больше.",
        "Городские власти обещают закупить тридцать новых газовых автобусов. "
        "Они выйдут на линию весной.",
    ]),
    ("most-uralsk-ural", "В Уральске открыли движение по новому мосту через Урал", [
        "Мост длиной более 600 метров соединил центр города с посёлком Деркул. "
        "Раньше жителям приходилось делать крюк в пятнадцать километров.",
        "Строительство заняло три года, на мосту по две полосы в каждую сторону и велодорожка. "
        "Старый понтонный переход разберут.",
        "Дорожники просят водителей соблюдать скоростной режим: на подъездах ещё идут работы. "
        "Окончательно их завершат летом.",
    ]),
    ("port-aktau-konteinery", "Порт Актау нарастил перевалку контейнеров", [
        "За девять месяцев через порт прошло почти в полтора раза больше контейнеров, чем годом ранее. "
        "Рост связывают с развитием Транскаспийского маршрута.",
        "Для новых грузов строят контейнерный хаб и расширяют причалы. "
        "Очереди судов на рейде удалось сократить.",
        "Руководство порта рассчитывает на дальнейший рост в следующем году. "
        "Сдерживает его пока пропускная способность железной дороги.",
    ]),
    ("park-taldykorgan-blagoustroistvo", "В Талдыкоргане обновили центральный парк", [
        "В парке заменили освещение, проложили новые дорожки и поставили скамейки. "
        "Для детей построили игровую площадку с мягким покрытием.",
        "Деревья, которые признали аварийными, заменили молодыми саженцами. "
        "Полив теперь автоматический.",
        "Горожане просили сохранить старый фонтан, и его отреставрировали. "
        "Он снова заработает с наступлением тепла.",
    ]),
    ("biblioteka-kokshetau-koworking", "В кокшетауской библиотеке открыли коворкинг", [
        "Областная библиотека выделила зал под рабочие места с бесплатным интернетом. "
        "Им могут пользоваться студенты и фрилансеры.",
        "Посещаемость библиотеки за последний год выросла вдвое. "
        "Молодёжь приходит на лекции, клубы настольных игр и разговорные вечера.",
        "В планах — оцифровать редкий фонд краеведческой литературы. "
        "На это ищут грантовое финансирование.",
    ]),
    ("med-zhezkazgan-zavod", "В Жезказгане модернизируют медеплавильный завод", [
        "На заводе меняют печи и систему газоочистки. "
        "Выбросы после модернизации должны снизиться почти на треть.",
        "Во время работ предприятие не останавливается: цеха переводят на новое оборудование поочерёдно. "
        "Проект рассчитан на три года.",
        "Город ждёт от модернизации и новых рабочих мест. "
        "Компания обещает набирать сотрудников прежде всего среди местных жителей.",
    ]),
    ("ekibastuz-gres-remont", "Энергоблок Экибастузской ГРЭС вернули в работу после ремонта", [
        "Энергоблок мощностью пятьсот мегаватт простоял на ремонте почти четыре месяца. "
        "Специалисты заменили часть котельного оборудования и турбину.",
        "Запуск блока важен перед зимой: энергосистема севера страны работает с дефицитом мощности. "
        "Ещё один блок выведут в ремонт весной.",
        "Энергетики заверили, что тарифы для населения из-за ремонта не вырастут. "
        "Работы оплачены из инвестиционной программы станции.",
    ]),
]
GOOD = {f"/news/{slug}-{101 + i}/": title for i, (slug, title, _) in enumerate(ARTICLES)}
AUTHORS = ["Айгерим Сапарова", "Данияр Ахметов", "Ольга Кравченко", "Ержан Нуржанов", "Марина Ким"]


def article_html(title: str, paragraphs: list[str], *, charset: str = "utf-8", number: int = 0) -> str:
    """An article page with what real pages carry around the text: menu, counters,
    "read also", footer."""
    others = list(GOOD.items())[(number + 1) % len(GOOD):][:3] or list(GOOD.items())[:3]
    read_also = "".join(f'<li><a href="{path}">{other}</a></li>' for path, other in others)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    day = 1 + number % 27
    return f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="{charset}"><title>{title} — Степной вестник</title>
<meta property="og:title" content="{title}">
<script>(function(m,e,t,r,i,k,a){{m[i]=m[i]||function(){{(m[i].a=m[i].a||[]).push(arguments)}};}})(window,document,"script","/tag.js","ym");ym(91234567,"init",{{clickmap:true}});</script>
</head><body>
<header class="site-header"><a class="logo" href="/">Степной вестник</a>
<nav class="menu"><a href="/">Главная</a> <a href="/news/">Новости</a> <a href="/rubric/politika/">Политика</a>
<a href="/rubric/ekonomika/">Экономика</a> <a href="/rubric/obshchestvo/">Общество</a> <a href="/rubric/sport/">Спорт</a>
<a href="/rubric/proisshestviya/">Происшествия</a></nav>
<div class="currency">USD 512,40 ₸ · EUR 553,10 ₸ · RUB 5,31 ₸</div><div class="weather">Астана −12°</div></header>
<main><article>
<h1 class="entry-title">{title}</h1>
<div class="entry-meta"><time class="entry-date" datetime="2025-11-{day:02d}T09:30:00+05:00">{day} ноября 2025, 09:30</time>
<a class="author" href="/author/{number}/">{AUTHORS[number % len(AUTHORS)]}</a> <span class="views">Просмотров: {1000 + 37 * number}</span></div>
<div class="entry-content">{body}</div>
<div class="subscribe">Подписывайтесь на наш канал в Telegram, чтобы первыми узнавать новости региона.</div>
</article>
<aside class="read-also"><h3>Читайте также</h3><ul>{read_also}</ul></aside></main>
<footer><p>© 2025 «Степной вестник». Все права защищены. При использовании материалов ссылка на сайт обязательна. 18+</p>
<p><a href="https://t.me/stepnoi_vestnik">Telegram</a> · <a href="https://vk.com/stepnoi_vestnik">ВКонтакте</a> · <a href="/reklama/">Реклама на сайте</a></p>
<img src="/counter.gif?id=91234567" width="1" height="1" alt=""></footer>
</body></html>"""


# -- the faults ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    path: str
    what: str  # the fault, in words: the row of the table
    loopback: str  # the outcome its URL records under a profile that allows loopback
    strict: str | None = None  # ... under one that allows only the site's own address (None: the same)
    stored: bool = False  # it ends as a stored article (it recovers, or its bytes are fine)


def _f(slug: str, number: int, what: str, loopback: str, strict: str | None = None, stored: bool = False) -> Fault:
    return Fault(f"/news/{slug}-{number}/", what, loopback, strict, stored)


FAULTS = [
    _f("burst-500", 901, "HTTP 500 twice, then the article", "ok", stored=True),
    _f("burst-502", 902, "HTTP 502 twice, then the article", "ok", stored=True),
    _f("burst-503", 903, "HTTP 503 twice, then the article", "ok", stored=True),
    _f("down-503", 904, "HTTP 503 on every attempt", "http_503"),
    _f("reset", 905, "connection reset (RST) mid-body: Scrapy reports the body cut short", "truncated"),
    _f("reset-early", 923, "connection reset (RST) before the status line", "reset"),
    _f("trickle", 906, "one byte every 0.2 s: slower than DOWNLOAD_TIMEOUT allows overall", "timeout"),
    _f("stall", 907, "headers, then silence past DOWNLOAD_TIMEOUT", "timeout"),
    _f("rate-limited", 908, "HTTP 429 with Retry-After: 1, then the article", "ok", stored=True),
    _f("loop", 909, "redirect loop (A -> B -> A)", "redirect"),
    _f("chain-long", 910, "redirect chain longer than REDIRECT_MAX_TIMES", "redirect"),
    _f("chain-short", 911, "redirect chain of 3 hops ending in the article", "ok", stored=True),
    _f("offsite", 912, "redirect to another host (elsewhere.invalid)", "offsite", strict="dns"),
    _f("truncated", 913, "Content-Length says 20,000, the body stops at 3,000", "truncated"),
    _f("png", 914, "an article served as image/png", "ok"),
    _f("gzip-bomb", 915, "gzip bomb: 1 GiB of zeros in ~1 MB, Content-Encoding: gzip", "too_large"),
    _f("huge", 916, "60 MB page with its Content-Length", "too_large"),
    _f("huge-unsized", 917, "60 MB page, no Content-Length (ends when the connection closes)", "too_large"),
    _f("deep", 918, "10,000-deep nested <div>s", "ok"),
    _f("binary", 919, "random binary bytes served as text/html", "ok"),
    _f("says-utf8", 920, "declares utf-8, is windows-1251", "ok", stored=True),
    _f("says-1251", 921, "declares windows-1251, is utf-8", "ok", stored=True),
    _f("empty", 922, "empty 200", "ok"),
    _f("to-private", 930, "redirect to http://10.0.0.1/", "refused_address"),
    _f("to-metadata", 931, "redirect to http://169.254.169.254/latest/meta-data/", "refused_address"),
    # Let through under the loopback profile, [::1] then fails in Scrapy's default resolver (IPv4 only).
    _f("to-v6-loopback", 932, "redirect to http://[::1]:PORT/", "dns", strict="refused_address"),
    _f("to-localhost", 933, "redirect to http://localhost:PORT/ (the site itself under the loopback profile)",
       "ok", strict="refused_address", stored=True),
    _f("to-decimal", 934, "redirect to http://2130706433:PORT/ (127.0.0.1 spelled as one number)",
       "offsite", strict="refused_address"),
]
# Article URLs on other hosts, found in the sitemap and on the listing (not redirects).
FOREIGN = [
    Fault("http://10.0.0.1/news/intranet-940/", "sitemap entry on 10.0.0.1", "refused_address"),
    Fault("http://169.254.169.254/news/meta-941/", "listing link to 169.254.169.254", "refused_address"),
]
RECOVERING = {"/news/burst-500-901/": 500, "/news/burst-502-902/": 502, "/news/burst-503-903/": 503}
SITEMAP_ENTRIES_PAST_LIMIT = 50_500  # the protocol allows 50,000
XXE_TARGET = "file:///etc/passwd"
ENTITY_ARTICLE = "/news/entity-960/"  # an internal entity's text: asked for only if expanded
SECRET_ARTICLE = "/news/secret-961/"  # the external file's text: asked for only if read


@lru_cache(maxsize=1)
def gzip_bomb(size: int = 1024 * MB) -> bytes:
    """`size` bytes of zeros as gzip, ~1 MB: one compressed MiB repeated as gzip members
    (a gzip stream may hold many; every reader joins them)."""
    member = gzip.compress(bytes(MB), compresslevel=9)
    return member * (size // MB)


def _paragraph_article(title: str, number: int, charset: str) -> str:
    return article_html(title, ARTICLES[number % len(ARTICLES)][2], charset=charset, number=number)


LYING_UTF8_TITLE = "В Экибастузе проверили готовность котельных к зиме"  # declares utf-8, is windows-1251
LYING_1251_TITLE = "Семейские волонтёры собрали вещи для пострадавших от пожара"  # declares windows-1251, is utf-8
REDIRECTED_TITLE = "Маршрут через три адреса: новость дошла до читателя"
LOCALHOST_TITLE = "Новость, отданная по адресу localhost"


class Handler(BaseHTTPRequestHandler):
    """One server for both crawls of the hostile test: `self.server.site` holds the state."""

    protocol_version = "HTTP/1.0"  # every response closes its connection: a body may end there
    server_version = "StepnoiVestnik/1.0"

    def log_message(self, *args):
        pass

    @property
    def site(self) -> "HostileSite":
        return self.server.site

    def do_GET(self):
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass  # the crawler hung up (a cancelled download): what this site is for

    # -- plumbing --

    def _head(self, status: int, content_type: str = "text/html; charset=utf-8", length: int | None = None,
              **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def _send(self, status: int, body: bytes | str, content_type: str = "text/html; charset=utf-8", **headers):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._head(status, content_type, len(data), **headers)
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", Location=location)

    def _stream(self, total: int, chunk: bytes) -> None:
        sent = 0
        while sent < total and not self.site.stopping.is_set():
            self.wfile.write(chunk)
            sent += len(chunk)

    # -- pages --

    def _route(self):  # noqa: C901 - one branch per fault, which is the point
        site, path = self.site, self.path
        with site.lock:
            site.hits[path] += 1
            hit = site.hits[path]
            site.first.setdefault(path, time.time())
        base, port = site.base, site.port
        if path == "/robots.txt":
            return self._send(200, "User-agent: *\nAllow: /\n", "text/plain")
        if path in GOOD:
            number = list(GOOD).index(path)
            return self._send(200, article_html(GOOD[path], ARTICLES[number][2], number=number))
        if path == "/news/":
            links = [*GOOD, *(f.path for f in FAULTS), FOREIGN[1].path]
            items = "".join(f'<li><a href="{link}">{GOOD.get(link, "Новость")}</a></li>' for link in links)
            return self._send(200, f"<html><head><meta charset='utf-8'><title>Новости</title></head><body>"
                                   f"<h1>Все новости</h1><ul class='news-list'>{items}</ul></body></html>")
        if path == "/sitemap_index.xml":
            maps = ["/sitemap-news.xml", "/sitemap-laughs.xml", "/sitemap-xxe.xml", "/sitemap-bomb.xml.gz",
                    "/sitemap-past-limit.xml", "/sitemap-html.xml"]
            entries = "".join(f"<sitemap><loc>{base}{m}</loc></sitemap>" for m in maps)
            return self._send(200, f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                                   f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>',
                              "application/xml")
        if path == "/sitemap-news.xml":
            locs = [f"{base}{p}" for p in [*GOOD, *(f.path for f in FAULTS)]] + [FOREIGN[0].path]
            return self._send(200, _urlset(locs), "application/xml")
        if path == "/sitemap-laughs.xml":
            return self._send(200, _laughs("urlset", "<url><loc>&art;</loc></url><url><loc>&lol9;</loc></url>"),
                              "application/xml")
        if path == "/sitemap-xxe.xml":
            return self._send(200, _external("urlset", "<url><loc>&passwd;</loc></url><url><loc>&secret;</loc></url>"
                                             "<url><loc>&art;</loc></url>",
                                             site.secret_url), "application/xml")
        if path == "/sitemap-bomb.xml.gz":
            return self._send(200, gzip_bomb(), "application/x-gzip")
        if path == "/sitemap-past-limit.xml":
            # Past the protocol's 50,000, as a broken generator writes it: tag pages, no articles.
            return self._send(200, _urlset(f"{base}/tag/metka-{i}/" for i in range(SITEMAP_ENTRIES_PAST_LIMIT)),
                              "application/xml")
        if path == "/sitemap-html.xml":
            return self._send(200, "<html><body><h1>Карта сайта</h1><p>Скоро здесь будет карта.</p></body></html>")
        if path == "/feed/":
            items = "".join(f"<item><title>{t}</title><link>{base}{p}</link></item>" for p, t in list(GOOD.items())[:5])
            return self._send(200, f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                                   f"<title>Степной вестник</title>{items}</channel></rss>", "application/rss+xml")
        if path == "/feed-laughs/":
            return self._send(200, _laughs("rss", "<channel><item><link>&art;</link></item>"
                                                  "<item><link>&lol9;</link></item></channel>"), "application/rss+xml")
        if path == "/feed-xxe/":
            return self._send(200, _external("rss", "<channel><item><link>&passwd;</link></item><item><link>&secret;</link>"
                                             "</item><item><link>&art;</link></item></channel>", site.secret_url),
                              "application/rss+xml")

        # -- the faults, in FAULTS order --
        if path in RECOVERING:
            if hit <= 2:
                return self._send(RECOVERING[path], "<html><body>Сервис временно недоступен</body></html>")
            return self._send(200, _paragraph_article(f"Новость после ошибки {RECOVERING[path]}", hit, "utf-8"))
        if path == "/news/down-503-904/":
            return self._send(503, "<html><body>Ведутся технические работы</body></html>")
        if path == "/news/reset-905/":
            data = _paragraph_article("Оборванное соединение", 5, "utf-8").encode()
            self._head(200, length=len(data))
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close() sends RST, not FIN; the client sees a reset mid-body.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return None
        if path == "/news/reset-early-923/":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return None
        if path == "/news/trickle-906/":
            data = _paragraph_article("Медленная страница", 6, "utf-8").encode()
            self._head(200, length=len(data))
            for byte in data:
                if site.stopping.wait(0.2):
                    return None
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            return None
        if path == "/news/stall-907/":
            self._head(200, length=5000)
            self.wfile.flush()
            site.stopping.wait(60)  # silence, far past any DOWNLOAD_TIMEOUT a test sets
            return None
        if path == "/news/rate-limited-908/":
            if hit == 1:
                return self._send(429, "Слишком много запросов", "text/plain; charset=utf-8", Retry_After="1")
            return self._send(200, _paragraph_article("Новость после паузы в одну секунду", 8, "utf-8"))
        if path == "/news/loop-909/":
            return self._redirect(f"{base}/go/loop-b/")
        if path == "/go/loop-b/":
            return self._redirect(f"{base}/news/loop-909/")
        if path == "/news/chain-long-910/" or path.startswith("/go/long/"):
            step = int(path.rstrip("/").rsplit("/", 1)[-1]) if path.startswith("/go/long/") else 0
            return self._redirect(f"{base}/go/long/{step + 1}/")  # never ends: past any REDIRECT_MAX_TIMES
        if path == "/news/chain-short-911/" or path.startswith("/go/short/"):
            step = int(path.rstrip("/").rsplit("/", 1)[-1]) if path.startswith("/go/short/") else 0
            if step < 3:
                return self._redirect(f"{base}/go/short/{step + 1}/")
            return self._send(200, _paragraph_article(REDIRECTED_TITLE, 11, "utf-8"))
        if path == "/news/offsite-912/":
            return self._redirect("http://elsewhere.invalid/news/drugoi-sait-912/")
        if path == "/news/truncated-913/":
            data = _paragraph_article("Страница короче обещанного", 13, "utf-8").encode()[:3000]
            self._head(200, length=20_000)
            self.wfile.write(data)
            return None  # the connection closes after 3,000 of the 20,000 bytes promised
        if path == "/news/png-914/":
            return self._send(200, _paragraph_article("Статья под видом картинки", 14, "utf-8"), "image/png")
        if path == "/news/gzip-bomb-915/":
            return self._send(200, gzip_bomb(), "text/html; charset=utf-8", Content_Encoding="gzip")
        if path == "/news/huge-916/":
            total = 60 * MB
            self._head(200, length=total)
            return self._stream(total, b"<p>" + "Очень длинная страница. ".encode() * 2000 + b"</p>\n")
        if path == "/news/huge-unsized-917/":
            self._head(200)
            return self._stream(60 * MB, b"<p>" + "Бесконечная лента. ".encode() * 2000 + b"</p>\n")
        if path == "/news/deep-918/":
            depth = 10_000
            return self._send(200, "<html><head><meta charset='utf-8'><title>Глубина</title></head><body>"
                              + "<div>" * depth + "<p>На самом дне десяти тысяч вложенных блоков.</p>"
                              + "</div>" * depth + "</body></html>")
        if path == "/news/binary-919/":
            return self._send(200, random.Random(919).randbytes(256 * 1024), "text/html")
        if path == "/news/says-utf8-920/":
            html = _paragraph_article(LYING_UTF8_TITLE, 20, "utf-8")
            # An old cp1251 site writes what cp1251 lacks (₸, −) as character references.
            return self._send(200, html.encode("cp1251", "xmlcharrefreplace"), "text/html; charset=utf-8")
        if path == "/news/says-1251-921/":
            html = _paragraph_article(LYING_1251_TITLE, 21, "windows-1251")
            return self._send(200, html.encode("utf-8"), "text/html; charset=windows-1251")
        if path == "/news/empty-922/":
            return self._send(200, b"")
        if path == "/news/to-private-930/":
            return self._redirect("http://10.0.0.1/news/intranet-930/")
        if path == "/news/to-metadata-931/":
            return self._redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/")
        if path == "/news/to-v6-loopback-932/":
            return self._redirect(f"http://[::1]:{port}/news/v6-932/")
        if path == "/news/to-localhost-933/":
            return self._redirect(f"http://localhost:{port}/go/local/")
        if path == "/go/local/":
            return self._send(200, _paragraph_article(LOCALHOST_TITLE, 33, "utf-8"))
        if path == "/news/to-decimal-934/":
            return self._redirect(f"http://2130706433:{port}/go/local/")
        return self._send(404, "<html><body><h1>Страница не найдена</h1></body></html>")


def _urlset(locs) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>").encode()


def _laughs(root: str, inner: str) -> bytes:
    """Billion laughs: &lol9; is 10^9 "lol"s, 3 GB, if a parser expands it; &art; is a
    small internal entity whose expansion would be an article URL the site would see asked for."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    entities += f'<!ENTITY art "{ENTITY_ARTICLE}">'
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{entities}]><{root}{_ns(root)}>{inner}</{root}>'.encode()


def _external(root: str, inner: str, secret: str) -> bytes:
    """External entities: /etc/passwd, and a file whose contents (SECRET_ARTICLE) the
    site would see asked for if a parser read it."""
    entities = f'<!ENTITY passwd SYSTEM "{XXE_TARGET}"><!ENTITY secret SYSTEM "{secret}">'
    entities += f'<!ENTITY art "{ENTITY_ARTICLE}">'  # internal, where no bomb makes a parser give up first
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{entities}]><{root}{_ns(root)}>{inner}</{root}>'.encode()


def _ns(root: str) -> str:
    return ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"' if root == "urlset" else ' version="2.0"'


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stalled handler must not hold up shutdown
    request_queue_size = 128  # the default backlog of 5 drops connections under a 16-wide crawl

    def handle_error(self, request, client_address):
        pass  # a client that hung up is what this site is for, not an error


class HostileSite:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.first: dict[str, float] = {}  # path -> when it was first asked for (epoch seconds)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server: ThreadingHTTPServer | None = None
        self.host = "127.0.0.1"
        self.secret_url = ""  # file:// URL of a file holding SECRET_ARTICLE (the external entity)

    def start(self, host: str = "127.0.0.1", secret_dir: Path | None = None) -> "HostileSite":
        self.host = host
        if secret_dir is not None:
            secret = secret_dir / "secret.txt"
            secret.write_text(SECRET_ARTICLE, encoding="utf-8")
            self.secret_url = secret.resolve().as_uri()
        server = _Server((host, 0), Handler)
        server.site = self
        self.server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def write_profile(self, path: Path, name: str, *, allowed_domains: list[str] | None,
                      allow_networks: list[str]) -> Path:
        """A profile for this site; allowed_domains None leaves the offsite filter off."""
        domains = "" if allowed_domains is None else f"allowed_domains = {toml_list(allowed_domains)}\n"
        path.write_text(
            f'name = "{name}"\nbase_url = "{self.base}"\n{domains}live = false\n'
            '[discover]\nsitemaps = ["/sitemap_index.xml"]\nfeeds = ["/feed/", "/feed-laughs/", "/feed-xxe/"]\n'
            'listings = ["/news/"]\nfollow_article_links = true\n'
            f"[crawl]\nallow_networks = {toml_list(allow_networks)}\n"
            f"[urls]\narticle = ['{ARTICLE_PATTERN}']\n"
            '[selectors]\ntitle = "h1.entry-title"\npublished = "time.entry-date"\nauthors = ".entry-meta a.author"\n'
            'body = "div.entry-content > p"\ndrop = [".subscribe", ".read-also"]\n',
            encoding="utf-8",
        )
        return path


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


if __name__ == "__main__":  # browse it: python -m tests.hostile_site
    site = HostileSite().start(os.environ.get("HOST", "127.0.0.1"))
    print(site.base, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        site.stop()
