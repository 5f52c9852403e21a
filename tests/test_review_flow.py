"""Drafts, review and publishing in the editor (issue 25): real Decap in Chromium, the editor's real
storage, a real git repository.

One `guide edit` per module on a copy of the project made into a git repository whose content
branch is `vagledning` (not main: the editor publishes to whatever branch the project has checked
out). Maintainer A writes a draft in one browser context; maintainer B, in another with another
name, moves it through review and publishes it. The content branch then has exactly one new
commit, with A as author, the change note as message and B as reviewer, and the maintainer's
working tree was untouched until then. The attack tests send the new actions by plain HTTP, in the
style of test_editor_security.py.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Error as PlaywrightError

from conftest import TODAY, copy_project, expand_item, get, git, open_entry, running_editor, wait_for
from generator.commands.format import format_files

pytestmark = pytest.mark.xdist_group("review-flow")  # one editor for the module, tests in order

BRANCH = "vagledning"
SIGNS = "guidance/varningssignaler.yml"
SIGN = "Låg skolnärvaro eller upprepade frånvarotillfällen"
NEW_SIGN = "Låg skolnärvaro eller många frånvarotillfällen"
NOTE = "Signalen om skolnärvaro säger nu många frånvarotillfällen."


class Editor:
    def __init__(self, port: int, root: Path, proc: subprocess.Popen):
        self.port, self.root, self.proc = port, root, proc
        self.log: list[str] = []
        self.api = ""

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def drafts(self) -> list[str]:
        return git(self.root / "build" / "editor-git", "for-each-ref", "--format=%(refname)", "refs/heads/cms/").split()


@pytest.fixture(scope="module")
def editor(tmp_path_factory, site):
    root = copy_project(tmp_path_factory.mktemp("review"))
    format_files(root)
    (root / ".gitignore").write_text("/build/\n/site/\n", encoding="utf-8")
    git(root, "init", "--quiet", "--initial-branch", BRANCH)
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "Projektets innehåll")
    with running_editor(root) as (port, proc, log):
        editor = Editor(port, root, proc)
        editor.log = log
        editor.api = yaml.safe_load(get(f"{editor.origin}/admin/config.yml"))["backend"]["proxy_url"]
        yield editor


def _tree_state(root: Path) -> tuple[str, str, str]:
    """The maintainer's branch tip, `git status`, and a digest of every content file."""
    digest = hashlib.sha256()
    for path in sorted([*(root / "guidance").rglob("*"), *(root / "checklists").rglob("*")]):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return git(root, "rev-parse", BRANCH).strip(), git(root, "status", "--porcelain"), digest.hexdigest()


# --- in Chromium ----------------------------------------------------------------------------------


