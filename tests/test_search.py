"""Swedish search, run in the built site's own search engine in Chromium.

Material's search adds a trailing wildcard, so a query finds longer forms of a word but not
shorter ones. The site's search cuts each typed word back to its root (generator/search_sv.js)
and the generator adds inflected forms of key terms to the index (generator/search.py). These
queries are the forms people actually type: hand-written ones, words sampled from the built
pages with a fixed seed, inflected forms of ordinary words, and several words together.
"""

from __future__ import annotations

import json
import random
import re
import zipfile

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import article_text
from generator.pipeline import OFFLINE_ZIP
from generator.views.search import LANGUAGE_FILE, SEPARATOR, SWEDISH, TAG, add_swedish

# query -> the page (and section) that must be found among the first three pages of results
# (Material groups results by page, with a page's best sections under it; three groups fill a
# laptop screen). As the site grows, more pages rightly compete for a word.
QUERIES = {
    "familjehemmet": "boendeformer/#familjehem",
    "familjehemmen": "boendeformer/#familjehem",
    "stödboendet": "boendeformer/#stodboende",
    "nätverkshemmet": "boendeformer/#natverkshem",
    "varningssignal": "varningssignaler/",
    "varningssignalerna": "varningssignaler/",
    "överförmyndaren": "aktorer/#overformyndaren",
    "socialtjänstens": "aktorer/#socialtjansten",
    "gode män": "aktorer/#god-man",
    "migrationsverkets": "aktorer/#migrationsverket",
    "skolplikten": "skola/#ratt-till-skola",
    "individnivån": "samverkan/#individniva",
    "människohandeln": "forsvinnande/#risk-manniskohandel-och-tvangsarbete",
    "dalarnas": "kontakter/#dalarna",
    "hvb": "boendeformer/#hvb",
    "journumret": "forsvinnande/#journummer-116000",
    "återvändandet": "asylprocess/#fas-atervandande",
    # the rest of the material (issue 4)
    "anknytningsanvisningen": "ordlista/#term-anknytningsanvisning",
    "barnperspektivet": "bakgrund/#bg-barnperspektivet",
    "barnkonventionens": "barnkonventionen/",
    "schablonersättningen": "anvisning/",
    "omfördelningen": "anvisning/",
    "flyktingguiderna": "kontakter/#bi-flyktingguider-och-familjekontakter",
    "utbildaren": "jag-utbildar-och-leder-natverksmoten/",
    "tillgänglighetsredogörelsen": "tillganglighet/",
    "källorna": "kallor/",
    # the missing material and the history (issue 10)
    "medföljande": "bakgrund/#bg-vem-ar-ensamkommande",
    "kartläggningen": "forsvinnande/#forsv-lansstyrelsernas-arbete",
    "regeringsuppdraget": "forsvinnande/#forsv-regeringsuppdraget-2022",
    "barnombudsmannen": "anvisning/#an-barnombudsmannens-rapporter",
    "rekommendationerna": "anvisning/#an-barnrattskommittens-rekommendationer",
    "kompetens": "anvisning/#an-kunskap-pa-omradet",
    "ändringarna": "andringar/",
    # numbers without their spaces, and a word that stands on a page only inside an address
    "116000": "forsvinnande/#journummer-116000",
    "frivilliguppdragen": "avslutning/#praktiska-lankar",
}


