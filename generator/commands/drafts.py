"""Drafts, review and publishing for `guide edit` (Decap's editorial workflow, in our storage).

When the project is a git repository with a branch checked out (the *content branch*), the
editor runs Decap with `publish_mode: editorial_workflow`, and its storage (edit_server.Storage)
answers the workflow's actions from here, after decap-server's `MODE=git`
(packages/decap-server/src/middlewares/localGit): a draft is a branch `cms/<collection>/<slug>`,
its status ("Utkast", "Granskas", "Klar att publicera") kept in git config as
`branch.<branch>.description`.

Unlike decap-server, nothing is ever checked out and nothing is added by `git add .`:
- the drafts live in a clone of the editor's own, build/editor-git (no work tree at all), so the
  maintainer's repository never sees a draft branch, and their working tree and any running
  preview never see a branch switch;
- each save is a commit made from the one file it saves (a blob put into a tree with a
  temporary index), so no unrelated file is ever committed;
- the maintainer's working tree is untouched until a draft is published. Publishing makes
  exactly one commit on the content branch, whose message is the change note (the file's new
  `ändringar` entries), whose author is the maintainer who wrote the draft and which names the
  one who reviewed and published it (a `Granskad-av:` trailer). That commit then reaches the
  maintainer's branch as a fast-forward, refused (nothing lost) if they have uncommitted edits
  of the same files.

Who does what: each browser gives its name once (a small form before Decap loads). The name is
kept in the git config of the editor's clone, under a random key that the browser keeps in a
cookie. Every branch name is made here from a collection and a slug the editor's configuration
knows (never taken from a request), so no request can name a git option or a path.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from generator.content import model
from generator.content import review
from generator.content.edition import EDITIONS, content_kind

CLONE = Path("build/editor-git")  # the editor's own clone, under the project
PREFIX = "cms"  # decap-server's CMS_BRANCH_PREFIX
LABEL = "decap-cms/"  # decap-lib-util's DEFAULT_DECAP_CMS_LABEL_PREFIX: status = label minus this
STATUSES = ("draft", "pending_review", "pending_publish")
STATUS_NAMES = {"draft": "Utkast", "pending_review": "Granskas", "pending_publish": "Klar att publicera"}
TRAILER = "Granskad-av"
COOKIE = "guide_maintainer"
KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")  # a maintainer's key, as secrets.token_urlsafe makes it
NAME_MAX = 100
CHANGES_KEY = "ändringar"
REVIEWED_KEY = "granskad"


class DraftError(Exception):
    """A workflow request that cannot be carried out: the HTTP status and the Swedish reason."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    @property
    def signature(self) -> str:
        return f"{self.name} <{self.email}>"


def git_branch(root: Path) -> str | None:
    """The branch `root` has checked out, if `root` is the top of a git repository (else None:
    the editor then saves straight into the files, without drafts)."""
    try:
        top = _run(["git", "-C", str(root), "rev-parse", "--show-toplevel"]).strip()
        if Path(top).resolve() != root.resolve():
            return None
        branch = _run(["git", "-C", str(root), "symbolic-ref", "--quiet", "--short", "HEAD"]).strip()
        _run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"])
        return branch
    except (OSError, subprocess.CalledProcessError):
        return None


