"""`guide edit --utgava ID` (`make edit UTGAVA=ID`): the editor offers that local edition's files
only, its storage refuses every other path, and its preview is the edition's site.

One real `guide edit --utgava exempelkommun` per fixture on a copy of the project: without git
(saves go straight into the files; Decap in Chromium) and in a git repository (drafts, review
and publishing, by plain HTTP as in test_review_flow.py). The copy has a second edition,
`annankommun`, that the attacks aim at, and the first copy has no noter.yml (an optional file a
maintainer creates in the editor).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, TODAY, copy_project, expand_item, get, git, open_entry, running_editor, wait_for
from generator.commands.editor import EDITION_COLLECTION
from generator.content.edition import EDITIONS, FILE_NAMES

pytestmark = pytest.mark.xdist_group("edition-editor")  # the module's editors, tests in order

EDITION = "exempelkommun"
OTHER = "annankommun"
CONTACTS = f"{EDITIONS}/{EDITION}/kontakter.yml"
NOTES = f"{EDITIONS}/{EDITION}/noter.yml"
OLD_NUMBER, NEW_NUMBER = "070-174 06 10", "070-174 06 42"  # PTS's numbers for fiction
ON_CALL_TEXT = "Tar emot anmälan om ett barn som har försvunnit när socialtjänsten har stängt."


class Editor:
    def __init__(self, port: int, root: Path, log: list[str]):
        self.port, self.root, self.log = port, root, log
        self.config = yaml.safe_load(get(f"{self.origin}/admin/config.yml"))
        self.api = self.config["backend"]["proxy_url"]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, path: str, body: dict, cookie: str | None = None) -> tuple[int, dict, http.client.HTTPMessage]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Origin": self.origin, "Content-Type": "application/json; charset=utf-8",
                   **({"Cookie": cookie} if cookie else {})}
        try:
            connection.request("POST", path, json.dumps(body, ensure_ascii=False).encode(), headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null"), response.headers
        finally:
            connection.close()

    def call(self, action: str, params: dict, cookie: str | None = None) -> tuple[int, dict]:
        status, answer, _ = self.post(self.api, {"action": action, "params": params}, cookie)
        return status, answer


def _project(folder: Path) -> Path:
    root = copy_project(folder)
    shutil.copytree(root / EDITIONS / EDITION, root / EDITIONS / OTHER)  # what the attacks aim at
    about = root / EDITIONS / OTHER / "utgava.yml"
    about.write_text(about.read_text(encoding="utf-8").replace("kommun: Exempelkommun", "kommun: Annankommun"),
                     encoding="utf-8")
    return root


def _edit(root: Path):
    """`guide edit --utgava exempelkommun` on `root`, as `make edit UTGAVA=exempelkommun` starts it."""
    return running_editor(root, args=("--utgava", EDITION))


def _snapshot(root: Path) -> dict[str, str]:
    """Every file of the project outside build/ and .git/: a digest of its bytes."""
    found = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d not in ("build", ".git")]
        for name in files:
            path = here / name
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def editor(tmp_path_factory, site):
    root = _project(tmp_path_factory.mktemp("edition"))
    (root / NOTES).unlink()  # optional: created in the editor (test_a_missing_optional_file_is_created)
    with _edit(root) as (port, proc, log):
        yield Editor(port, root, log)


def test_an_unknown_edition_is_refused_before_anything_starts(tmp_path):
    root = copy_project(tmp_path / "projekt", caches=False)
    done = subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(root), "edit",
                           "--utgava", "finnsinte", "--port", "1"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("Utgåvan \"finnsinte\" finns inte: mappen utgavor/finnsinte/ med filen utgava.yml saknas. "
            "Utgåvor som finns: exempelkommun.") in done.stderr
    assert "Redigeraren startar" not in done.stdout and not (root / "build" / EDITIONS).exists()


def test_the_collections_are_the_editions_files_only(editor):
    collections = editor.config["collections"]
    assert [c["name"] for c in collections] == [EDITION_COLLECTION]
    files = {f["file"] for c in collections for f in c.get("files", [])}
    assert files == {f"{EDITIONS}/{EDITION}/{name}" for name in FILE_NAMES}  # noter.yml too, though missing
    assert not any("folder" in c for c in collections)
    assert "Exempelkommun" in collections[0]["label"]
    contacts = next(f for f in collections[0]["files"] if f["file"] == CONTACTS)
    fields = {f["name"]: f for f in contacts["fields"]}
    assert fields["kontakter"]["hint"] == "Kontakterna, en per post."  # from the model's description
    phone = next(f for f in fields["kontakter"]["fields"] if f["name"] == "telefon")
    assert phone["hint"].startswith("Telefonnummer med riktnummer") and phone["required"] is True
    notes = next(f for f in collections[0]["files"] if f["file"] == NOTES)
    picker = next(f for f in notes["fields"][1]["fields"] if f["name"] == "gäller")  # a declared Ref("item")
    assert picker["widget"] == "select" and "soc-ansoker-god-man" in picker["options"]


def test_the_preview_is_the_edition(editor):
    page = get(f"{editor.origin}/forsvinnande/")
    assert "Lokal utgåva för Exempelkommun." in page  # the banner
    article = page[page.index("<article"):]
    assert article.index("Så gör vi i Exempelkommun") < article.index("116 000")  # the local routine first
    assert re.findall(r'href="tel:(\d+)"', article)[0] == "0701740610"  # the local on-call number first


def _publish(page) -> None:
    page.get_by_role("button", name="Publicera").click()
    page.get_by_text("Publicera nu").click()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def test_saving_a_local_number_changes_that_file_only_and_the_preview_shows_it(editor, page):
    before = _snapshot(editor.root)
    text = (editor.root / CONTACTS).read_text(encoding="utf-8")
    open_entry(page, editor.origin, f"{EDITION_COLLECTION}/entries/kontakter")
    expand_item(page, ON_CALL_TEXT)
    box = next(b for b in page.locator("input:visible").all() if b.input_value() == OLD_NUMBER)
    box.fill(NEW_NUMBER)
    _publish(page)
    assert wait_for(lambda: (editor.root / CONTACTS).read_text(encoding="utf-8") != text, 20), "not saved"
    after = _snapshot(editor.root)
    assert {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)} == {CONTACTS}
    # the one number changed and nothing else: the example edition is in the editor's shape (guide format)
    assert (editor.root / CONTACTS).read_text(encoding="utf-8") == text.replace(
        f"telefon: {OLD_NUMBER}", f"telefon: {NEW_NUMBER}")
    page.goto(f"{editor.origin}/forsvinnande/")
    first = page.locator("article a[href^='tel:']").first
    wait_for(lambda: first.get_attribute("href") == "tel:0701740642", 90, interval=1)  # reloads by itself
    assert first.get_attribute("href") == "tel:0701740642" and NEW_NUMBER in first.inner_text()
    assert OLD_NUMBER not in page.locator("article").inner_text()


def test_a_missing_optional_file_is_created_in_the_editor(editor, page):
    """noter.yml is optional: its entry opens empty, and the first save creates the file."""
    assert not (editor.root / NOTES).exists()
    open_entry(page, editor.origin, f"{EDITION_COLLECTION}/entries/noter")
    page.locator("input[type=date]").first.fill(TODAY.isoformat())
    page.get_by_role("button", name=re.compile("Lägg till noter", re.I)).click()
    notes = page.locator("[class*=ControlContainer]").filter(has=page.locator("label", has_text=re.compile("^Noter")))
    picker = notes.locator("[class*=ControlContainer]").filter(
        has=page.locator("label", has_text=re.compile("^Gäller"))).first
    picker.locator("input:visible").last.click()
    picker.locator("input:visible").last.fill("soc-ansoker-god-man")
    picker.locator("[class*=option]").first.click()
    notes.locator("textarea:visible").first.fill("Mottagningsenheten ansöker samma dag.")
    _publish(page)
    assert wait_for(lambda: (editor.root / NOTES).is_file(), 20), "noter.yml was not created"
    data = yaml.safe_load((editor.root / NOTES).read_text(encoding="utf-8"))
    assert data["noter"] == [{"gäller": "soc-ansoker-god-man", "text": "Mottagningsenheten ansöker samma dag."}]
    page.goto(f"{editor.origin}/aktorer/")
    page.get_by_text("I Exempelkommun: Mottagningsenheten ansöker samma dag.").first.wait_for(timeout=90_000)


def test_a_routine_picks_its_contacts_from_the_editions_own(editor, page):
    """A routine's "Kontakter" is a picker of the edition's contacts by name (a relation to its
    kontakter.yml, model.Defines/Ref), not a box to type an id into; what is picked is saved as the id."""
    routines = editor.root / EDITIONS / EDITION / "rutiner.yml"
    open_entry(page, editor.origin, f"{EDITION_COLLECTION}/entries/rutiner")
    expand_item(page, "Så gör vi i Exempelkommun")
    picker = page.locator("[class*=ControlContainer]").filter(
        has=page.locator("label", has_text=re.compile("^Kontakter"))).first
    picker.get_by_text("Socialjouren i Exempelkommun").first.wait_for()  # the id shown by the contact's name
    picker.locator("input:visible").last.click()
    picker.locator("input:visible").last.fill("Överförmyndar")
    picker.locator("[class*=option]").filter(has_text="Överförmyndarenheten").first.click()
    _publish(page)
    assert wait_for(lambda: "overformyndaren" in yaml.safe_load(routines.read_text(encoding="utf-8"))["rutiner"][0]["kontakter"], 20)
    assert yaml.safe_load(routines.read_text(encoding="utf-8"))["rutiner"][0]["kontakter"] == [
        "socialjouren", "mottagningsenheten", "polisen", "overformyndaren"]


# --- attacks: paths outside utgavor/exempelkommun/ -------------------------------------------------

OUTSIDE = [
    "guidance/varningssignaler.yml",  # a national file
    "guidance/kontakter/dalarna.yml",  # a national folder collection's file
    f"{EDITIONS}/{OTHER}/kontakter.yml",  # another edition
    f"{EDITIONS}/{EDITION}/../{OTHER}/kontakter.yml",  # traversal into another edition
    f"{EDITIONS}/{EDITION}/../../guidance/varningssignaler.yml",  # traversal into the national content
    f"{EDITIONS}/{EDITION}/./kontakter.yml",  # an edition file by another name
    f"/{CONTACTS}",
    f"{EDITIONS}/{EDITION}/kontakter.yml/",
    f"{EDITIONS}/{EDITION}/hemlig.yml",  # a file the edition kinds do not have
    f"{EDITIONS}/{EDITION}",
]
RAW = "granskad: 2026-12-01\nkontakter:\n  - id: x\n    slag: skola\n    namn: X\n    telefon: 070-174 06 99\n"


def _refused(status: int, answer: dict, rel: str) -> None:
    assert status == 403, (rel, status, answer)
    assert answer["error"].endswith(f"Redigeraren arbetar nu bara med utgåvans filer: "
                                    f"{', '.join(sorted(f'{EDITIONS}/{EDITION}/{n}' for n in FILE_NAMES))}."), answer


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Host": "evil.example"}, {"Host": "localhost"}])
def test_a_save_from_another_origin_or_host_name_is_refused(editor, headers):
    """The edition's own file, as a hostile page would save it: from its origin, or through a
    name that points at 127.0.0.1 (DNS rebinding). Refused, and nothing written."""
    before = _snapshot(editor.root)
    body = json.dumps({"action": "persistEntry", "params": {"entry": {"path": CONTACTS, "raw": "kontakter: []\n"},
                       "assets": [], "options": {}}}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", editor.port, timeout=30)
    try:
        connection.putrequest("POST", editor.api, skip_host=True)
        sent = {"Host": f"127.0.0.1:{editor.port}", "Origin": editor.origin,
                "Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(body)), **headers}
        for name, value in sent.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        status = connection.getresponse().status
    finally:
        connection.close()
    assert status in (400, 403, 421), status
    assert _snapshot(editor.root) == before


@pytest.mark.parametrize("rel", OUTSIDE)
def test_no_path_outside_the_edition_is_read_written_or_deleted(editor, rel):
    before = _snapshot(editor.root)
    status, answer = editor.call("getEntry", {"branch": "main", "path": rel})
    _refused(status, answer, rel)
    status, answer = editor.call("entriesByFiles", {"branch": "main", "files": [{"path": rel, "label": "x"}]})
    _refused(status, answer, rel)
    status, answer = editor.call("persistEntry", {"branch": "main", "dataFiles": [{"path": rel, "raw": RAW, "slug": "x"}],
                                                  "assets": [], "options": {"collectionName": EDITION_COLLECTION}})
    _refused(status, answer, rel)
    # a save of the edition's own file that renames it to the path
    status, answer = editor.call("persistEntry", {
        "branch": "main", "dataFiles": [{"path": CONTACTS, "newPath": rel, "raw": RAW, "slug": "kontakter"}],
        "assets": [], "options": {"collectionName": EDITION_COLLECTION}})
    _refused(status, answer, rel)
    status, answer = editor.call("deleteFiles", {"branch": "main", "paths": [rel]})
    _refused(status, answer, rel)
    assert _snapshot(editor.root) == before


def test_no_folder_of_the_national_content_is_listed(editor):
    for folder in ("guidance/kontakter", "checklists", f"{EDITIONS}/{OTHER}", EDITIONS):
        status, answer = editor.call("entriesByFolder", {"branch": "main", "folder": folder, "extension": "yml",
                                                         "depth": 1})
        assert status == 403 and "ingen av redigerarens mappar" in answer["error"], (folder, answer)


def test_the_editions_own_file_is_read_and_its_files_not_deleted(editor):
    """The refusals above are the edition's walls, not a storage that refuses everything."""
    status, answer = editor.call("getEntry", {"branch": "main", "path": CONTACTS})
    assert status == 200 and "kontakter:" in answer["data"]
    status, answer = editor.call("deleteFiles", {"branch": "main", "paths": [CONTACTS]})
    assert status == 403 and (editor.root / CONTACTS).is_file()


