"""One test per quote form of issue 4 (A–F, split and multi-paragraph quotes), the
speaker fields, verb lemmas, and paragraphs that must not give a quote."""

from __future__ import annotations

import pytest

from core.names import lemma
from pipelines.quotes import extract_quotes


def only(paragraphs):
    quotes = extract_quotes(paragraphs)
    assert len(quotes) == 1, quotes
    return quotes[0]


@pytest.mark.parametrize("dash", ["—", "–", "-"])
def test_a_dialogue_dash_variants(dash):
    q = only([f"{dash} Работы на трассе закончим к осени, {dash} пообещал глава управления Марат Сейтов."])
    assert (q.text, q.style, q.verb, q.speaker_canonical) == (
        "Работы на трассе закончим к осени", "A", "пообещал", "Марат Сейтов")


def test_a_split_around_the_attribution_is_one_quote():
    q = only(["— Мы готовы к зиме, — сказал аким района Ерлан Касымов. — Запасов угля хватит до весны."])
    assert q.text == "Мы готовы к зиме Запасов угля хватит до весны."
    paragraph = "— Мы готовы к зиме, — сказал аким района Ерлан Касымов. — Запасов угля хватит до весны."
    assert (q.start, q.end) == (2, len(paragraph))


def test_a_any_verb_right_after_the_dash():
    """Reporters use verbs no list foresees: "— улыбается", "— задается вопросом"."""
    q = only(["— Такого урожая не было лет десять, — улыбается фермер Болат Ермеков."])
    assert (q.verb, q.verb_lemma, q.speaker_canonical) == ("улыбается", "улыбаться", "Болат Ермеков")


def test_b_guillemets_with_a_nested_quote():
    q = only(["«Слово „буллинг“ теперь есть в законе», — подчеркнул депутат Нурлан Беков."])
    assert (q.text, q.style) == ("Слово „буллинг“ теперь есть в законе", "B")


@pytest.mark.parametrize("paragraph", [
    "\"Тарифы не изменятся до весны\", - заявил министр Алмас Садыков.",
    "“Тарифы не изменятся до весны” — заявил министр Алмас Садыков.",
])
def test_c_straight_and_curly_quotes(paragraph):
    q = only([paragraph])
    assert (q.text, q.style, q.speaker_canonical) == ("Тарифы не изменятся до весны", "C", "Алмас Садыков")


@pytest.mark.parametrize("paragraph, speaker", [
    ("Министр Ажар Гиният заявила журналистам: «Вакцины хватит на всех».", "Министр Ажар Гиният"),
    ("По словам Ажар Гиният, «вакцины хватит на всех».", "Ажар Гиният"),
    ("Как отметила Ажар Гиният, \"вакцины хватит на всех\".", "Ажар Гиният"),
    ("Министр Ажар Гиният, отвечая на вопрос, пояснила: «Вакцины хватит на всех».", "Министр Ажар Гиният"),
])
def test_d_attribution_first(paragraph, speaker):
    q = only([paragraph])
    assert (q.text.lower(), q.style, q.speaker, q.speaker_canonical) == (
        "вакцины хватит на всех", "D", speaker, "Ажар Гиният")


def test_e_speaker_line_then_dash_paragraph():
    q = only(["Синоптик Алия Жумабаева, ведущий специалист «Казгидромета»:",
              "- Морозы продержатся до конца недели."])
    assert (q.text, q.style, q.paragraph, q.speaker_canonical, q.verb) == (
        "Морозы продержатся до конца недели.", "E", 1, "Алия Жумабаева", None)


@pytest.mark.parametrize("paragraphs, speaker, canonical", [
    (["Аким Шымкента Жанибек Турлыбаев встретился с жителями.", "Аким пообещал: «Поликлинику построим до конца года»."],
     "Аким", "Жанибек Турлыбаев"),
    (["Министр Айгуль Сапарова провела совещание.", "По ее словам, «все вопросы решены в рабочем порядке»."],
     "ее", "Айгуль Сапарова"),
    (["Адвокат Валерий Ким обжалует приговор.", "«Ущерб рассчитан неверно», — пояснил он журналистам."],
     "он", "Валерий Ким"),
    (["В акимате прошло совещание.", "— Работы начнутся весной, — сказал пресс-секретарь."],
     "пресс-секретарь", None),
])
def test_f_pronoun_or_role_resolved_from_the_article(paragraphs, speaker, canonical):
    q = only(paragraphs)
    assert (q.style, q.speaker, q.speaker_canonical) == ("F", speaker, canonical)