# Words typed in any form (none of these, nor a word that starts with it, stands on its page):
# ordinary words of the content, not key terms -> the page that holds another form of the word.
FORMS = {
    # nouns: definite, plural, genitive
    "kommunchefen": "anvisning/", "webbsidor": "anvisning/", "tolvmånadersperioden": "anvisning/",
    "flexibiliteten": "anvisning/", "likvärdigheten": "anvisning/", "mottagningssystemen": "anvisning/",
    "återrapporteringen": "anvisning/", "beräkningar": "anvisning/", "lämplighetsbedömningen": "anvisning/",
    "rättsakten": "anvisning/", "konsekvensanalyser": "anvisning/", "framstegen": "anvisning/",
    "dialogens": "anvisning/", "närvarokontrollen": "anvisning/", "kommunförbundets": "anvisning/",
    "vaccinationen": "asylprocess/", "ursprungsfamiljerna": "asylprocess/", "efterforskningarna": "asylprocess/",
    "omgivningarna": "asylprocess/", "återvändandeprocessen": "asylprocess/", "förberedelsen": "asylprocess/",
    "flyktvägen": "bakgrund/", "livssituationen": "bakgrund/", "diskrimineringen": "bakgrund/",
    "utgångspunkten": "barnkonventionen/", "kunskapshöjningen": "barnkonventionen/",
    "separationen": "boendeformer/", "förtrycket": "boendeformer/", "relationen": "boendeformer/",
    "anonymiteten": "boendeformer/", "rektorn": "checklistor/",
    "rutinen": "forsvinnande/", "droghandeln": "forsvinnande/", "kännetecknen": "forsvinnande/",
    "miljön": "forsvinnande/", "kretsen": "forsvinnande/",
    "handläggaren": "kontakter/", "projektledaren": "kontakter/", "skolsamordnarna": "kontakter/",
    "kommittéer": "ordlista/", "medarbetarna": "samverkan/", "ramen": "samverkan/",
    "sjukdomar": "skola/", "utvisningen": "skola/", "grundskolor": "skola/", "förskoleklassen": "skola/",
    "tangentborden": "tillganglighet/", "mobilbredden": "tillganglighet/",
    "vårdinstansen": "varningssignaler/", "boendesituationen": "varningssignaler/",
    "rådgivningen": "varningssignaler/",
    # an unstressed e that drops, a doubled consonant (nummer/numren, kapitel/kapitlet)
    "numren": "forsvinnande/", "kapitlet": "checklistor/",
    # verbs and adjectives
    "vaccinationerna": "asylprocess/", "kommunicerade": "asylprocess/", "prenumererar": "andringar/",
    "utnyttjades": "barnkonventionen/", "förankrat": "bakgrund/", "kriminellt": "forsvinnande/",
}

# Several words, as staff type them (a name and a place, a name and a role, two subjects): the one
# page that holds all of them must come first.
TOGETHER = {
    "forsberg socialsekreterare": "kontakter/",
    "ann larsdotter": "kontakter/",
    "maria dalarna": "kontakter/",
    "linda mora": "kontakter/",
    "magdalena karlstad": "kontakter/",
    "sari karlstad": "kontakter/",
    "föreläsningar grupparbeten": "kontakter/",
    "tandvård asylsökande": "aktorer/",
    "sjukvård tolk": "anvisning/",
    "skolplikt ukraina": "ordlista/",
    "barnkonventionen artikel 22": "barnkonventionen/",
}

SEED = 26  # the number: the same words on every run
SAMPLED = 100  # words sampled from the pages
PAIRS = 20  # pairs of sampled words that only one page holds both of
FIRST = 3  # "the first results": the first three pages (a laptop screen)

# Each search of the page's search box, as the page asks its search worker and the worker answers.
WATCH_WORKER = """(() => {
  window.__asked = []; window.__answered = 0;
  const Original = window.Worker;
  window.Worker = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", e => { if (e.data && e.data.type === 3) window.__answered++; });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) window.__asked.push(message.data);
      return super.postMessage(message, ...rest);
    }
  };
})();"""
ANSWERED = """query => window.__asked.length > 0 && window.__asked[window.__asked.length - 1] === query
    && window.__answered === window.__asked.length"""
SHOWN = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


def search(page, query: str) -> list[str]:
    """Type a query in the site's search box and return the result links once the search has
    answered the whole query and the page has shown the answer. The box searches on each key
    released; all but the last key are put in at once (a page full of results for every letter
    on the way costs the browser a second a query), and the last key is typed."""
    box = page.locator("input.md-search__input")
    box.fill(query[:-1])
    box.press(query[-1])
    page.wait_for_function(ANSWERED, arg=query)
    page.evaluate(SHOWN)
    return page.eval_on_selector_all("a.md-search-result__link", "els => els.map(e => e.href)")