# --- the editorial workflow (git): drafts of edition files, published with a change note ---------

BRANCH = "vagledning"
@pytest.fixture(scope="module")
def reviewed(tmp_path_factory, site):
    root = _project(tmp_path_factory.mktemp("edition-git"))
    (root / ".gitignore").write_text("/build/\n/site/\n/site-utgavor/\n", encoding="utf-8")
    git(root, "init", "--quiet", "--initial-branch", BRANCH)
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "Projektets innehåll")
    with _edit(root) as (port, proc, log):
        yield Editor(port, root, log)


def _maintainer(editor: Editor, name: str, email: str) -> str:
    status, answer, headers = editor.post("/admin/namn", {"name": name, "email": email})
    assert status == 200, answer
    return headers["Set-Cookie"].split(";", 1)[0]


def _draft(editor: Editor, cookie: str, rel: str, slug: str, raw: str) -> tuple[int, dict]:
    return editor.call("persistEntry", {
        "branch": BRANCH, "dataFiles": [{"path": rel, "raw": raw, "slug": slug}], "assets": [],
        "options": {"collectionName": EDITION_COLLECTION, "useWorkflow": True, "status": "draft"}}, cookie)


def test_a_draft_of_an_edition_file_needs_a_change_note_and_is_published_as_one_commit(reviewed):
    anna = _maintainer(reviewed, "Anna Andersson", "anna.andersson@kommun.se")
    bo = _maintainer(reviewed, "Bo Berg", "bo.berg@kommun.se")
    start = git(reviewed.root, "rev-parse", BRANCH).strip()
    text = (reviewed.root / CONTACTS).read_text(encoding="utf-8")
    changed = text.replace(f"telefon: {OLD_NUMBER}", f"telefon: {NEW_NUMBER}")
    assert _draft(reviewed, anna, CONTACTS, "kontakter", changed)[0] == 200
    assert (reviewed.root / CONTACTS).read_text(encoding="utf-8") == text  # a draft: the file untouched
    entry = {"branch": BRANCH, "collection": EDITION_COLLECTION, "slug": "kontakter"}
    assert reviewed.call("updateUnpublishedEntryStatus", {**entry, "newStatus": "pending_publish"}, anna)[0] == 200
    status, answer = reviewed.call("publishUnpublishedEntry", entry, bo)
    assert status == 422 and "ingen ny ändring i sin ändringshistorik" in answer["error"], answer  # no note
    assert git(reviewed.root, "rev-parse", BRANCH).strip() == start
    note = "Socialjouren har ett nytt nummer."
    noted = changed.replace("ändringar: []", "ändringar:\n  - datum: 2026-12-02\n"
                                             f"    ändring: {note}\n    typ: större")
    assert noted != changed, "kontakter.yml has no empty history to add to"
    assert _draft(reviewed, anna, CONTACTS, "kontakter", noted)[0] == 200
    status, answer = reviewed.call("publishUnpublishedEntry", entry, bo)
    assert status == 200, answer
    assert git(reviewed.root, "rev-list", "--count", f"{start}..{BRANCH}").strip() == "1"
    assert git(reviewed.root, "log", "-1", "--format=%s%n%an", BRANCH).split("\n")[:2] == [note, "Anna Andersson"]
    assert git(reviewed.root, "diff", "--name-only", start, BRANCH).split() == [CONTACTS]
    assert (reviewed.root / CONTACTS).read_text(encoding="utf-8").count(NEW_NUMBER) == 1