def test_pronoun_takes_the_nearest_person_of_its_gender():
    q = only(["Фигуристка Алина Кравченко заняла второе место.", "Ее тренер Олег Бойко доволен.",
              "«Я очень волновалась перед прокатом», — сказала она."])
    assert q.speaker_canonical == "Алина Кравченко"


def test_name_in_another_case_is_put_in_nominative():
    q = only(["«Тарифы вырастут на десять процентов», — сообщила Мадине Ержановой пресс-служба."])
    assert q.speaker == "пресс-служба"  # the addressee is not the speaker
    assert only(["По словам Мадины Ержановой, «многие уже пересели на такси»."]).speaker_canonical == "Мадина Ержанова"
    assert only(["По словам Касым-Жомарта Токаева, «выборы пройдут честно и открыто»."]).speaker_canonical \
        == "Касым-Жомарт Токаев"


@pytest.mark.parametrize("opening, closing", [("«", "»"), ("\"", "\""), ("«", "…»")])
def test_quote_over_two_paragraphs_is_one_quote(opening, closing):
    quotes = extract_quotes([
        f"Аким Марлен Ильясов заявил: {opening}Урожай в этом году рекордный.",
        f"Хлеба хватит и на экспорт{closing}.",
        "Фермеры с ним не согласны.",
    ])
    assert [(q.text.rstrip("…"), q.paragraph, q.style) for q in quotes] == [
        ("Урожай в этом году рекордный. Хлеба хватит и на экспорт", 0, "D")]


def test_quote_continued_with_the_opening_mark_repeated():
    quotes = extract_quotes([
        "«Урожай в этом году рекордный.",
        "«Хлеба хватит и на экспорт», — сказал аким Марлен Ильясов.",
    ])
    assert [(q.text, q.paragraph, q.style) for q in quotes] == [
        ("Урожай в этом году рекордный. Хлеба хватит и на экспорт", 0, "B")]


@pytest.mark.parametrize("word, expected", [
    ("заявил", "заявить"), ("заявила", "заявить"), ("убежден", "убедить"), ("подчёркивает", "подчеркивать"),
    ("сообщили", "сообщить"),
])
def test_verb_lemma_is_the_infinitive(word, expected):
    assert lemma(word) == expected


@pytest.mark.parametrize("paragraphs", [
    ["Депутаты приняли закон «О республиканском бюджете на 2026-2028 годы»."],
    ["Партия «Ак жол» выдвинула кандидатов, сообщает газета «Turkistan»."],
    ["Учебник «Основы финансовой грамотности» прошел экспертизу."],
    ["Он отметил, что работы завершатся в срок."],
    ["По его словам, дефицит бюджета снизится до 2,2 процента."],
    ["Ранее Мирзиёев назвал Казахстан «стратегическим партнером и союзником»."],
    ["— на первого ребенка — 164 350 тенге;", "— на второго — 190 000 тенге."],
    ["По данным ДЧС, в зоне подтопления находятся:", "— спасатели переведены на усиленный режим;",
     "— в школах отменены занятия второй смены."],
    ["Так называемые «серые» схемы продолжают работать."],
    ["«Итоги года: цифры и факты», — так называется доклад министерства, передает Caravan.kz."],
    ["Ночью температура опустится до -25 градусов, — предупредили синоптики."],
    ["Новый Налоговый кодекс: что изменится для ИП с 2026 года"],
])
def test_not_quotes(paragraphs):
    assert extract_quotes(paragraphs) == []