def result_pages(page, server: str, query: str) -> list[str]:
    """The pages found, in the order shown (a page once, with its sections under it)."""
    return list(dict.fromkeys(_without_query(h, server).split("#")[0] for h in search(page, query)))


@pytest.fixture(scope="module")
def search_page(browser, server):
    page = browser.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
    page.add_init_script(WATCH_WORKER)
    page.goto(server + "/")
    page.wait_for_selector("input.md-search__input")
    yield page
    assert outside == [], f"requests left the site: {outside}"
    page.close()


@pytest.mark.parametrize("query,expected", QUERIES.items())
def test_swedish_query_finds_page(search_page, server, query, expected):
    hits = [_without_query(h, server) for h in search(search_page, query)]
    pages = list(dict.fromkeys(h.split("#")[0] for h in hits))[:3]
    first = [h for h in hits if h.split("#")[0] in pages]
    matches = [h for h in first if h == expected or (expected.endswith("/") and h.startswith(expected))]
    assert matches, f"'{query}' should find {expected}, got {first}"


def _without_query(url: str, server: str) -> str:
    """`http://host/boendeformer/?h=q#hvb` -> `boendeformer/#hvb`."""
    path, _, fragment = url.removeprefix(server + "/").partition("#")
    path = path.split("?")[0]
    return f"{path}#{fragment}" if fragment else path


def test_nonsense_finds_nothing(search_page):
    assert search(search_page, "xyzzyqq") == []


def test_added_forms_are_searchable_but_never_shown(search_page, site):
    search(search_page, "familjehemmet")
    shown = search_page.inner_text(".md-search-result")
    assert "Familjehem" in shown and "familjehemmarnas" not in shown
    page_html = (site / "boendeformer" / "index.html").read_text(encoding="utf-8")
    assert "familjehemmarnas" not in page_html  # nor on the page, nor for a screen reader



def test_a_result_names_the_words_it_lacks_as_typed(search_page):
    """The search looks up each word's root ("reg" for "regler"); a result that lacks a word
    still names the word as typed ("Saknas: regler")."""
    search(search_page, "dalarna regler")
    lacking = [t.split(":", 1)[1].split() for t in search_page.eval_on_selector_all(
        ".md-search-result__terms", "els => els.map(e => e.textContent)") if ":" in t]
    assert lacking, "no result lacks a word: the query no longer tests this"
    assert {w for words in lacking for w in words} <= {"dalarna", "regler"}, lacking


def test_the_swedish_search_is_added_once(site, tmp_path):
    """A preview builds into a copy of its last site: the theme's Swedish file keeps one copy of
    the site's Swedish search, after the theme's own code."""
    language = tmp_path / LANGUAGE_FILE
    language.parent.mkdir(parents=True)
    built = (site / LANGUAGE_FILE).read_text(encoding="utf-8")
    language.write_text(built, encoding="utf-8")
    add_swedish(tmp_path)
    add_swedish(tmp_path)
    text = language.read_text(encoding="utf-8")
    ours = SWEDISH.read_text(encoding="utf-8")
    assert text == built and text.count(ours.splitlines()[0]) == 1 and text.endswith(ours)
    assert text.index("e.sv=function") < text.index(ours.splitlines()[0])  # the theme's code first

# --- words as they stand on the pages, in other forms, and together --------------------------