@pytest.mark.parametrize("collection, slug", [("innehall", "varningssignaler"), ("kontakter", "dalarna"),
                                              (EDITION_COLLECTION, "../varningssignaler"),
                                              (EDITION_COLLECTION, "hemlig")])
def test_no_draft_outside_the_edition(reviewed, collection, slug):
    """A draft is named by its collection and slug; none of the national content's is known here."""
    anna = _maintainer(reviewed, "Anna Andersson", "anna.andersson@kommun.se")
    before = _snapshot(reviewed.root)
    drafts = git(reviewed.root / "build" / "editor-git", "for-each-ref", "refs/heads/")
    rel = "guidance/varningssignaler.yml" if collection == "innehall" else "guidance/kontakter/dalarna.yml"
    raw = (reviewed.root / rel).read_text(encoding="utf-8") + "\n# ändrad\n"
    status, answer = reviewed.call("persistEntry", {
        "branch": BRANCH, "dataFiles": [{"path": rel, "raw": raw, "slug": slug}], "assets": [],
        "options": {"collectionName": collection, "useWorkflow": True, "status": "draft"}}, anna)
    assert status == 403, answer
    for action in ("unpublishedEntry", "deleteUnpublishedEntry", "publishUnpublishedEntry"):
        status, answer = reviewed.call(action, {"branch": BRANCH, "collection": collection, "slug": slug}, anna)
        assert status == 403 and "finns inte i redigeraren" in answer["error"], (action, answer)
    status, answer = reviewed.call("updateUnpublishedEntryStatus", {"branch": BRANCH, "collection": collection,
                                                                    "slug": slug, "newStatus": "pending_review"}, anna)
    assert status == 403 and "finns inte i redigeraren" in answer["error"], answer
    assert _snapshot(reviewed.root) == before
    assert git(reviewed.root / "build" / "editor-git", "for-each-ref", "refs/heads/") == drafts