def test_a_document_or_organisation_is_the_source():
    """Issue 11: "— говорится в сообщении Х" quotes the organisation, not nobody; the
    canonical speaker is in nominative like every other one."""
    q = only(["«Объем инвестиций вырос на 12 процентов», — говорится в сообщении пресс-службы."])
    assert (q.text, q.speaker, q.speaker_canonical) == (
        "Объем инвестиций вырос на 12 процентов", "пресс-службы", "пресс-служба")
    q = only(["Министерство энергетики подвело итоги месяца.",
              "«Добыча выросла на 2%», — говорится в сообщении министерства."], )
    assert (q.speaker, q.speaker_canonical) == ("министерства", "Министерство энергетики")
    q = only(["«Уровень воды снизился на 60 сантиметров», — отмечается в докладе."])
    assert (q.speaker, q.speaker_canonical) == ("докладе", "доклад")


def test_who_then_colon_without_a_verb():
    q = only(["Председатель Нацбанка Тимур Сулейменов: «Инфляция остается высокой, снижать ставку рано»."])
    assert (q.text, q.speaker_canonical) == ("Инфляция остается высокой, снижать ставку рано", "Тимур Сулейменов")


# -- issue 11: the forms dev3 was written for ------------------------------------------


def test_interview_answers_after_initials_are_quotes_the_questions_are_not():
    quotes = extract_quotes([
        "Гроссмейстер Мадина Кенжебаева вернулась с чемпионата Азии.",
        "— Мадина, чего стоила эта победа?",
        "М. К.: Нервов. В последнем туре мне хватало ничьей.",
        "Корр.: Какие планы?",
        "М.К.: Олимпиада в сентябре.",
    ])
    assert [(q.paragraph, q.text, q.speaker, q.speaker_canonical, q.style) for q in quotes] == [
        (2, "Нервов. В последнем туре мне хватало ничьей.", "М. К.", "Мадина Кенжебаева", "E"),
        (4, "Олимпиада в сентябре.", "М.К.", "Мадина Кенжебаева", "E"),
    ]


def test_a_dash_question_after_an_answer_is_not_its_continuation():
    quotes = extract_quotes([
        "— С дерева. Я беру только тутовник, — рассказывает мастер Бахытжан Сарсенбаев.",
        "— Есть ли у вас ученики?",
    ])
    assert [q.paragraph for q in quotes] == [0]


@pytest.mark.parametrize("paragraph, text", [
    ("«Мы долго спорили, нужна ли эта история, — признался режиссер Ерлан Тулеуов. — Зал ответил лучше нас».",
     "Мы долго спорили, нужна ли эта история Зал ответил лучше нас"),
    ("«Мы вели в счете до последней минуты, — сказал тренер Ерлан Тулеуов, — и сами подарили овертайм».",
     "Мы вели в счете до последней минуты и сами подарили овертайм"),
    ("“Иск удовлетворен частично, — сказал судья Ерлан Тулеуов. — Ответчик выплатит долг”.",
     "Иск удовлетворен частично Ответчик выплатит долг"),
])
def test_quote_in_marks_split_around_its_attribution(paragraph, text):
    q = only([paragraph])
    assert (q.text, q.speaker_canonical, q.start) == (text, "Ерлан Тулеуов", 1)


@pytest.mark.parametrize("paragraphs, text, canonical", [
    (["Наставник «Ордабасы» Нурбол Жумаскалиев был краток.", "«Проиграли заслуженно», — признал он."],
     "Проиграли заслуженно", "Нурбол Жумаскалиев"),
    (["Нападающий Никита Михайлис назвал поражение обидным.", "— Очень обидно, — коротко ответил он."],
     "Очень обидно", "Никита Михайлис"),
    (["Аким Караганды Ермаганбет Булекпаев провел совещание.",
      "На вопрос о сроках ремонта улицы Гоголя аким ответил коротко: «Весной начнем»."],
     "Весной начнем", "Ермаганбет Булекпаев"),
])
def test_two_word_quotes_with_a_speech_verb(paragraphs, text, canonical):
    q = only(paragraphs)
    assert (q.text, q.speaker_canonical) == (text, canonical)


@pytest.mark.parametrize("paragraphs", [
    ["«Посмотрим», — сказал он."],  # one word
    ["Он назвал это «обычной практикой»."],
    ["Тренер назвал предстоящий финал «боем года»."],
    ["«Музыка не знает границ»: в Алматы прошел фестиваль этно-джаза"],
    ["Слово «кризис» прозвучало на заседании пять раз."],
])
def test_short_marked_words_without_a_speaker_are_no_quote(paragraphs):
    assert extract_quotes(paragraphs) == []


