"""A synthetic AIM corpus for the benchmark: the same events as AIM API JSON and as page text.

    python -m bench.corpus --events 20000 --out build/corpus [--seed 1] [--form both]

writes ``OUT/json/`` (paginated ``{"incidents": [...]}`` files of 500 records, like the AIM API,
or JSON Lines with ``--jsonl``), ``OUT/pages/YYYY/<id>.txt`` (one AIM page per event, named by
its AIM id, in the page anatomy of docs/inputs.md) and ``OUT/manifest.json``
(the parameters and counts). Both forms hold the SAME events, so they can be timed side by side;
the page form has no countries, as AIM pages show none, and the JSON form has article URLs only
with ``--urls`` (pages have none), so by default the two forms give the same graph but for the
aim:country triples.

What makes it realistic:
- facet values are drawn from the real records of tests/data/aim-mirror-sample.json: each facet
  of an event takes the value (a list of exact vocabulary labels) that facet has in a random
  real record, so label frequencies, list lengths and co-occurrence within a facet are the real
  ones; severity, autonomy level and countries likewise (a share of countries from a wider list);
- article counts are long-tailed (log-normal, 1 to several hundred; 20,000 events have about
  160,000 articles); articles are spread over the days after the event;
- headlines are multilingual: the real headlines of tests/data/headlines.tsv, recombined
  (spliced, other entities and numbers, an outlet suffix) and templated English ones;
- a few thousand outlets, per language, with a long-tailed popularity and spelling variants
  (case, accents, hyphens: "Europa Press" / "europa press" / "Europa-Press");
- dates spread over 2014-2026 (more events in later years), AIM ids ``YYYY-MM-DD-xxxx``,
  AIID ids from kg/data/aiid-oecd-links.json (shipped with aim-kg) on a few events;
- pages are copied the way users copy them: some with CRLF, a BOM, zero-width spaces between
  labels, extra blank lines, an article listed twice.

Everything is drawn from ``random.Random`` seeded by ``--seed`` (page noise by seed and event
id), and written in a fixed order: the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import math
import random
import re
import shutil
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg import resources

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # copies of outside data, with sources and licences
MIRROR = DATA / "aim-mirror-sample.json"
AIID_LINKS = resources.aiid_links_file()  # the linkset shipped with aim-kg
HEADLINES = ROOT / "tests" / "data" / "headlines.tsv"

VERSION = 1  # bump when the same seed would give different bytes
DEFAULT_SEED = 20260301

# The facets of a record, by API key (kg.vocab: aim:recordKey), in page order (aim-facets.md §1)
# with the mirror's key for each; the last three headings carry a colon on pages.
FACET_KEYS = [
    ("principles", "principles"),
    ("industries", "industries"),
    ("harmed_entities", "harmed_entities"),
    ("harm_types", "tipos_dano"),
    ("harm_levels", "tipo"),
    ("business_functions", "business_functions"),
    ("autonomy_level", "autonomy_level"),
    ("ai_tasks", "ai_tasks"),
]
COLON_HEADINGS = {"business_functions", "autonomy_level", "ai_tasks"}

# Page furniture (aim-facets.md §1).
THUMBNAIL = "Thumbnail Image"
DISCLAIMER = (
    "The information displayed in the AIM should not be reported as representing the official "
    "views of the OECD or of its member countries."
)
WHY = "Why's our monitor labelling this an incident or hazard?"
OTHER_DATABASES = "In other databases"
ARTICLES = "Articles about this incident or hazard"
AI_GENERATED = "[AI generated]"

# ---------------------------------------------------------------- word lists

ENTITIES = [
    "ChatGPT", "OpenAI", "Google", "Gemini", "Meta", "Llama", "Tesla", "Autopilot", "Waymo",
    "Microsoft", "Copilot", "Amazon", "Alexa", "Apple", "Siri", "Clearview AI", "Midjourney",
    "Stable Diffusion", "Grok", "xAI", "Anthropic", "Claude", "DeepSeek", "Baidu", "Alibaba",
    "TikTok", "ByteDance", "Uber", "Cruise", "Zoox", "Nvidia", "Samsung", "Character.AI",
    "Replika", "Palantir", "IBM", "Huawei", "Tencent", "Mistral", "Perplexity", "Snapchat",
    "Instagram", "YouTube", "LinkedIn", "Workday", "HireVue", "Rekognition", "Sora", "Kling",
    "Apollo Go", "Pony.ai", "WeRide", "Boston Dynamics", "Figure AI", "Unitree", "Hikvision",
]  # fmt: skip
# (city, ISO3, country name as AIM names it, home language)
PLACES = [
    ("New York", "USA", "United States", "en"), ("San Francisco", "USA", "United States", "en"),
    ("Austin", "USA", "United States", "en"), ("Chicago", "USA", "United States", "en"),
    ("Phoenix", "USA", "United States", "en"), ("Los Angeles", "USA", "United States", "en"),
    ("Seattle", "USA", "United States", "en"), ("Boston", "USA", "United States", "en"),
    ("Miami", "USA", "United States", "en"), ("Denver", "USA", "United States", "en"),
    ("London", "GBR", "United Kingdom", "en"), ("Manchester", "GBR", "United Kingdom", "en"),
    ("Glasgow", "GBR", "United Kingdom", "en"), ("Dublin", "IRL", "Ireland", "en"),
    ("Toronto", "CAN", "Canada", "en"), ("Montréal", "CAN", "Canada", "fr"),
    ("Sydney", "AUS", "Australia", "en"), ("Melbourne", "AUS", "Australia", "en"),
    ("Auckland", "NZL", "New Zealand", "en"), ("Lagos", "NGA", "Nigeria", "en"),
    ("Nairobi", "KEN", "Kenya", "en"), ("Johannesburg", "ZAF", "South Africa", "en"),
    ("Singapore", "SGP", "Singapore", "en"), ("Mumbai", "IND", "India", "hi"),
    ("Bengaluru", "IND", "India", "en"), ("New Delhi", "IND", "India", "hi"),
    ("Madrid", "ESP", "Spain", "es"), ("Barcelona", "ESP", "Spain", "ca"),
    ("Málaga", "ESP", "Spain", "es"), ("Cáceres", "ESP", "Spain", "es"),
    ("Sevilla", "ESP", "Spain", "es"), ("A Coruña", "ESP", "Spain", "es"),
    ("México", "MEX", "Mexico", "es"), ("Guadalajara", "MEX", "Mexico", "es"),
    ("Bogotá", "COL", "Colombia", "es"), ("Medellín", "COL", "Colombia", "es"),
    ("Buenos Aires", "ARG", "Argentina", "es"), ("Córdoba", "ARG", "Argentina", "es"),
    ("Santiago", "CHL", "Chile", "es"), ("Lima", "PER", "Peru", "es"),
    ("Paris", "FRA", "France", "fr"), ("Lyon", "FRA", "France", "fr"),
    ("Marseille", "FRA", "France", "fr"), ("Mérignac", "FRA", "France", "fr"),
    ("Genève", "CHE", "Switzerland", "fr"), ("Zürich", "CHE", "Switzerland", "de"),
    ("Bruxelles", "BEL", "Belgium", "fr"), ("Berlin", "DEU", "Germany", "de"),
    ("München", "DEU", "Germany", "de"), ("Köln", "DEU", "Germany", "de"),
    ("Hamburg", "DEU", "Germany", "de"), ("Düsseldorf", "DEU", "Germany", "de"),
    ("Wien", "AUT", "Austria", "de"), ("Graz", "AUT", "Austria", "de"),
    ("Amsterdam", "NLD", "Netherlands", "nl"), ("Rotterdam", "NLD", "Netherlands", "nl"),
    ("Lisboa", "PRT", "Portugal", "pt"), ("Porto", "PRT", "Portugal", "pt"),
    ("São Paulo", "BRA", "Brazil", "pt"), ("Rio de Janeiro", "BRA", "Brazil", "pt"),
    ("Brasília", "BRA", "Brazil", "pt"), ("Roma", "ITA", "Italy", "it"),
    ("Milano", "ITA", "Italy", "it"), ("Napoli", "ITA", "Italy", "it"),
    ("Torino", "ITA", "Italy", "it"), ("Stockholm", "SWE", "Sweden", "sv"),
    ("Göteborg", "SWE", "Sweden", "sv"), ("København", "DNK", "Denmark", "en"),
    ("Warszawa", "POL", "Poland", "pl"), ("Łódź", "POL", "Poland", "pl"),
    ("Praha", "CZE", "Czech Republic", "cs"), ("Bucureşti", "ROU", "Romania", "ro"),
    ("Brașov", "ROU", "Romania", "ro"), ("Athens", "GRC", "Greece", "el"),
    ("İstanbul", "TUR", "Türkiye", "tr"), ("Ankara", "TUR", "Türkiye", "tr"),
    ("Kyiv", "UKR", "Ukraine", "uk"), ("Moscow", "RUS", "Russia", "ru"),
    ("Tel Aviv", "ISR", "Israel", "he"), ("Tehran", "IRN", "Iran", "fa"),
    ("Cairo", "EGY", "Egypt", "ar"), ("Dubai", "ARE", "United Arab Emirates", "ar"),
    ("Riyadh", "SAU", "Saudi Arabia", "ar"), ("Beijing", "CHN", "China", "zh"),
    ("Shanghai", "CHN", "China", "zh"), ("Wuhan", "CHN", "China", "zh"),
    ("Shenzhen", "CHN", "China", "zh"), ("Hong Kong", "CHN", "China", "zh"),
    ("Taipei", "TWN", "Chinese Taipei", "zh"), ("Tokyo", "JPN", "Japan", "ja"),
    ("Osaka", "JPN", "Japan", "ja"), ("Seoul", "KOR", "Korea", "ko"),
    ("Busan", "KOR", "Korea", "ko"), ("Jakarta", "IDN", "Indonesia", "id"),
    ("Bangkok", "THA", "Thailand", "th"), ("Hanoi", "VNM", "Viet Nam", "vi"),
    ("Kuala Lumpur", "MYS", "Malaysia", "en"), ("Manila", "PHL", "Philippines", "en"),
    ("Karachi", "PAK", "Pakistan", "en"), ("Dakar", "SEN", "Senegal", "fr"),
]  # fmt: skip
LANGUAGE_SHARE = {
    "en": 40, "es": 9, "fr": 6, "de": 6, "pt": 5, "it": 4, "zh": 5, "ja": 4, "ko": 3, "nl": 2,
    "tr": 2, "ar": 2, "el": 1, "ru": 1.5, "pl": 1, "uk": 1, "id": 1, "vi": 0.7, "th": 0.7,
    "sv": 0.7, "ro": 0.7, "hi": 0.7, "he": 0.7, "fa": 0.7, "cs": 0.7, "ca": 0.7, "und": 1,
}  # fmt: skip
ISO639_3 = {
    "en": "eng", "es": "spa", "fr": "fra", "de": "deu", "pt": "por", "it": "ita", "zh": "zho",
    "ja": "jpn", "ko": "kor", "nl": "nld", "tr": "tur", "ar": "ara", "el": "ell", "ru": "rus",
    "pl": "pol", "uk": "ukr", "id": "ind", "vi": "vie", "th": "tha", "sv": "swe", "ro": "ron",
    "hi": "hin", "he": "heb", "fa": "fas", "cs": "ces", "ca": "cat", "und": "und",
}  # fmt: skip
# Outlets: some real names per language, then names built from patterns and places.
REAL_OUTLETS = {
    "en": ["Reuters", "AP News", "BBC News", "The Guardian", "The New York Times", "CNN",
           "The Washington Post", "Bloomberg", "Financial Times", "The Verge", "Wired",
           "TechCrunch", "Ars Technica", "Forbes", "NBC News", "CBS News", "ABC News",
           "Fox News", "NPR", "The Independent", "The Telegraph", "Sky News", "Politico",
           "Axios", "Business Insider", "The Register", "ZDNet", "Engadget", "Gizmodo",
           "VentureBeat", "MIT Technology Review", "The Hindu", "Times of India",
           "South China Morning Post", "The Straits Times", "Al Jazeera", "Euronews",
           "The Korea Herald", "The Japan Times", "Daily Mail", "The Sun", "Yahoo News",
           "USA Today", "Los Angeles Times", "The Atlantic", "404 Media", "Futurism"],
    "es": ["El País", "El Mundo", "Europa Press", "ABC", "La Vanguardia", "El Confidencial",
           "elDiario.es", "20minutos", "Infobae", "Clarín", "La Nación", "El Tiempo",
           "El Universal", "Milenio", "RTVE", "Xataka", "El Español", "Público", "La Razón",
           "El Periódico", "Expansión", "Cadena SER", "Hoy", "El Comercio"],
    "fr": ["Le Monde", "Le Figaro", "Libération", "franceinfo", "BFMTV", "Les Échos",
           "Le Parisien", "Ouest-France", "20 Minutes", "L'Express", "Le Point", "Numerama",
           "01net", "Sud Ouest", "La Dépêche du Midi", "Le Temps", "RTBF", "Radio-Canada"],
    "de": ["Der Spiegel", "Die Zeit", "Süddeutsche Zeitung", "Frankfurter Allgemeine",
           "tagesschau.de", "Heise Online", "Golem.de", "Die Welt", "Handelsblatt", "Bild",
           "t3n", "Der Standard", "Neue Zürcher Zeitung", "Tagesspiegel", "Stern", "Focus"],
    "pt": ["Folha de S.Paulo", "O Globo", "G1", "Estadão", "Público", "Expresso", "UOL",
           "Observador", "Jornal de Notícias", "CNN Brasil", "Correio Braziliense"],
    "it": ["Corriere della Sera", "la Repubblica", "La Stampa", "Il Sole 24 Ore", "ANSA",
           "Il Fatto Quotidiano", "Il Messaggero", "Wired Italia", "Sky TG24", "Il Post"],
    "nl": ["NOS", "de Volkskrant", "NRC", "De Telegraaf", "Het Parool", "De Standaard"],
    "zh": ["人民网", "新华网", "澎湃新闻", "财新网", "联合报", "自由时报", "中央社", "36氪"],
    "ja": ["朝日新聞", "読売新聞", "毎日新聞", "日本経済新聞", "NHKニュース", "産経新聞"],
    "ko": ["연합뉴스", "조선일보", "중앙일보", "한겨레", "KBS 뉴스", "동아일보"],
    "tr": ["Hürriyet", "Milliyet", "Sözcü", "Cumhuriyet", "NTV", "Habertürk"],
    "ar": ["الجزيرة", "العربية", "الأهرام", "سكاي نيوز عربية", "الشرق الأوسط"],
    "el": ["Καθημερινή", "Τα Νέα", "ΕΡΤ", "in.gr"],
    "ru": ["РИА Новости", "Коммерсантъ", "ТАСС", "Ведомости"],
    "pl": ["Gazeta Wyborcza", "Rzeczpospolita", "TVN24", "Onet"],
    "uk": ["Українська правда", "УНІАН", "Укрінформ"],
    "id": ["Kompas", "Detik", "Tempo", "CNN Indonesia"],
    "vi": ["VnExpress", "Tuổi Trẻ", "Thanh Niên"],
    "th": ["ไทยรัฐ", "มติชน", "Bangkok Post"],
    "sv": ["Dagens Nyheter", "Svenska Dagbladet", "Aftonbladet", "SVT Nyheter"],
    "ro": ["Digi24", "Adevărul", "HotNews", "Libertatea"],
    "hi": ["दैनिक भास्कर", "अमर उजाला", "नवभारत टाइम्स"],
    "he": ["הארץ", "ידיעות אחרונות", "וואלה"],
    "fa": ["همشهری", "ایسنا", "ایرنا"],
    "cs": ["iDNES.cz", "Seznam Zprávy", "Deník N"],
    "ca": ["Ara", "VilaWeb", "El Nacional.cat", "Nació Digital"],
    "und": ["AI Incident Watch", "TechMeme", "Hacker News"],
}  # fmt: skip
OUTLET_PATTERNS = {
    "en": ["The {city} Times", "{city} Herald", "{city} Tribune", "The {city} Post",
           "{city} Daily News", "{city} Gazette", "The {city} Chronicle", "{city} Observer",
           "{city} Star", "{city} Courier", "{city} Journal", "{city} Sentinel",
           "{city} Business Journal", "{city} Tech Review", "{city} Public Radio",
           "{city} Evening Standard", "{city} Independent", "{city} Express", "{city} Record",
           "{city} Today", "{city} Insider", "{city} Wire", "News {n} {city}",
           "{word} {media}", "The {word} {media}", "{word}{suffix}"],
    "es": ["Diario de {city}", "La Voz de {city}", "El Correo de {city}", "Noticias de {city}",
           "Heraldo de {city}", "El Norte de {city}", "Crónica de {city}", "{city} Hoy",
           "Radio {city}", "La Opinión de {city}"],
    "fr": ["Le Journal de {city}", "Le Progrès de {city}", "{city} Matin", "La Voix de {city}",
           "Le Courrier de {city}", "Les Nouvelles de {city}", "Radio {city}",
           "L'Écho de {city}"],
    "de": ["{city}er Zeitung", "{city}er Allgemeine", "{city}er Nachrichten",
           "{city}er Morgenpost", "{city}er Rundschau", "Radio {city}", "{city} Aktuell"],
    "pt": ["Jornal de {city}", "Folha de {city}", "Diário de {city}", "Correio de {city}",
           "Gazeta de {city}", "Notícias de {city}"],
    "it": ["Il Corriere di {city}", "La Gazzetta di {city}", "Il Giornale di {city}",
           "La Nazione di {city}", "Il Resto di {city}", "{city} Today"],
    "nl": ["{city}s Dagblad", "Nieuws {city}", "Omroep {city}"],
    "zh": ["{city}日报", "{city}晚报", "{city}新闻网", "{city}商报"],
    "ja": ["{city}新聞", "{city}日報", "{city}タイムズ"],
    "ko": ["{city}일보", "{city}신문", "{city}뉴스"],
    "tr": ["{city} Haber", "{city} Gazetesi", "{city} Postası"],
    "ar": ["صحيفة {city}", "أخبار {city}"],
}  # fmt: skip
CJK_PLACES = {
    "zh": ["北京", "上海", "武汉", "深圳", "广州", "杭州", "成都", "南京", "台北", "高雄", "香港",
           "重庆", "天津", "西安", "苏州", "厦门", "青岛", "长沙", "郑州", "合肥"],
    "ja": ["東京", "大阪", "京都", "名古屋", "福岡", "札幌", "神戸", "横浜", "仙台", "広島"],
    "ko": ["서울", "부산", "인천", "대구", "광주", "대전", "울산", "수원", "제주", "경기"],
    "ar": ["القاهرة", "دبي", "الرياض", "بيروت", "عمان", "الدوحة", "تونس", "الرباط"],
}  # fmt: skip
OUTLET_WORDS = [
    "Tech", "Digital", "Future", "Signal", "Circuit", "Data", "Byte", "Pixel", "Algorithm",
    "Silicon", "Cyber", "Neural", "Quantum", "Frontier", "Policy", "Civic", "Metro", "Global",
    "Daily", "Open", "Machine", "Robot", "Cloud",
]  # fmt: skip
OUTLET_MEDIA = [
    "Report", "Review", "Wire", "Times", "Post", "Dispatch", "Bulletin", "Insider", "Weekly",
    "Monitor", "Observer", "Ledger", "Brief", "Digest", "Journal",
]  # fmt: skip
OUTLET_SUFFIX = ["Crunch", "Beat", "Wire", "Hub", "Watch", "Net", "Line", "Feed", "Desk"]

# Event titles and texts (English, like AIM's).
TITLE_TEMPLATES = [
    "{entity} {system} {failure} Leads to {harm} in {city}",
    "AI-Generated {media} Used in {crime} Targeting {victims} in {city}",
    "{actor} Deploys {entity} {system} for {purpose}, Raising {concern} Concerns",
    "Lawsuit Alleges {entity}'s {system} {accusation}",
    "{entity} {system} Malfunction Causes {harm} in {city}",
    "Deepfake {media} of {person} Spreads Online in {city}",
    "{actor} in {city} Investigates {entity} Over {concern}",
    "{entity} Chatbot {accusation}",
]  # fmt: skip
SYSTEMS = [
    "Robotaxi", "Chatbot", "Facial Recognition System", "Recommendation Algorithm",
    "Hiring Algorithm", "Voice Assistant", "Image Generator", "Driver-Assistance System",
    "Content Moderation AI", "Credit Scoring Model", "Surveillance Cameras", "Delivery Robot",
    "Medical Imaging AI", "Translation Tool", "Predictive Policing Tool",
    "Welfare Fraud Algorithm", "AI Agent", "Large Language Model", "Voice Clone",
]  # fmt: skip
FAILURES = ["Error", "Failure", "Misidentification", "Hallucination", "Outage", "Bias",
            "Data Leak", "Misuse", "Unexpected Behaviour"]  # fmt: skip
HARMS = ["Injuries", "Wrongful Arrest", "Financial Losses", "Privacy Breach",
         "Discrimination Claims", "Traffic Disruption", "Fatal Crash", "Misinformation",
         "Job Losses", "Patient Harm", "Service Disruption", "Reputational Damage"]  # fmt: skip
MEDIA = ["Images", "Videos", "Audio", "Voice Messages", "Documents", "Advertisements"]
CRIMES = ["Fraud Scheme", "Investment Scam", "Extortion Campaign", "Disinformation Campaign",
          "Fake Fundraiser", "Romance Scam", "Phishing Attack"]  # fmt: skip
VICTIMS = ["Elderly Residents", "Students", "Families", "Voters", "Bank Customers", "Patients",
           "Job Seekers", "Journalists", "Women", "Children", "Small Businesses"]  # fmt: skip
ACTORS = ["Police", "City Council", "Government", "Regulator", "School District", "Hospital",
          "Ministry", "Court", "Data Protection Authority", "Transport Agency"]  # fmt: skip
PURPOSES = ["Public Safety", "Benefit Fraud Detection", "Exam Proctoring", "Border Control",
            "Traffic Enforcement", "Patient Triage", "Hiring", "Tax Audits"]  # fmt: skip
CONCERNS = ["Privacy", "Bias", "Safety", "Transparency", "Accountability", "Human Rights"]
ACCUSATIONS = ["Encouraged Self-Harm", "Defamed a Public Figure", "Leaked Personal Data",
               "Discriminated Against Applicants", "Fabricated Legal Citations",
               "Gave Dangerous Medical Advice", "Generated Explicit Images of Minors",
               "Spread Election Misinformation"]  # fmt: skip
PEOPLE = ["a Prime Minister", "a Football Star", "a Pop Singer", "a TV Presenter", "a Mayor",
          "a Company CEO", "a Journalist", "a Presidential Candidate"]  # fmt: skip
EVENT_RATIONALE = [
    "The event involves {a_system} whose {cause} {link} {harm_text}, so the monitor labels it an "
    "AI {severity}.",
    "{A_system} was {used} and this {link} {harm_text}; this meets the definition of an AI "
    "{severity}.",
    "Reports describe {a_system} that {link} {harm_text}. The AI system's {cause} is central to "
    "the event, which is therefore an AI {severity}.",
]  # fmt: skip
ARTICLE_RATIONALE = [
    "The article reports that {a_system} {link} {harm_text}.",
    "According to the article, the {cause} of {a_system} {link} {harm_text}.",
    "The report describes how {a_system} was {used}, which {link} {harm_text}.",
    "{A_system} is described as having {link_past} {harm_text}, as the article explains.",
]  # fmt: skip
A_SYSTEMS = ["an AI system", "a facial recognition system", "a generative AI model",
             "an autonomous vehicle", "an AI chatbot", "a recommendation algorithm",
             "a voice-cloning tool", "an automated decision system", "a deepfake generator",
             "an AI-powered surveillance system", "a large language model"]  # fmt: skip
CAUSES = ["use", "malfunction", "development", "deployment", "misuse", "outputs"]
USED = ["deployed without adequate safeguards", "misused by criminals", "used by the authorities",
        "released to the public", "relied upon for decisions"]  # fmt: skip
HARM_TEXTS = ["financial harm to the victims", "a violation of privacy rights",
              "physical injury", "psychological harm", "discrimination against a group",
              "the spread of false information", "disruption of critical services",
              "harm to the reputation of the people depicted", "a breach of personal data",
              "harm to public safety", "a violation of labour rights",
              "harm to the environment"]  # fmt: skip


# ---------------------------------------------------------------- sources


@dataclass
class Sources:
    """What the corpus is drawn from: real records, real headlines, AIID ids."""

    facets: dict[str, list[list[str]]]  # API key -> the value of that facet in each real record
    severities: list[str]
    countries: list[tuple[str, str]]  # (ISO3, AIM name) of each real record; ("", "") for none
    titles: list[str]
    summaries: list[str]
    headlines: dict[str, list[str]]  # language -> real headlines
    aiid: list[int]
    headings: dict[str, str]  # API key -> page heading (the scheme's prefLabel)


def _split_labels(value: object) -> list[str]:
    if isinstance(value, list):
        values = value
    elif isinstance(value, str) and value:
        values = value.split(" | ")
    else:
        values = []
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def load_sources(
    mirror: Path = MIRROR, headlines: Path = HEADLINES, links: Path = AIID_LINKS
) -> Sources:
    records = json.loads(mirror.read_text(encoding="utf-8"))
    facets = {key: [_split_labels(r.get(mkey)) for r in records] for key, mkey in FACET_KEYS}
    severities = [r["tipo"] for r in records]
    countries = [(r.get("country_code") or "", r.get("pais") or "") for r in records]
    by_lang: dict[str, list[str]] = {}
    for line in headlines.read_text(encoding="utf-8").splitlines()[1:]:
        code, _, text = line.partition("\t")
        if text.strip():
            by_lang.setdefault(code.strip(), []).append(" ".join(text.split()))
    aiid = sorted({int(link["incident_id"]) for link in json.loads(links.read_text("utf-8"))})
    from kg.vocab import vocabulary  # the headings are the schemes' prefLabels

    vocab = vocabulary()
    headings = {key: vocab.facet_by_key[key].heading for key, _ in FACET_KEYS}
    return Sources(
        facets=facets,
        severities=severities,
        countries=countries,
        titles=[" ".join(r["titulo"].split()) for r in records],
        summaries=[" ".join(r["resumo"].split()) for r in records if r.get("resumo")],
        headlines=by_lang,
        aiid=aiid,
        headings=headings,
    )


# ---------------------------------------------------------------- model


@dataclass
class Article:
    title: str
    date: str
    outlet: str  # as this article spells it
    language: str  # the language the headline was drawn in ("und": unknown)
    rationale: str | None = None
    url: str | None = None


@dataclass
class SynthEvent:
    id: str
    title: str
    date: str
    severity: str
    summary: str
    rationale: str | None
    facets: dict[str, list[str]]  # API key -> labels (severity included, under harm_levels)
    countries: list[tuple[str, str]]  # (ISO3, name)
    city: str
    aiid: list[int]
    articles: list[Article] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    events: int
    seed: int = DEFAULT_SEED
    mean_articles: float = 8.0  # 20,000 events -> ~160,000 articles
    sigma: float = 1.3  # spread of the log-normal article count
    max_articles: int = 600
    article_rationale: float = 0.05  # share of articles that carry their rationale
    event_rationale: float = 0.5  # share of events with a rationale
    outlets: int = 3000
    variant_share: float = 0.04  # articles that spell their outlet another way
    aiid_share: float = 0.03
    urls: bool = False  # article URLs in the JSON form (pages have none)


def fold(text: str) -> str:
    """Case, accents and spacing folded away (what kg.model.fold does to outlets and titles)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