def _maintainer(browser, editor: Editor, name: str, email: str):
    """A browser context of its own (its own cookie) whose maintainer has given their name."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url)
               if not r.url.startswith(editor.origin) and not r.url.startswith(("data:", "blob:")) else None)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # Decap asks "Är du säker …?" before publishing
    page.goto(f"{editor.origin}/admin/")
    page.get_by_role("heading", name="Vem redigerar?").wait_for()
    page.get_by_label("Namn").fill(name)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_role("button", name="Till redigeraren").click()
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Arbetsflöde").wait_for()
    return context, page, outside


def _status(page, now: str, new: str) -> None:
    page.get_by_role("button", name=f"Status: {now}").click()
    page.get_by_role("menuitem", name=new).click()
    page.get_by_role("button", name=f"Status: {new}").wait_for()


def _publish(page) -> None:
    page.get_by_role("button", name="Publicera", exact=True).click()
    page.get_by_role("menuitem", name="Publicera nu").click()


def test_a_draft_is_reviewed_by_another_maintainer_and_published_as_one_commit(editor, browser):
    before = _tree_state(editor.root)
    start = before[0]
    context_a, a, outside_a = _maintainer(browser, editor, "Anna Andersson", "anna.andersson@kommun.se")
    context_b, b, outside_b = _maintainer(browser, editor, "Bo Berg", "bo.berg@kommun.se")
    try:
        # A writes a draft and asks for review
        open_entry(a, editor.origin, "innehall/entries/varningssignaler")
        expand_item(a, "Tidiga varningssignaler att uppmärksamma")
        expand_item(a, SIGN)
        a.locator("textarea:visible").filter(has_text=SIGN).first.fill(NEW_SIGN)
        a.get_by_role("button", name="Spara", exact=True).click()
        a.get_by_role("button", name="Status: Utkast").wait_for()
        _status(a, "Utkast", "Granskas")
        assert editor.drafts() == ["refs/heads/cms/innehall/varningssignaler"]
        assert _tree_state(editor.root) == before, "a draft changed the maintainer's working tree"

        # B finds it among the changes to review, approves it, and tries to publish: no change note
        b.goto(f"{editor.origin}/admin/#/workflow")
        b.reload()  # B's editor opened before the draft existed
        b.get_by_role("link", name=re.compile("Varningssignaler")).click()
        b.get_by_role("button", name="Status: Granskas").wait_for()
        assert b.locator("textarea").filter(has_text=NEW_SIGN).count() == 1  # the draft, not the published text

        # B reads the draft in a preview of its own; the live preview still shows the published text
        def draft_preview_ready() -> bool:
            if b.get_by_role("link", name="Visa förhandsvisning").count():
                return True
            try:  # the button is disabled while Decap asks, and drawn anew after
                b.get_by_role("button", name="Kontrollera förhandsvisning").first.click(timeout=3000)
            except PlaywrightError:
                pass
            return False
        assert wait_for(draft_preview_ready, 240, interval=3), "the draft's preview was never built"
        draft_site = urllib.parse.urljoin(editor.origin, b.get_by_role("link", name="Visa förhandsvisning").get_attribute("href"))
        assert draft_site.startswith(f"{editor.origin}/__utkast/")
        assert NEW_SIGN in get(f"{draft_site}varningssignaler/")
        live = get(f"{editor.origin}/varningssignaler/")
        assert SIGN in live and NEW_SIGN not in live
        _status(b, "Granskas", "Klar att publicera")
        _publish(b)
        refusal = b.get_by_text(re.compile("har ingen ny ändring i sin ändringshistorik"))
        refusal.wait_for()
        assert "lägg till en rad under \"Ändringar\"" in refusal.inner_text()
        assert _tree_state(editor.root) == before, "a refused publish changed the maintainer's working tree"
        assert editor.drafts() == ["refs/heads/cms/innehall/varningssignaler"]

        # A adds the change note to the draft
        open_entry(a, editor.origin, "innehall/entries/varningssignaler")
        a.get_by_role("button", name=re.compile("Lägg till ändringar")).click()
        changes = a.locator("[class*=ControlContainer]").filter(
            has=a.locator("label", has_text=re.compile("^Ändringar", re.I))).first
        item = changes.locator("[class*=SortableListItem]").last
        item.locator("input[type=date]").fill(TODAY.isoformat())
        item.locator("textarea").fill(NOTE)
        item.locator("[class*=ControlContainer]").filter(has=a.locator("label", has_text=re.compile("^Typ", re.I))) \
            .locator("input:visible").last.click()
        a.locator("[class*=option]").filter(has_text=re.compile("^större$")).first.click()
        a.get_by_role("button", name="Spara", exact=True).click()
        a.get_by_text("Inlägg sparat").first.wait_for()
        assert _tree_state(editor.root) == before, "a draft changed the maintainer's working tree"

        # B publishes
        open_entry(b, editor.origin, "innehall/entries/varningssignaler")
        b.get_by_role("button", name="Status: Klar att publicera").wait_for()
        _publish(b)
        assert wait_for(lambda: git(editor.root, "rev-parse", BRANCH).strip() != start, 30), \
            "the publish never reached the content branch:\n" + "".join(editor.log)
    finally:
        context_a.close()
        context_b.close()
    assert outside_a == outside_b == []

    commits = git(editor.root, "rev-list", f"{start}..{BRANCH}").split()
    assert len(commits) == 1, "publishing must make exactly one commit"
    author, committer, message = git(editor.root, "log", "-1", "--format=%an <%ae>%x00%cn <%ce>%x00%B", BRANCH).split("\0")
    assert author == "Anna Andersson <anna.andersson@kommun.se>"
    assert committer == "Bo Berg <bo.berg@kommun.se>"
    assert message.strip() == f"{NOTE}\n\nGranskad-av: Bo Berg <bo.berg@kommun.se>"
    assert git(editor.root, "diff", "--name-only", start, BRANCH).split() == [SIGNS]
    assert git(editor.root, "status", "--porcelain") == ""  # the working tree has the commit, nothing else
    text = (editor.root / SIGNS).read_text(encoding="utf-8")
    assert NEW_SIGN in text and SIGN not in text
    assert yaml.safe_load(text)["ändringar"][-1] == {"datum": TODAY, "ändring": NOTE, "typ": "större"}
    assert editor.drafts() == []
    # the preview builds from the maintainer's tree, which now has the change
    assert wait_for(lambda: NEW_SIGN in get(f"{editor.origin}/varningssignaler/"), 240)  # a busy machine


# --- the same flow over HTTP: the rules each step keeps -------------------------------------------


def send(editor: Editor, path: str, body, cookie: str | None = None, origin: str | None = "own",
         headers: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", editor.port, timeout=60)
    try:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {"Host": f"127.0.0.1:{editor.port}", "Content-Type": "application/json",
                **({"Origin": editor.origin if origin == "own" else origin} if origin else {}),
                **({"Cookie": cookie} if cookie else {}), **(headers or {})}
        connection.request("POST", path, body=data, headers=sent)
        response = connection.getresponse()
        text = response.read()
        cookie_set = response.headers.get("Set-Cookie")
        answer = json.loads(text) if text else {}
        if cookie_set and isinstance(answer, dict):
            answer["cookie"] = cookie_set.split(";", 1)[0]
        return response.status, answer
    finally:
        connection.close()


def maintainer(editor: Editor, name: str, email: str) -> str:
    status, answer = send(editor, "/admin/namn", {"name": name, "email": email})
    assert status == 200, answer
    return answer["cookie"]


def act(editor: Editor, cookie: str | None, action: str, **params) -> tuple[int, dict]:
    return send(editor, editor.api, {"action": action, "params": {"branch": BRANCH, **params}}, cookie)


def save_draft(editor: Editor, cookie: str, path: str, slug: str, collection: str, raw: str) -> tuple[int, dict]:
    return act(editor, cookie, "persistEntry", dataFiles=[{"path": path, "slug": slug, "raw": raw}], assets=[],
               options={"useWorkflow": True, "status": "draft", "collectionName": collection,
                        "commitMessage": "x", "newEntry": False})


def with_note(text: str, note: str) -> str:
    data = yaml.safe_load(text)
    data["ändringar"] = [*data.get("ändringar", []), {"datum": TODAY.isoformat(), "ändring": note, "typ": "rättelse"}]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


SCHOOL = "guidance/skola.yml"


def test_the_author_cannot_publish_and_uncommitted_edits_of_the_file_are_kept(editor):
    anna, bo = maintainer(editor, "Anna Andersson", "anna@kommun.se"), maintainer(editor, "Bo Berg", "bo@kommun.se")
    text = (editor.root / SCHOOL).read_text(encoding="utf-8")
    assert act(editor, anna, "persistEntry", dataFiles=[{"path": SCHOOL, "slug": "skola", "raw": text}], assets=[],
               options={"useWorkflow": False})[0] == 403  # no save past the review
    status, answer = save_draft(editor, anna, SCHOOL, "skola", "innehall", with_note(text, "Ett stavfel är rättat."))
    assert status == 200, answer
    assert act(editor, None, "updateUnpublishedEntryStatus", collection="innehall", slug="skola",
               newStatus="pending_publish")[0] == 403  # nobody: no name given
    assert act(editor, bo, "updateUnpublishedEntryStatus", collection="innehall", slug="skola",
               newStatus="pending_publish")[0] == 200
    status, answer = act(editor, anna, "publishUnpublishedEntry", collection="innehall", slug="skola")
    assert status == 403 and "Någon annan ska granska" in answer["error"]

    # the maintainer edits the same file by hand, without committing: the publish is refused, nothing lost
    start = git(editor.root, "rev-parse", BRANCH).strip()
    hand = text.replace("granskad:", "# en anteckning för hand\ngranskad:", 1)
    (editor.root / SCHOOL).write_text(hand, encoding="utf-8")
    status, answer = act(editor, bo, "publishUnpublishedEntry", collection="innehall", slug="skola")
    assert status == 409 and "osparade ändringar i guidance/skola.yml" in answer["error"], answer
    assert (editor.root / SCHOOL).read_text(encoding="utf-8") == hand
    assert git(editor.root, "rev-parse", BRANCH).strip() == start
    assert "refs/heads/cms/innehall/skola" in editor.drafts()

    # edits of other files do not stop it, and are kept as they were
    (editor.root / SCHOOL).write_text(text, encoding="utf-8")
    other = editor.root / "guidance" / "ordlista.yml"
    other_text = other.read_text(encoding="utf-8") + "\n"
    other.write_text(other_text, encoding="utf-8")
    status, answer = act(editor, bo, "publishUnpublishedEntry", collection="innehall", slug="skola")
    assert status == 200, answer
    assert git(editor.root, "rev-list", "--count", f"{start}..{BRANCH}").strip() == "1"
    assert git(editor.root, "log", "-1", "--format=%an|%B", BRANCH).strip() == \
        "Anna Andersson|Ett stavfel är rättat. (rättelse)\n\nGranskad-av: Bo Berg <bo@kommun.se>"
    assert other.read_text(encoding="utf-8") == other_text
    assert git(editor.root, "status", "--porcelain").split() == ["M", "guidance/ordlista.yml"]
    other.write_text(other_text[:-1], encoding="utf-8")


def test_a_new_region_needs_a_change_note_too(editor):
    anna, bo = maintainer(editor, "Anna Andersson", "anna@kommun.se"), maintainer(editor, "Bo Berg", "bo@kommun.se")
    region = (editor.root / "guidance" / "kontakter" / "dalarna.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(region)
    data.pop("ändringar", None)
    data["region"] = "Gävleborgs län"
    raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)
    path = "guidance/kontakter/gavleborg.yml"
    assert save_draft(editor, anna, path, "gavleborg", "kontakter", raw)[0] == 200
    assert not (editor.root / path).exists()
    assert act(editor, bo, "updateUnpublishedEntryStatus", collection="kontakter", slug="gavleborg",
               newStatus="pending_publish")[0] == 200
    status, answer = act(editor, bo, "publishUnpublishedEntry", collection="kontakter", slug="gavleborg")
    assert status == 422 and "guidance/kontakter/gavleborg.yml har ingen ny ändring" in answer["error"]
    assert not (editor.root / path).exists()
    assert act(editor, anna, "deleteUnpublishedEntry", collection="kontakter", slug="gavleborg")[0] == 200
    assert "refs/heads/cms/kontakter/gavleborg" not in editor.drafts()


# --- attacks on the new actions -------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, str]:
    found = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d != "build"]
        for name in files:
            path = here / name
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


BAD_NAMES = ["..", "../..", "-x", "--upload-pack=touch /tmp/x", "a..b", "innehall/../..", "a b", "",
             "a/b", "/etc/passwd", ".git", "HEAD", "@{-1}", "x\nname=evil", "webbplats.lock", "a~1", "a^"]


def test_workflow_actions_refuse_names_and_paths_outside_the_content(editor):
    anna = maintainer(editor, "Anna Andersson", "anna@kommun.se")
    before, drafts = _snapshot(editor.root), editor.drafts()
    text = (editor.root / SIGNS).read_text(encoding="utf-8")
    for bad in BAD_NAMES:
        for collection, slug in (("innehall", bad), (bad, "varningssignaler"), ("kontakter", bad), ("checklistor", bad)):
            for action, extra in (("unpublishedEntry", {}), ("deleteUnpublishedEntry", {}),
                                  ("updateUnpublishedEntryStatus", {"newStatus": "draft"}),
                                  ("publishUnpublishedEntry", {}), ("getDeployPreview", {}),
                                  ("unpublishedEntryDataFile", {"path": SIGNS, "id": "x"})):
                status, answer = act(editor, anna, action, collection=collection, slug=slug, **extra)
                assert status in (400, 403), (action, collection, slug, status, answer)
            status, _ = save_draft(editor, anna, SIGNS, slug, collection, text)
            assert status in (400, 403), (collection, slug, status)
        status, _ = act(editor, anna, "unpublishedEntry", id=f"innehall/{bad}")
        assert status in (400, 403, 404)
    # the file of an entry that exists, but another path: refused
    for path in ("../../.git/config", ".git/config", "Makefile", "guidance/skola.yml", "/etc/passwd",
                 "guidance/../Makefile", "build/editor-git/config"):
        status, _ = act(editor, anna, "unpublishedEntryDataFile", collection="innehall", slug="varningssignaler",
                        path=path, id="x")
        assert status in (403, 404), path
        status, _ = act(editor, anna, "persistEntry", dataFiles=[{"path": path, "slug": "varningssignaler", "raw": text}],
                        assets=[], options={"useWorkflow": True, "status": "draft", "collectionName": "innehall"})
        assert status == 403, path
    # the content branch is the one the project has checked out: no other, no option
    for branch in ("main", "--all", "cms/innehall/skola", "../x", "vagledning;rm"):
        status, answer = send(editor, editor.api, {"action": "unpublishedEntries", "params": {"branch": branch}}, anna)
        assert status == 403, branch
    # statuses are Decap's three, nothing else reaches git config
    for status_name in ("published", "draft\n[core]\nhooksPath=/tmp", "", None, ["draft"]):
        assert act(editor, anna, "updateUnpublishedEntryStatus", collection="innehall", slug="varningssignaler",
                   newStatus=status_name)[0] in (400, 404)
    # no media, no notes, no other actions
    for action in ("unpublishedEntryMediaFile", "persistMedia", "getNotes", "addNote", "getPRMetadata", "info"):
        assert act(editor, anna, action, collection="innehall", slug="varningssignaler", path=SIGNS, id="x")[0] == 403
    # the drafts' previews: only built ones, by their commit, nothing beside them
    for path in ("/__utkast/", "/__utkast/../../Makefile", "/__utkast/..%2f..%2fMakefile", "/__utkast/0123456789abcdef/",
                 "/__utkast/0123456789abcdef/../../../../Makefile", "/__utkast/%2e%2e/projekt/mkdocs.yml",
                 "/__utkast/0123456789ABCDEF/", "/__utkast/" + "a" * 200 + "/"):
        connection = http.client.HTTPConnection("127.0.0.1", editor.port, timeout=30)
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{editor.port}"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status == 404 and b"site:" not in body and b"mkdocs" not in body.lower(), path
    # a published file is not deleted past the review
    assert act(editor, anna, "deleteFiles", paths=["guidance/kontakter/dalarna.yml"])[0] == 403
    assert _snapshot(editor.root) == before
    assert editor.drafts() == drafts


def test_the_name_form_and_workflow_refuse_other_sites_and_bad_names(editor):
    before = _snapshot(editor.root)
    anna = maintainer(editor, "Anna Andersson", "anna@kommun.se")
    body = {"name": "Mallory", "email": "m@evil.example"}
    for origin, headers in (("http://evil.example", {}), (None, {}), ("null", {}),
                            (f"http://127.0.0.1:{editor.port + 1}", {}),
                            ("own", {"Sec-Fetch-Site": "cross-site"}), ("own", {"Content-Type": "text/plain"})):
        status, answer = send(editor, "/admin/namn", body, origin=origin, headers=headers)
        assert status == 403 and "cookie" not in answer, (origin, headers)
        status, _ = send(editor, editor.api, {"action": "publishUnpublishedEntry",
                                              "params": {"branch": BRANCH, "collection": "innehall", "slug": "skola"}},
                         anna, origin=origin, headers=headers)
        assert status == 403, (origin, headers)
    for name, email in (("", "a@kommun.se"), ("Anna\n[core]", "a@kommun.se"), ("A <b>", "a@kommun.se"),
                        ("x" * 101, "a@kommun.se"), (["Anna"], "a@kommun.se"), ("Anna", "inte en adress"),
                        ("Anna", "a@kommun.se\n[core]"), ("Anna", None)):
        status, answer = send(editor, "/admin/namn", {"name": name, "email": email})
        assert status == 400 and "cookie" not in answer, (name, email)
    # a made-up or malformed key is nobody
    for cookie in ("guide_maintainer=" + "A" * 32, "guide_maintainer=../../x", "guide_maintainer=a.b.c"):
        assert act(editor, cookie, "updateUnpublishedEntryStatus", collection="innehall", slug="varningssignaler",
                   newStatus="draft")[0] in (403, 404)
    assert _snapshot(editor.root) == before
    config = git(editor.root / "build" / "editor-git", "config", "--list")
    assert "[core]" not in config and "evil" not in config and "mallory" not in config.lower()