def test_speaker_line_then_a_guillemet_quote_over_two_paragraphs():
    quotes = extract_quotes([
        "Вице-министр сельского хозяйства Айдар Габдуллин на брифинге сказал:",
        "«Основные покупатели — Узбекистан и Таджикистан.",
        "До конца сезона мы рассчитываем выйти на 10 миллионов тонн».",
        "«Продовольственная корпорация» закупит еще 500 тысяч тонн.",
    ])
    assert [(q.paragraph, q.text, q.speaker_canonical, q.style) for q in quotes] == [
        (1, "Основные покупатели — Узбекистан и Таджикистан. До конца сезона мы рассчитываем выйти на 10 миллионов тонн",
         "Айдар Габдуллин", "D")]


@pytest.mark.parametrize("paragraphs, speaker", [
    (["Казахстанская боксерша Айгерим Сарсенова вышла в финал.", "Ее тренер Бахытжан Ермеков уверен в успехе.",
      "«Буду драться за золото», — добавила она."], "она"),
    (["Прыгунья Дана Ахметова взяла бронзу.", "Ее тренер Виталий Соколов доволен.",
      "По ее словам, «это не тот результат, ради которого я ехала»."], "ее"),
    (["Юлия Путинцева обыграла американку Слоан Стивенс во втором круге.",
      "— Я много ошибалась в первом сете, — сказала она."], "она"),
])
def test_pronoun_takes_the_earlier_person_of_its_gender_and_the_subject(paragraphs, speaker):
    q = only(paragraphs)
    assert q.speaker == speaker
    assert q.speaker_canonical in paragraphs[0] and q.speaker_canonical != "Слоан Стивенс"


def test_role_refers_back_to_the_earlier_role_and_name():
    q = extract_quotes([
        "Министр энергетики Алмасадам Сатқалиев рассказал о ценах на топливо.",
        "Председатель агентства Марат Омаров заявил, что проверит АЗС.",
        "«Если мы увидим сговор, штрафы будут максимальными», — добавил Омаров.",
        "«Запасов топлива хватит на 40 дней», — уточнил министр.",
    ])
    assert [(x.speaker, x.speaker_canonical) for x in q] == [
        ("Омаров", "Марат Омаров"), ("министр", "Алмасадам Сатқалиев")]


@pytest.mark.parametrize("paragraphs, speaker, canonical", [
    (["В Усть-Каменогорске мошенники обманули пенсионерку.", "Представитель полиции Ержан Садыков дал советы.",
      "«Говорили так вежливо, что я не засомневалась», — рассказала пострадавшая пенсионерка."],
     "пострадавшая пенсионерка", None),
    (["Главный тренер алматинцев Андрей Ковальчук похвалил оборону.",
      "— Мы не дали сопернику ни одного момента, — сказал главный тренер."], "главный тренер", "Андрей Ковальчук"),
    (["Хозяйка дома, 52-летняя Алия Нуркенова, получила ожоги.",
      "«Я проснулась от треска», — рассказала пострадавшая."], "пострадавшая", "Алия Нуркенова"),
])
def test_adjective_and_noun_speakers(paragraphs, speaker, canonical):
    q = only(paragraphs)
    assert (q.speaker, q.speaker_canonical) == (speaker, canonical)


@pytest.mark.parametrize("paragraphs, canonical", [
    # the verb's gender: a woman's role is not the man named before
    (["Подсудимый Руслан Гайсин вину не признал.", "«Моя дочь до сих пор ходит с тростью», — сказала женщина."], None),
    (["Подсудимый Руслан Гайсин вину не признал.", "Адвокат подсудимого Марина Белова просит эксперимента.",
      "Прокурор Серик Нуров возражает.", "«Камеры не работали», — пояснила защитник."], "Марина Белова"),
    # the gender of a name pymorphy does not know, from the verb next to it
    (["Министр здравоохранения Ажар Гиният посетила больницу.", "Главврач Серик Омаров показал отделение.",
      "Медсестра Алия Ким рассказала о зарплатах.", "«Оборудование закупим до конца года», — пообещала министр."],
     "Ажар Гиният"),
    # a plural verb is an institution, nobody in particular
    (["Официальный представитель полиции Алмас Садубаев рассказал о ДТП.",
      "«Водитель задержан», — уточнили в полиции."], None),
    # a role falls to the person named in the paragraph before
    (["Главный тренер Андрей Ковальчук похвалил оборону.", "Автором обоих голов стал нападающий Ерасыл Темирханов.",
      "— Первый гол посвящаю маме, — улыбнулся футболист."], "Ерасыл Темирханов"),
])
def test_speaker_grammar_and_nearness(paragraphs, canonical):
    q = only(paragraphs)
    assert q.speaker_canonical == canonical