class Drawer:
    """Weighted choices with cumulative weights computed once."""

    def __init__(self, items: list, weights: list[float]):
        self.items = items
        self.cum = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random):
        x = rng.random() * self.cum[-1]
        return self.items[bisect.bisect_right(self.cum, x)]


# ---------------------------------------------------------------- outlets


@dataclass
class Outlet:
    name: str
    language: str
    variants: list[str]


def _outlet_variants(name: str) -> list[str]:
    """Other spellings of an outlet that fold to the same name: case, accents, hyphens."""
    out = [name.lower(), name.upper()]
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    plain = unicodedata.normalize("NFC", plain)
    if plain != name:
        out.insert(0, plain)
    if " " in name:
        out.append(name.replace(" ", "-", 1))
    return [v for v in dict.fromkeys(out) if v != name and fold(v) == fold(name)]


def _add_outlet(name: str, names: list[str], seen: set[str]) -> None:
    key = fold(name)
    if key and key not in seen:
        seen.add(key)
        names.append(name)


def build_outlets(rng: random.Random, total: int) -> dict[str, tuple[list[Outlet], Drawer]]:
    """Outlets per language, about ``total`` in all, each language's in popularity order."""
    share = sum(LANGUAGE_SHARE.values())
    seen: set[str] = set()
    by_lang: dict[str, tuple[list[Outlet], Drawer]] = {}
    for language, weight in LANGUAGE_SHARE.items():
        wanted = max(len(REAL_OUTLETS.get(language, [])) + 3, round(total * weight / share))
        names: list[str] = []
        for name in REAL_OUTLETS.get(language, []):
            _add_outlet(name, names, seen)
        patterns = OUTLET_PATTERNS.get(language) or OUTLET_PATTERNS["en"]
        if language in CJK_PLACES:
            cities = CJK_PLACES[language]
        else:
            cities = [c for c, _, _, home in PLACES if home == language] or [
                c for c, _, _, _ in PLACES
            ]
            cities += [c for c, _, _, _ in PLACES if c not in cities]
        tries = 0
        while len(names) < wanted and tries < wanted * 50:
            tries += 1
            pattern = rng.choice(patterns)
            name = pattern.format(
                city=rng.choice(cities),
                n=rng.randint(2, 13),
                word=rng.choice(OUTLET_WORDS),
                media=rng.choice(OUTLET_MEDIA),
                suffix=rng.choice(OUTLET_SUFFIX),
            )
            _add_outlet(name, names, seen)
        outlets = [Outlet(name, language, _outlet_variants(name)) for name in names]
        # Zipf-like popularity: the real outlets first, then the generated ones.
        weights = [1.0 / (rank + 1) ** 0.95 for rank in range(len(outlets))]
        by_lang[language] = (outlets, Drawer(outlets, weights))
    return by_lang