@pytest.fixture(scope="module")
def words(site):
    """What the built site holds, as its search splits it: each page's own words (from its HTML)
    and, for every word, the pages whose index entries (title, text, tags, key terms) hold it."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(SEPARATOR)
    held: dict[str, set[str]] = {}
    for doc in index["docs"]:
        page = doc["location"].split("#")[0]
        for text in (doc.get("title", ""), doc.get("text", ""), " ".join(doc.get("tags", [])), doc.get("sokord", "")):
            for word in separator.split(TAG.sub(" ", text)):
                if word:
                    held.setdefault(word.lower(), set()).add(page)
    pages = sorted({doc["location"].split("#")[0] for doc in index["docs"]})
    stop = set(re.search(r'generateStopWordFilter\("([^"]+)"', (site / LANGUAGE_FILE).read_text(encoding="utf-8"))[1].split())
    own = {page: {w.lower() for w in separator.split(article_text(site / page / "index.html"))
                  if len(w) >= 4 and w.isalpha() and w.lower() not in stop} for page in pages}
    return own, held


def sampled(own: dict[str, set[str]], held: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(word, page) at random with a fixed seed: words of a page's own text (four letters or more,
    no stop word) that stand on at most FIRST pages, so that their page can be among the first."""
    candidates = sorted((w, page) for page, ws in own.items() for w in ws
                        if page in held.get(w, ()) and len(held[w]) <= FIRST)
    return random.Random(SEED).sample(candidates, SAMPLED)


def test_words_sampled_from_the_pages_find_their_page(search_page, server, words):
    own, held = words
    missed = []
    for word, page in sampled(own, held):
        found = result_pages(search_page, server, word)[:FIRST]
        if page not in found:
            missed.append(f"{word} ({page}): {found}")
    assert not missed, f"{len(missed)} of {SAMPLED} sampled words miss their page: {missed}"


def test_other_forms_of_ordinary_words_find_their_page(search_page, server, words):
    _, held = words
    standing = [f"{form} ({page})" for form, page in FORMS.items()
                if any(w.startswith(form) and page in held[w] for w in held)]
    assert not standing, f"these forms (or longer words) stand on their page, so they test nothing: {standing}"
    missed = []
    for form, page in FORMS.items():
        found = result_pages(search_page, server, form)[:FIRST]
        if page not in found:
            missed.append(f"{form} ({page}): {found}")
    assert not missed, f"{len(missed)} of {len(FORMS)} forms miss their page: {missed}"


def test_several_words_bring_the_page_that_holds_all_of_them_first(search_page, server, words):
    own, held = words
    queries = dict(TOGETHER)
    rng = random.Random(SEED)
    common = sorted(w for ws in own.values() for w in ws if 2 <= len(held.get(w, ())) <= 8)
    while len(queries) < len(TOGETHER) + PAIRS:
        first, second = rng.sample(common, 2)
        both = held[first] & held[second]
        if len(both) == 1 and first[:4] != second[:4]:  # two words, not two forms of one word
            queries[f"{first} {second}"] = next(iter(both))
    for query, page in TOGETHER.items():
        holding = set.intersection(*(held.get(w, set()) for w in query.split()))
        assert holding == {page}, f"'{query}': the test expects only {page} to hold every word, not {holding}"
    missed = []
    for query, page in queries.items():
        found = result_pages(search_page, server, query)
        if found[:1] != [page]:
            missed.append(f"{query} ({page}): {found[:FIRST]}")
    assert not missed, f"{len(missed)} of {len(queries)} queries put another page first: {missed}"


def test_other_forms_and_several_words_work_offline_from_file(browser, site, tmp_path):
    """The offline copy (a zip opened from file://, where the theme runs its search worker in an
    iframe) cuts typed words back to their roots and ranks several words the same way."""
    with zipfile.ZipFile(site / OFFLINE_ZIP) as archive:
        archive.extractall(tmp_path)
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((tmp_path / "vagledning" / "index.html").as_uri())
    page.locator("input.md-search__input").click()
    box = page.locator("input.md-search__input")
    first_link = "() => (document.querySelector('a.md-search-result__link') || {}).href || ''"
    for query, expected in (("frivilliguppdraget", "avslutning.html"), ("forsberg socialsekreterare", "kontakter.html")):
        box.fill(query[:-1])
        box.press(query[-1])
        try:
            page.wait_for_function(f"() => ({first_link})().includes('{expected}')", timeout=10000)
        except PlaywrightTimeout:
            pytest.fail(f"offline, '{query}' should put {expected} first, not {page.evaluate(first_link)!r}")
    assert all(u.startswith("file://") for u in requests), [u for u in requests if not u.startswith("file:")]
    page.close()