def test_lone_unknown_surname_and_hyphenated_patronymic():
    q = extract_quotes([
        "Руководитель отдела ЖКХ Андрей Пак доложил о ремонте.",
        "«Еще 14 улиц закончим до 15 октября», — сказал Пак.",
        "Эколог Маржан Кенжебаева-кызы отнеслась к плану осторожно:",
        "— Саженцы без полива погибнут в первое же лето.",
    ])
    assert [x.speaker_canonical for x in q] == ["Андрей Пак", "Маржан Кенжебаева-кызы"]


@pytest.mark.parametrize("phrase, nominative", [
    ("По словам Ляззат Омаровой, «очереди сократятся вдвое».", "Ляззат Омарова"),
    ("По словам главного тренера сборной Алексея Шпилевского, «команда готова к отбору».", "Алексей Шпилевский"),
    ("«Вина доказана», — сказала пресс-секретарь суда Назерке Абдуллаева.", "Назерке Абдуллаева"),
    ("«Банк списал деньги без согласия», — заявил Виктор Семенов.", "Виктор Семенов"),
])
def test_names_in_nominative_as_the_article_spells_them(phrase, nominative):
    assert only([phrase]).speaker_canonical == nominative


def test_initials_of_no_one_named_are_not_an_interview():
    assert extract_quotes(["Мы поговорили с известным фермером.", "А. Б.: Почему вы выбрали лен?",
                           "В. Г.: Лен выгоднее пшеницы."]) == []


@pytest.mark.parametrize("paragraphs, expected", [
    (["Министр финансов Мади Такиев не скрывает: «Дефицит бюджета вырастет»."],
     [("Министр финансов Мади Такиев", "Мади Такиев")]),
    (["Вот что сказал журналистам глава района Нурлан Ермеков:", "«Дорогу откроем к пятнице, подрядчик уже работает»."],
     [("глава района Нурлан Ермеков", "Нурлан Ермеков")]),
    (["Эксперт Айдар Сеитов: «Рынок перегрет». Его коллега Мария Ли возражает: «Перегрева нет, есть спрос»."],
     [("Эксперт Айдар Сеитов", "Айдар Сеитов"), ("коллега Мария Ли", "Мария Ли")]),
    (["— Завтра будет лучше, — пообещал аким Алматы Ерболат Досаев журналистам."],
     [("аким Алматы Ерболат Досаев", "Ерболат Досаев")]),
])
def test_speaker_phrase_ends_with_the_name(paragraphs, expected):
    assert [(q.speaker, q.speaker_canonical) for q in extract_quotes(paragraphs)] == expected


@pytest.mark.parametrize("paragraphs, canonical", [
    (["Министр сельского хозяйства Айдарбек Сапаров провел брифинг.", "Его заместитель Ержан Ахметов рассказал о субсидиях.",
      "Журналисты спросили о ценах на муку.", "«Цены на муку расти не будут», — заверил глава ведомства."], "Айдарбек Сапаров"),
    (["Главный тренер «Тобола» Нурбол Смаилов доволен игрой.", "Нападающий Арман Сериков забил два гола.",
      "Защитник Олег Ким получил травму.", "— Ребята молодцы, — сказал наставник."], "Нурбол Смаилов"),
    (["Аким Павлодарской области Асаин Байханов открыл школу.", "Директор школы Гульнар Исаева поблагодарила строителей.",
      "Учитель Марат Жуков показал кабинеты.", "«Таких школ построим еще пять», — пообещал глава региона."], "Асаин Байханов"),
    (["Прокурор Айдос Нуриев выступил в прениях.", "Адвокат Сергей Белов просил оправдать подзащитного.",
      "— Вина доказана полностью, — настаивает гособвинитель."], "Айдос Нуриев"),
    (["Президент Касым-Жомарт Токаев встретился с премьер-министром Оралом Нуртаевым.", "Премьер доложил о росте ВВП.",
      "«Рост должен почувствовать каждый», — подчеркнул глава государства."], "Касым-Жомарт Токаев"),
])
def test_role_of_the_same_kind_refers_back_and_another_kind_does_not(paragraphs, canonical):
    """"глава ведомства" is the minister, "наставник" the head coach, not the defender named last."""
    assert only(paragraphs).speaker_canonical == canonical