# ---------------------------------------------------------------- text


_ENTITY_RE = re.compile(
    "|".join(re.escape(e) for e in sorted(ENTITIES, key=len, reverse=True)), re.UNICODE
)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
_PLACE_RE = re.compile(
    r"\b(" + "|".join(re.escape(p[0]) for p in sorted(PLACES, key=lambda p: -len(p[0]))) + r")\b"
)
_SPACELESS = {"zh", "ja", "th"}


def _swap_entities(text: str, rng: random.Random) -> str:
    return _ENTITY_RE.sub(lambda m: rng.choice(ENTITIES), text)


def _swap_numbers(text: str, rng: random.Random) -> str:
    def repl(m: re.Match) -> str:
        digits = m.group(0)
        return str(rng.randint(2, 10 ** min(len(digits), 4) * 3))

    return _NUMBER_RE.sub(repl, text)


def _splice(a: str, b: str, language: str, rng: random.Random) -> str:
    """The beginning of one headline and the end of another, in the same language."""
    if language in _SPACELESS or " " not in a or " " not in b:
        i = rng.randint(max(1, len(a) // 3), max(1, 2 * len(a) // 3))
        j = rng.randint(max(1, len(b) // 3), max(1, 2 * len(b) // 3))
        return (a[:i] + b[j:]).strip()
    wa, wb = a.split(), b.split()
    i = rng.randint(max(1, len(wa) // 3), max(1, (2 * len(wa)) // 3))
    j = rng.randint(max(1, len(wb) // 3), max(1, (2 * len(wb)) // 3))
    return " ".join(wa[:i] + wb[j:])


def _english_headline(rng: random.Random, event: SynthEvent) -> str:
    entity = rng.choice(ENTITIES)
    forms = [
        f"{entity} {rng.choice(SYSTEMS).lower()} blamed for {rng.choice(HARMS).lower()} in "
        f"{event.city}",
        f"{rng.choice(ACTORS)} probes {entity} after {rng.choice(HARMS).lower()}",
        f"How {entity}'s {rng.choice(SYSTEMS).lower()} {rng.choice(ACCUSATIONS).lower()}",
        f"{rng.choice(VICTIMS)} targeted by AI {rng.choice(CRIMES).lower()} in {event.city}",
        f"{entity} faces questions over {rng.choice(CONCERNS).lower()} after "
        f"{rng.choice(FAILURES).lower()}",
        f"{event.title} - what we know",
    ]
    return rng.choice(forms)


class Texts:
    def __init__(self, sources: Sources):
        self.sources = sources
        self.languages = [lang for lang in LANGUAGE_SHARE if sources.headlines.get(lang)]
        self.language = Drawer(self.languages, [LANGUAGE_SHARE[x] for x in self.languages])

    def headline(
        self, rng: random.Random, language: str, event: SynthEvent, outlet: str | None
    ) -> str:
        pool = self.sources.headlines[language]
        if language == "en" and rng.random() < 0.5:
            text = _english_headline(rng, event)
        else:
            text = rng.choice(pool)
            roll = rng.random()
            if roll < 0.45 and len(pool) > 1:
                text = _splice(text, rng.choice(pool), language, rng)
            if rng.random() < 0.5:
                text = _swap_entities(text, rng)
            if rng.random() < 0.5:
                text = _swap_numbers(text, rng)
        if outlet and rng.random() < 0.12:
            text += rng.choice([" - ", " | "]) + outlet
        return text

    def title(self, rng: random.Random, city: str) -> str:
        if rng.random() < 0.5:
            text = _swap_entities(rng.choice(self.sources.titles), rng)
            return _PLACE_RE.sub(lambda m: city, text)
        return rng.choice(TITLE_TEMPLATES).format(
            entity=rng.choice(ENTITIES),
            system=rng.choice(SYSTEMS),
            failure=rng.choice(FAILURES),
            harm=rng.choice(HARMS),
            city=city,
            media=rng.choice(MEDIA),
            crime=rng.choice(CRIMES),
            victims=rng.choice(VICTIMS),
            actor=rng.choice(ACTORS),
            purpose=rng.choice(PURPOSES),
            concern=rng.choice(CONCERNS),
            accusation=rng.choice(ACCUSATIONS),
            person=rng.choice(PEOPLE),
        )

    def summary(self, rng: random.Random, city: str) -> str:
        text = _swap_entities(rng.choice(self.sources.summaries), rng)
        text = _PLACE_RE.sub(lambda m: city, text)
        if rng.random() < 0.3:
            text += " " + _swap_entities(rng.choice(self.sources.summaries), rng).split(". ")[0]
            text = text.rstrip(".") + "."
        return text + AI_GENERATED

    @staticmethod
    def rationale(rng: random.Random, templates: list[str], severity: str) -> str:
        incident = severity == "AI incident"
        a_system = rng.choice(A_SYSTEMS)
        return rng.choice(templates).format(
            a_system=a_system,
            A_system=a_system[0].upper() + a_system[1:],
            cause=rng.choice(CAUSES),
            used=rng.choice(USED),
            link="led to" if incident else "could plausibly lead to",
            link_past="led to" if incident else "risked leading to",
            harm_text=rng.choice(HARM_TEXTS),
            severity="incident" if incident else "hazard",
        )


# ---------------------------------------------------------------- events


def _date_drawer() -> tuple[Drawer, int, int]:
    """Event dates over 2014-01-01 .. 2026-09-30, more in later years (AIM grows)."""
    import datetime as dt

    first, last = dt.date(2014, 1, 1), dt.date(2026, 9, 30)
    days = list(range(first.toordinal(), last.toordinal() + 1))
    weights = [1.45 ** (dt.date.fromordinal(d).year - 2014) for d in days]
    return Drawer(days, weights), first.toordinal(), dt.date(2026, 12, 31).toordinal()


def _iso(ordinal: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(ordinal).isoformat()


def _article_count(rng: random.Random, opts: Options) -> int:
    mu = math.log(opts.mean_articles) - opts.sigma**2 / 2
    return max(1, min(opts.max_articles, round(rng.lognormvariate(mu, opts.sigma))))


def generate(opts: Options, sources: Sources | None = None) -> list[SynthEvent]:
    """The events, newest first (as the AIM API lists them)."""
    sources = sources or load_sources()
    rng = random.Random(opts.seed)
    texts = Texts(sources)
    outlets = build_outlets(random.Random(opts.seed + 1), opts.outlets)
    dates, _, last_day = _date_drawer()
    home_places: dict[str, list[tuple]] = {}
    for place in PLACES:
        home_places.setdefault(place[1], []).append(place)
    ids: set[str] = set()
    keys: set[str] = set()  # article identities (outlet, date, title), unique over the corpus
    events = []
    for _ in range(opts.events):
        day = dates(rng)
        while True:
            event_id = f"{_iso(day)}-{rng.getrandbits(16):04x}"
            if event_id not in ids:
                ids.add(event_id)
                break
        severity = rng.choice(sources.severities)
        facets = {key: list(rng.choice(sources.facets[key])) for key, _ in FACET_KEYS}
        facets["harm_levels"] = [severity]
        # Countries: the real records' (frequencies included), a share from a wider list.
        if rng.random() < 0.8:
            code, name = rng.choice(sources.countries)
            countries = [(code, name)] if code else []
        else:
            place = rng.choice(PLACES)
            countries = [(place[1], place[2])]
        if countries and rng.random() < 0.03:
            place = rng.choice(PLACES)
            if place[1] != countries[0][0]:
                countries.append((place[1], place[2]))
        local = [p for c, _ in countries for p in home_places.get(c, [])]
        place = rng.choice(local) if local else rng.choice(PLACES)
        city, home = place[0], place[3]
        aiid = []
        if rng.random() < opts.aiid_share:
            aiid = sorted(rng.sample(sources.aiid, 1 if rng.random() < 0.8 else 2))
        event = SynthEvent(
            id=event_id,
            title=texts.title(rng, city),
            date=_iso(day),
            severity=severity,
            summary=texts.summary(rng, city),
            rationale=(
                Texts.rationale(rng, EVENT_RATIONALE, severity) + AI_GENERATED
                if rng.random() < opts.event_rationale
                else None
            ),
            facets=facets,
            countries=countries,
            city=city,
            aiid=aiid,
        )
        for n in range(_article_count(rng, opts)):
            # The first article dates the event (pages date an event by its first article).
            when = day if n == 0 else min(last_day, day + int(rng.expovariate(1 / 6.0)))
            language = home if home in outlets and rng.random() < 0.4 else texts.language(rng)
            if language not in sources.headlines:
                language = "en"
            drawer = outlets[language][1]
            for _attempt in range(20):
                outlet = drawer(rng)
                spelling = outlet.name
                if outlet.variants and rng.random() < opts.variant_share:
                    spelling = rng.choice(outlet.variants)
                title = texts.headline(rng, language, event, outlet.name)
                key = f"{fold(spelling)}|{_iso(when)}|{fold(title)}"
                if key not in keys:
                    keys.add(key)
                    break
            else:
                continue
            article = Article(title=title, date=_iso(when), outlet=spelling, language=language)
            if rng.random() < opts.article_rationale:
                article.rationale = Texts.rationale(rng, ARTICLE_RATIONALE, severity)
            if opts.urls:
                slug = "-".join(fold(title).split()[:8]) or "article"
                host = "-".join(fold(outlet.name).split()) or "news"
                digest = hashlib.sha1(key.encode()).hexdigest()[:8]
                article.url = f"https://www.{host}.example/{_iso(when)[:7]}/{slug}-{digest}"
            event.articles.append(article)
        events.append(event)
    events.sort(key=lambda e: (e.date, e.id), reverse=True)
    return events


# ---------------------------------------------------------------- writing


def record(event: SynthEvent) -> dict:
    """An AIM API record (aim-facets.md §3)."""
    properties: dict[str, object] = {}
    for key, _ in FACET_KEYS:
        labels = event.facets[key]
        properties[key] = (labels[0] if labels else "") if key == "autonomy_level" else labels
    languages = Counter(a.language for a in event.articles)
    location: dict[str, str] = {"location": event.city}
    if event.countries:
        location["country"] = ", ".join(name for _, name in event.countries)
        location["country_code"] = ",".join(code for code, _ in event.countries)
    articles = []
    for a in event.articles:
        item: dict[str, object] = {"title": a.title, "date": a.date, "publisher": a.outlet}
        if a.url:
            item["url"] = a.url
        item["evidences"] = [a.rationale] if a.rationale else []
        articles.append(item)
    return {
        "id": event.id,
        "title": event.title,
        "date": event.date,
        "summary": event.summary,
        "evidences": [event.rationale] if event.rationale else [],
        "location": location,
        "properties": properties,
        "aiid_ids": event.aiid,
        "n_articles": len(event.articles),
        "language_counts": {ISO639_3[k]: n for k, n in sorted(languages.items())},
        "articles": articles,
    }


def page(event: SynthEvent, sources: Sources, seed: int) -> str:
    """The event's AIM page as a user copies it (aim-facets.md §1), with the usual noise."""
    rng = random.Random(f"{seed}:{event.id}:page")
    zero_width = rng.random() < 0.3
    blank = rng.random() < 0.2
    lines = [event.title, "", THUMBNAIL, "", DISCLAIMER, "", event.summary, ""]
    if event.rationale:
        lines += [WHY, "", event.rationale]
    for key, _ in FACET_KEYS:
        labels = event.facets[key]
        if not labels:
            continue
        heading = sources.headings[key] + (":" if key in COLON_HEADINGS else "")
        joiner = "\u200b" if zero_width else ""
        lines += ["", heading] if blank or key == "principles" else [heading]
        lines.append(joiner.join(labels))
    if event.aiid:
        lines += ["", OTHER_DATABASES, ""]
        lines += [f"AI Incident Database: Incident {n}" for n in event.aiid]
        lines += [""]
    lines += ["", ARTICLES, ""]
    articles = list(event.articles)
    if len(articles) > 1 and rng.random() < 0.05:
        twice = rng.randrange(len(articles))
        articles.insert(rng.randrange(len(articles) + 1), articles[twice])
    for a in articles:
        lines += [THUMBNAIL, ""] if blank else [THUMBNAIL]
        lines += [a.title, a.date, a.outlet]
        if a.rationale:
            lines += [WHY, a.rationale]
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.15:
        text = text.replace("\n", "\r\n")
    if rng.random() < 0.05:
        text = "\ufeff" + text
    return text


def write_corpus(
    out: Path,
    opts: Options,
    form: str = "both",
    jsonl: bool = False,
    per_file: int = 500,
    log=None,
) -> dict:
    """Write the corpus to ``out`` (replacing json/ and pages/) and return its manifest."""
    started = time.perf_counter()
    sources = load_sources()
    events = generate(opts, sources)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, object] = {
        "events": len(events),
        "articles": sum(len(e.articles) for e in events),
        "max_articles": max((len(e.articles) for e in events), default=0),
        "outlets": len({fold(a.outlet) for e in events for a in e.articles}),
        "outlet_spellings": len({a.outlet for e in events for a in e.articles}),
        "languages": dict(
            sorted(Counter(a.language for e in events for a in e.articles).most_common())
        ),
        "first_date": min((e.date for e in events), default=None),
        "last_date": max((e.date for e in events), default=None),
        "events_with_aiid": sum(1 for e in events if e.aiid),
    }
    files: dict[str, int] = {}
    if form in ("json", "both"):
        folder = out / "json"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        n_files = 0
        for page_no, start in enumerate(range(0, len(events), per_file), 1):
            chunk = events[start : start + per_file]
            dumps = [json.dumps(record(e), ensure_ascii=False) for e in chunk]
            if jsonl:
                path = folder / f"aim-incidents-{page_no:04d}.jsonl"
                path.write_text("\n".join(dumps) + "\n", encoding="utf-8")
            else:
                path = folder / f"aim-incidents-{page_no:04d}.json"
                head = (
                    f'{{"total": {len(events)}, "page": {page_no}, "page_size": {per_file}, '
                    '"incidents": [\n'
                )
                path.write_text(head + ",\n".join(dumps) + "\n]}\n", encoding="utf-8")
            n_files += 1
        files["json"] = n_files
    if form in ("pages", "both"):
        folder = out / "pages"
        shutil.rmtree(folder, ignore_errors=True)
        for e in events:
            target = folder / e.id[:4] / f"{e.id}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page(e, sources, opts.seed).encode("utf-8"))
        files["pages"] = len(events)
    manifest = {
        "generator": "bench.corpus",
        "version": VERSION,
        "options": asdict(opts),
        "form": form,
        "jsonl": jsonl,
        "per_file": per_file,
        "files": files,
        "counts": counts,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if log:
        log(
            f"corpus: {counts['events']} events, {counts['articles']} articles "
            f"(max {counts['max_articles']} in one event), {counts['outlets']} outlets "
            f"({counts['outlet_spellings']} spellings) -> {out} "
            f"in {time.perf_counter() - started:.1f} s"
        )
    return manifest


def matches(out: Path, opts: Options, form: str = "both", jsonl: bool = False) -> bool:
    """Whether ``out`` already holds this corpus (same generator version and options)."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    wanted = {"json": ["json"], "pages": ["pages"], "both": ["json", "pages"]}[form]
    return (
        manifest.get("version") == VERSION
        and manifest.get("options") == asdict(opts)
        and manifest.get("jsonl") == jsonl
        and all(k in manifest.get("files", {}) for k in wanted)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus",
        description="Write a synthetic AIM corpus: the same events as API JSON and as page text.",
    )
    parser.add_argument("--events", type=int, required=True, help="number of events")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--form", choices=["json", "pages", "both"], default="both")
    parser.add_argument("--jsonl", action="store_true", help="JSON Lines instead of API pages")
    parser.add_argument("--per-file", type=int, default=500, help="records per JSON file")
    parser.add_argument("--mean-articles", type=float, default=Options.mean_articles)
    parser.add_argument(
        "--article-rationale",
        type=float,
        default=Options.article_rationale,
        help="share of articles with a rationale (each adds 5 triples)",
    )
    parser.add_argument("--event-rationale", type=float, default=Options.event_rationale)
    parser.add_argument("--outlets", type=int, default=Options.outlets)
    parser.add_argument("--urls", action="store_true", help="article URLs in the JSON form")
    args = parser.parse_args(argv)
    if args.events < 1 or args.per_file < 1:
        parser.error("--events and --per-file must be positive")
    opts = Options(
        events=args.events,
        seed=args.seed,
        mean_articles=args.mean_articles,
        article_rationale=args.article_rationale,
        event_rationale=args.event_rationale,
        outlets=args.outlets,
        urls=args.urls,
    )
    write_corpus(
        args.out,
        opts,
        form=args.form,
        jsonl=args.jsonl,
        per_file=args.per_file,
        log=lambda m: print(m, file=sys.stderr),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
