"""The site map: the site's pages as data, below everything that renders them.

Each generated page has a slug (its address and Markdown file), a title (the browser's title,
and the text of every link to the page), a heading (its h1), its template, and the kinds of
content file it shows. The order of SITE_PAGES is the site's order: the chapters of the whole
guide, the pages listed on "Om webbplatsen" and the sources' "Används på". The menu (mkdocs.yml's
`nav`) is the engine's and may order the pages otherwise. A role in guidance/roller.yml gets
a page of its own (ROLE_TEMPLATE), whose title is the role's.

The loader gets the slugs as a parameter (`load_content(root, PAGE_SLUGS)`), so content that
names a page ("sida", "läs_mer", a pack's "avsnitt") is checked against this list without the
content layer importing the site map.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.content import model
from generator.content.load import Content


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    heading: str
    shows: tuple[type[model.Model], ...] = ()  # the content files whose text the page holds

    @property
    def template(self) -> str:
        return f"pages/{self.slug}.md.j2"

    @property
    def file(self) -> str:
        return f"{self.slug}.md"


SITE_PAGES = [
    Page("forsvinnande", "Om ett barn försvinner", "Om ett barn försvinner", (model.MissingChildFile,)),
    Page("roller", "Jag är …", "Jag är …", (model.RolesFile,)),
    Page("bakgrund", "Varför beredskap behövs", "Varför beredskap behövs när färre barn kommer",
         (model.BackgroundFile,)),
    Page("aktorer", "Aktörer och ansvar", "Aktörer och ansvar", (model.ActorsFile,)),
    Page("boendeformer", "Boendeformer", "Boendeformer för barn och unga", (model.HousingFile,)),
    Page("varningssignaler", "Varningssignaler och riskfaktorer", "Varningssignaler och riskfaktorer",
         (model.SignsFile, model.ActionPlanFile)),
    Page("samverkan", "Samverkan", "Samverkan för beredskap och mottagningskapacitet", (model.CollaborationFile,)),
    Page("skola", "Skola", "Skola", (model.SchoolFile,)),
    Page("asylprocess", "Förebyggande arbete under asylprocessen", "Förebyggande arbete under asylprocessen",
         (model.AsylumProcessFile,)),
    Page("barnkonventionen", "Barnkonventionen", "Barnkonventionen", (model.RightsFile,)),
    Page("anvisning", "Anvisning och ersättning", "Anvisningsmodellen och ersättningen till kommunen",
         (model.AllocationFile,)),
    Page("checklistor", "Checklistor och blanketter", "Checklistor och blanketter"),
    Page("utskriftspaket", "Sätt ihop ett eget utskriftspaket", "Sätt ihop ett eget utskriftspaket"),
    Page("kontakter", "Resursnätverk, kontakter och bidrag", "Resursnätverk, kontakter och bidrag",
         (model.NetworkFile, model.RegionFile, model.GrantsFile)),
    Page("avslutning", "Håll i och håll ut", "Avslutning och praktiska länkar", (model.ClosingFile,)),
    Page("ordlista", "Ordlista", "Ordlista", (model.GlossaryFile,)),
    Page("kallor", "Källor", "Källor"),
    Page("amnen", "Ämnen", "Ämnen"),
    Page("om", "Om webbplatsen", "Om webbplatsen"),
    Page("tillganglighet", "Tillgänglighetsredogörelse", "Tillgänglighetsredogörelse"),
    Page("andringar", "Ändringar", "Ändringar"),
]
PAGE_SLUGS = [page.slug for page in SITE_PAGES]
PAGE_BY_SLUG = {page.slug: page for page in SITE_PAGES}
ROLE_TEMPLATE = "pages/roll.md.j2"  # one page per role in guidance/roller.yml, named <id>.md

# Which site page shows which guidance file (each kind of file is shown on one page).
PAGE_OF_MODEL = {kind: page.slug for page in SITE_PAGES for kind in page.shows}

# The pages that make up the whole guide ("Hela vägledningen"), in site order: every page that
# shows guidance, except the list of roles (a way in, not content of its own).
GUIDE_CHAPTERS = [page.slug for page in SITE_PAGES if page.shows and page.slug != "roller"]

CHANGES_PAGE = "andringar"  # the site's major changes; its Atom feed is FEED
FEED = "andringar.xml"  # at the site's root, beside andringar.md
SITE_INFO_PAGES = ("index", "om", "amnen", "tillganglighet")  # pages about the site: webbplats.yml


def role_page(role: model.Role) -> Page:
    return Page(role.id, role.title, role.title, (model.RolesFile,))


def pages(content: Content) -> list[Page]:
    """Every generated page of the site: SITE_PAGES, then one per role."""
    return SITE_PAGES + [role_page(role) for role in content.roles.roles]


def titles(content: Content) -> dict[str, str]:
    """Page slug -> title, for every generated page (what links to a page say)."""
    return {page.slug: page.title for page in pages(content)}


def page_of(file_model: model.Model) -> str:
    """The slug of the page that shows a guidance file."""
    return PAGE_OF_MODEL[type(file_model)]