def test_attribution_in_the_next_sentence():
    q = only(["«Мы выполним план по вводу жилья». Об этом на брифинге заявил министр промышленности Канат Шарлапаев."])
    assert (q.text, q.speaker_canonical, q.style) == ("Мы выполним план по вводу жилья", "Канат Шарлапаев", "B")
    assert extract_quotes(["Депутаты приняли закон «О дорогах и дорожной деятельности». Об этом сообщила пресс-служба."]) == []


def test_a_second_colon_quote_after_and_keeps_the_speaker():
    quotes = extract_quotes(["Министр Канат Шарлапаев отметил: «План выполним». И добавил: «Жилье будет доступным для всех»."])
    assert [(q.text, q.speaker_canonical) for q in quotes] == [
        ("План выполним", "Канат Шарлапаев"), ("Жилье будет доступным для всех", "Канат Шарлапаев")]


def test_a_short_reply_after_a_speaker_line():
    q = only(["Директор школы Айгуль Нурова:", "— Школа готова."])
    assert (q.text, q.speaker_canonical, q.style) == ("Школа готова.", "Айгуль Нурова", "E")
    assert extract_quotes(["Директор школы Айгуль Нурова:", "— 25 тысяч тенге;"]) == []


@pytest.mark.parametrize("paragraph, canonical", [
    ("По словам Евгения Карабанова, «вагонов не хватает уже сейчас».", "Евгений Карабанов"),
    ("По словам Руслана Гайсина, «деньги вернут всем вкладчикам».", "Руслан Гайсин"),
    ("По словам Анны Костенко, «вагонов не хватает уже сейчас».", "Анна Костенко"),
    ("«Аренда съедает половину стипендии», — говорит студентка Евразийского университета Камила Жунусова.",
     "Камила Жунусова"),
    ("«Камеры на перекрестке не работали», — пояснила адвокат подсудимого Марина Белова.", "Марина Белова"),
])
def test_a_name_in_genitive_is_a_man_when_only_the_case_says_so(paragraph, canonical):
    """"Евгения Карабанова" after "По словам" is Евгений Карабанов, not a woman named Евгения."""
    assert only([paragraph]).speaker_canonical == canonical


def test_said_and_added_then_a_second_quote():
    quotes = extract_quotes(["«Мы готовы к паводку», — сказал аким района Нурлан Ермеков и добавил: "
                             "«Мешки с песком уже завезли в каждое село»."])
    assert [(q.text, q.speaker_canonical, q.verb) for q in quotes] == [
        ("Мы готовы к паводку", "Нурлан Ермеков", "сказал"),
        ("Мешки с песком уже завезли в каждое село", "Нурлан Ермеков", "добавил")]


def test_a_role_of_another_kind_is_not_the_person_quoted_just_before():
    quotes = extract_quotes(["«Дорогу построим за год», — сказал аким района Нурлан Ермеков.",
                             "«Подрядчик уже выбран», — добавил пресс-секретарь."])
    assert [q.speaker_canonical for q in quotes] == ["Нурлан Ермеков", None]


@pytest.mark.parametrize("paragraphs", [
    ["Аким перечислил меры:", "— Ремонт школ.", "— Новые автобусы."],
    ["Министр назвал приоритеты:", "— Ремонт дорог."],
])
def test_short_capitalized_list_items_after_a_colon_are_no_reply(paragraphs):
    assert extract_quotes(paragraphs) == []