def _run(args: list[str], input: str | None = None, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # never those of a caller
        if env is None or name not in env:
            full_env.pop(name, None)
    return subprocess.run(args, input=input, env=full_env, capture_output=True, text=True, check=True,
                          encoding="utf-8").stdout


class Drafts:
    """The editorial workflow's storage: drafts in build/editor-git, publishing into `root`.

    `paths` maps (collection, slug) to the content file's path, or None when the editor's
    configuration has no such entry; `check_path` is the storage's own check of a content path.
    Callers hold the storage's lock: one change at a time."""

    def __init__(self, root: Path, branch: str, paths: Callable[[str, str], str | None],
                 check_path: Callable[[str], Any]):
        self.root = root.resolve()
        self.branch = branch
        self.paths = paths
        self.check_path = check_path
        self.repo = self.root / CLONE
        if not (self.repo / "HEAD").is_file():
            self.repo.parent.mkdir(parents=True, exist_ok=True)
            _run(["git", "clone", "--quiet", "--bare", "--no-local", "--single-branch", "--branch", branch,
                  str(self.root), str(self.repo)])
        self._fetch()

    # --- git in the clone ------------------------------------------------------------------------

    def git(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> str:
        return _run(["git", "--git-dir", str(self.repo), "-c", "core.hooksPath=/dev/null", *args],
                    input=input, env=env)

    def _fetch(self) -> str:
        """The content branch's newest commit, brought into the clone (as refs/guide/content)."""
        self.git("fetch", "--quiet", "--no-tags", str(self.root), f"+refs/heads/{self.branch}:refs/guide/content")
        return self.git("rev-parse", "refs/guide/content").strip()

    def _config(self, key: str) -> str | None:
        try:
            return self.git("config", "--get", key).strip()
        except subprocess.CalledProcessError:
            return None

    def _ref(self, branch: str) -> str | None:
        try:
            return self.git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}").strip()
        except subprocess.CalledProcessError:
            return None

    def _show(self, commit: str, path: str) -> str | None:
        try:
            return self.git("show", f"{commit}:{path}")
        except subprocess.CalledProcessError:
            return None

    def _commit_files(self, parent: str, files: dict[str, str], message: str, author: Person,
                      committer: Person) -> str:
        """A commit: `parent`'s tree with `files` (path: text) put in, and nothing else."""
        with tempfile.TemporaryDirectory(prefix="guide-index-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            self.git("read-tree", parent, env=env)
            for path, text in files.items():
                blob = self.git("hash-object", "-w", "--stdin", input=text).strip()
                self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            tree = self.git("write-tree", env=env).strip()
        env = {"GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
               "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email}
        return self.git("commit-tree", tree, "-p", parent, "-F", "-", input=message, env=env).strip()

    # --- who ------------------------------------------------------------------------------------

    def person(self, key: str | None) -> Person | None:
        if not key or not KEY.fullmatch(key):
            return None
        name, email = self._config(f"guide.{key}.name"), self._config(f"guide.{key}.email")
        return Person(name, email) if name and email else None

    def remember(self, name: Any, email: Any) -> str:
        """A new maintainer's key, their name and e-mail address kept in the clone's git config."""
        if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX or any(
                not c.isprintable() or c in "<>" for c in name):
            raise DraftError(400, "Skriv ditt namn (högst 100 tecken, inga tecken som < och >).")
        if not isinstance(email, str) or len(email) > 200 or not model.EMAIL_PATTERN.fullmatch(email.strip()):
            raise DraftError(400, "Skriv din e-postadress, till exempel anna.andersson@kommun.se.")
        key = secrets.token_urlsafe(24)
        self.git("config", f"guide.{key}.name", " ".join(name.split()))
        self.git("config", f"guide.{key}.email", email.strip())
        return key

    # --- names ----------------------------------------------------------------------------------

    def _entry(self, collection: Any, slug: Any) -> tuple[str, str]:
        """(the draft's branch, the content file) for an entry the configuration knows, or refused."""
        if not isinstance(collection, str) or not isinstance(slug, str):
            raise DraftError(400, "Begäran saknar samling och post (collection, slug).")
        path = self.paths(collection, slug)
        if path is None:
            raise DraftError(403, f"Posten {_short(collection)}/{_short(slug)} finns inte i redigeraren.")
        self.check_path(path)
        return f"{PREFIX}/{collection}/{slug}", path

    def _entry_of_branch(self, branch: str) -> tuple[str, str] | None:
        parts = branch.split("/")
        if len(parts) != 3 or parts[0] != PREFIX or self.paths(parts[1], parts[2]) is None:
            return None
        return parts[1], parts[2]

    def _status(self, branch: str) -> str:
        label = self._config(f"branch.{branch}.description") or ""
        status = label[len(LABEL):] if label.startswith(LABEL) else ""
        return status if status in STATUSES else "draft"

    # --- Decap's workflow actions ---------------------------------------------------------------

    def unpublished_entries(self, params: dict) -> list[str]:
        branches = self.git("for-each-ref", "--format=%(refname:strip=2)", f"refs/heads/{PREFIX}/").split()
        return [f"{c}/{s}" for c, s in filter(None, map(self._entry_of_branch, branches))]

    def unpublished_entry(self, params: dict) -> dict[str, Any]:
        collection, slug = params.get("collection"), params.get("slug")
        if isinstance(params.get("id"), str) and "/" in params["id"]:
            collection, slug = params["id"].split("/", 1)
        branch, path = self._entry(collection, slug)
        tip = self._ref(branch)
        if tip is None:
            raise DraftError(404, "Not Found")  # Decap: the entry has no draft (asked for every entry)
        base = self._base(tip)
        changed = self._changed(base, tip)
        return {
            "collection": collection, "slug": slug, "status": self._status(branch),
            "diffs": [{"id": p, "path": p, "oldPath": p, "newPath": p, "newFile": self._show(base, p) is None,
                       "status": "modified", "binary": False} for p in changed],
            "updatedAt": self.git("log", "-1", "--format=%cI", tip).strip(),
            "pullRequestAuthor": self._config(f"branch.{branch}.guideauthorname") or "",
        }

    def unpublished_entry_data_file(self, params: dict) -> dict[str, str]:
        branch, path = self._entry(params.get("collection"), params.get("slug"))
        if params.get("path") != path:
            raise DraftError(403, f"{_short(params.get('path'))} hör inte till utkastet {branch}.")
        tip = self._ref(branch)
        text = self._show(tip, path) if tip else None
        if text is None:
            raise DraftError(404, f"Utkastet {branch} har ingen fil {path}.")
        return {"data": text}

    def persist(self, params: dict, text: str, path: str, person: Person) -> dict[str, str]:
        """A save of a draft: one commit on its branch with the one file."""
        options = params.get("options") if isinstance(params.get("options"), dict) else {}
        files = params.get("dataFiles") or [params.get("entry")]
        slug = files[0].get("slug") if isinstance(files[0], dict) else None
        branch, entry_path = self._entry(options.get("collectionName"), slug)
        if entry_path != path:
            raise DraftError(403, f"{_short(path)} hör inte till posten {_short(slug)}.")
        status = options.get("status") or "draft"
        if status not in STATUSES:
            raise DraftError(400, f"Okänd status {_short(status)}.")
        tip = self._ref(branch)
        new = tip is None
        parent = tip or self._fetch()
        if self._show(parent, path) == text:
            if new:
                raise DraftError(409, "Inget är ändrat: det finns inget att spara som utkast.")
            return {"message": "entry persisted"}
        message = f"Utkast: {path}\n"
        commit = self._commit_files(parent, {path: text}, message, person, person)
        self.git("update-ref", f"refs/heads/{branch}", commit, tip or "0" * 40)
        if new:
            self.git("config", f"branch.{branch}.description", LABEL + status)
            self.git("config", f"branch.{branch}.guideauthorname", person.name)
            self.git("config", f"branch.{branch}.guideauthoremail", person.email)
        return {"message": "entry persisted"}

    def update_status(self, params: dict, person: Person) -> dict[str, str]:
        branch, _ = self._entry(params.get("collection"), params.get("slug"))
        status = params.get("newStatus")
        if status not in STATUSES:
            raise DraftError(400, f"Okänd status {_short(status)} (bara {', '.join(STATUSES)}).")
        if self._ref(branch) is None:
            raise DraftError(404, f"Det finns inget utkast {branch}.")
        self.git("config", f"branch.{branch}.description", LABEL + status)
        return {"message": f"{branch}: {STATUS_NAMES[status]}"}

    def delete(self, params: dict) -> dict[str, str]:
        branch, _ = self._entry(params.get("collection"), params.get("slug"))
        tip = self._ref(branch)
        if tip is not None:
            self.git("update-ref", "-d", f"refs/heads/{branch}", tip)
        try:
            self.git("config", "--remove-section", f"branch.{branch}")
        except subprocess.CalledProcessError:
            pass
        return {"message": f"utkastet {branch} är borttaget"}

    def publish(self, params: dict, person: Person) -> dict[str, str]:
        """The draft as one commit on the content branch, then in the maintainer's working tree."""
        branch, path = self._entry(params.get("collection"), params.get("slug"))
        tip = self._ref(branch)
        if tip is None:
            raise DraftError(404, f"Det finns inget utkast {branch}.")
        if self._status(branch) != "pending_publish":
            raise DraftError(409, "Utkastet är inte klart att publicera: sätt först statusen "
                                  f"\"{STATUS_NAMES['pending_publish']}\".")
        author = Person(self._config(f"branch.{branch}.guideauthorname") or "",
                        self._config(f"branch.{branch}.guideauthoremail") or "")
        if not author.name:
            raise DraftError(409, f"Utkastet {branch} saknar uppgift om vem som skrev det.")
        if author.name.casefold() == person.name.casefold():
            raise DraftError(403, f"Du ({person.name}) skrev ändringen. Någon annan ska granska och "
                                  "publicera den: be en kollega öppna den under Arbetsflöde.")
        current = _run(["git", "-C", str(self.root), "symbolic-ref", "--quiet", "--short", "HEAD"]).strip()
        if current != self.branch:
            raise DraftError(409, f"Projektmappen har nu grenen {current} utcheckad, inte {self.branch} "
                                  "som redigeraren startade med. Starta om redigeraren.")
        content = self._fetch()
        base = self._base(tip)
        files = {p: self._show(tip, p) for p in self._changed(base, tip)}
        if not files:
            raise DraftError(409, "Utkastet ändrar ingenting jämfört med den publicerade texten.")
        notes: list[str] = []
        for rel, text in files.items():
            if text is None:
                raise DraftError(409, f"Utkastet tar bort {rel}, och det kan inte publiceras härifrån.")
            if self._show(content, rel) != self._show(base, rel):
                raise DraftError(409, f"{rel} har ändrats på grenen {self.branch} sedan utkastet påbörjades. "
                                      "Ta bort utkastet och gör ändringen igen i den nya texten.")
            notes += change_notes(rel, self._show(content, rel), text)
        dirty = _run(["git", "-C", str(self.root), "status", "--porcelain", "--untracked-files=all", "--",
                      *files]).strip()
        if dirty:
            raise DraftError(409, f"Du har osparade ändringar i {', '.join(files)} i projektmappen (utanför "
                                  "redigeraren). Spara dem med git (commit) eller ta bort dem, och publicera "
                                  "sedan igen. Inget är ändrat.")
        summary = "\n".join(notes) or f"Granskad, utan ändring av innehållet: {', '.join(files)}"
        message = summary + f"\n\n{TRAILER}: {person.signature}\n"
        commit = self._commit_files(content, files, message, author, person)
        self.git("update-ref", "refs/guide/publish", commit)
        try:
            _run(["git", "-C", str(self.root), "-c", "core.hooksPath=/dev/null", "fetch", "--quiet", "--no-tags",
                  str(self.repo), "refs/guide/publish"])
            _run(["git", "-C", str(self.root), "-c", "core.hooksPath=/dev/null", "merge", "--quiet", "--ff-only",
                  "--no-edit", commit])
        except subprocess.CalledProcessError as err:
            raise DraftError(409, "Ändringen kunde inte föras in i projektmappen, och inget där är ändrat "
                                  f"(git: {_short(err.stderr.strip(), 300)}). Utkastet finns kvar.") from err
        self.delete(params)
        self._fetch()
        return {"message": f"{branch} publicerad som {commit[:10]}"}

    # --- helpers --------------------------------------------------------------------------------

    def _base(self, tip: str) -> str:
        """Where the draft began: its first commit's parent (the content branch then)."""
        first = self.git("rev-list", "--reverse", tip, "^refs/guide/content").split()
        if not first:
            return tip
        return self.git("rev-parse", f"{first[0]}^").strip()

    def _changed(self, base: str, tip: str) -> list[str]:
        return [p for p in self.git("diff", "--name-only", "-z", "--no-renames", base, tip).split("\0") if p]


def change_notes(rel: str, before: str | None, after: str) -> list[str]:
    """The new `ändringar` entries of a file (each its note), or DraftError saying what to add.
    Only files whose kind keeps a history need one (a meeting pack keeps none), and only when
    their content changed (not only the form, the history or the review date `granskad`)."""
    kind = content_kind(rel)
    if kind is None or not any(f.alias == CHANGES_KEY for f in kind.model_fields.values()):
        return [f"Ändrat: {rel}"]
    old = _changes(before)
    new = [c for c in _changes(after) if c not in old]
    if not new and before is not None and _content(before) == _content(after):
        return []  # only the form or the review date changed: nothing for a note
    if not new:
        today = review.today().isoformat()
        raise DraftError(422, f"{rel} har ingen ny ändring i sin ändringshistorik, och en ändring publiceras "
                              "aldrig i tysthet. Öppna posten och lägg till en rad under \"Ändringar\": "
                              f"datum (till exempel {today}), en mening om vad som ändrades, och typ "
                              "\"större\" (läsarna behöver veta det, syns i flödet) eller \"rättelse\" "
                              "(stavfel och små rättelser). Spara, och publicera sedan igen.")
    return [str(c.get("ändring", "")).strip() + (" (rättelse)" if c.get("typ") == "rättelse" else "") for c in new]


def _content(text: str) -> Any:
    """A file's data without its history and review date (what a change note is about)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in (CHANGES_KEY, REVIEWED_KEY)}
    return data


def _changes(text: str | None) -> list[dict]:
    if not text:
        return []
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    changes = data.get(CHANGES_KEY) if isinstance(data, dict) else None
    return [c for c in changes if isinstance(c, dict)] if isinstance(changes, list) else []


def _short(value: Any, length: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return f"\"{text[:length]}\""


def unnoted_changes(root: Path, since: str) -> tuple[list[str], list[str]]:
    """(the content files changed since the commit `since`, and for each one without a new
    `ändringar` entry the Swedish reason): `guide changes`, for a merge or pull request on the
    organisation's own git host, where no editor of ours checks it."""
    git = ["git", "-C", str(root)]
    base = _run([*git, "merge-base", since, "HEAD"]).strip()
    changed = [p for p in _run([*git, "diff", "--name-only", "-z", "--no-renames", base, "HEAD", "--",
                                "guidance", "checklists", EDITIONS]).split("\0") if p and content_kind(p) is not None]
    problems = []
    for rel in changed:
        try:
            after = _run([*git, "show", f"HEAD:{rel}"])
        except subprocess.CalledProcessError:
            continue  # removed: no history left to add to
        try:
            before = _run([*git, "show", f"{base}:{rel}"])
        except subprocess.CalledProcessError:
            before = None
        try:
            change_notes(rel, before, after)
        except DraftError as err:
            problems.append(err.reason)
    return changed, problems
