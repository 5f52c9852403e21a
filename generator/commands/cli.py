"""The `guide` command: check content, build the site, preview it.

    guide check   validate every content file and print every problem found
    guide build   check, generate the pages, build the site into site/
    guide serve   live preview on http://127.0.0.1:8000, rebuilt when content changes
    guide pack    one meeting-pack PDF from a YAML file, or from --checklista/--avsnitt
    guide edit    the maintainers' editor (Decap CMS) and live preview on http://127.0.0.1:8000
                  (--utgava ID: only that local edition's files, and its site in the preview)
    guide editor-config  the editor for an organisation's own GitHub or GitLab, as a folder (hosted.py)
    guide changes --since REF  every content file changed since REF has a new change note (CI)
    guide format  rewrite every content file in the shape the editor writes
    guide schema  write a JSON Schema per kind of content file (for VS Code's YAML extension)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

from generator.outputs import stamp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="guide", description="Vägledningens generator.")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="projektets mapp (standard: aktuell mapp)")
    commands = parser.add_subparsers(dest="command", required=True)
    check_cmd = commands.add_parser("check", help="kontrollera innehållet")
    check_cmd.add_argument("--utgava", default=None, metavar="ID", help="kontrollera också den lokala utgåvan i utgavor/ID/")
    check_cmd.add_argument("--alla-utgavor", action="store_true", help="kontrollera också varje lokal utgåva")
    build = commands.add_parser("build", help="bygg webbplatsen till site/")
    build.add_argument("--utgava", default=None, metavar="ID",
                       help="bygg den lokala utgåvan i utgavor/ID/ (till site-utgavor/ID/)")
    build.add_argument("--alla-utgavor", action="store_true",
                       help="bygg den nationella webbplatsen och varje lokal utgåva, var och en i sin mapp")
    build.add_argument("--site-dir", type=Path, default=None, help="målmapp (standard: site/)")
    pack = commands.add_parser("pack", help="bygg ett mötespaket (en PDF) av checklistor och avsnitt")
    pack.add_argument("file", nargs="?", type=Path, help="YAML-fil som beskriver paketet (se checklists/paket/)")
    pack.add_argument("--titel", default="Mötespaket", help="paketets titel (utan fil)")
    pack.add_argument("--checklista", action="append", default=[], help="id för en checklista (kan upprepas)")
    pack.add_argument("--avsnitt", action="append", default=[], help="sida eller sida#avsnitt (kan upprepas)")
    pack.add_argument("-o", "--output", type=Path, help="PDF-fil att skriva (standard: build/<id>.pdf)")
    serve = commands.add_parser("serve", help="förhandsgranska med automatisk omladdning")
    serve.add_argument("--port", type=int, default=8000)
    edit = commands.add_parser("edit", help="redigera i webbläsaren, med förhandsgranskning")
    edit.add_argument("--port", type=int, default=8000)
    edit.add_argument("--utgava", default=None, metavar="ID",
                      help="redigera bara den lokala utgåvan i utgavor/ID/, och förhandsgranska den")
    hosted = commands.add_parser("editor-config", help="redigeraren för er egen GitHub eller GitLab, som en mapp")
    hosted.add_argument("--host", required=True, choices=["github", "gitlab"], help="er git-tjänst")
    hosted.add_argument("--repo", required=True, help="arkivet, till exempel kommunen/vagledning")
    hosted.add_argument("--branch", default="main", help="grenen som publiceras (standard: main)")
    hosted.add_argument("--app-id", default=None, help="GitLab: OAuth-applikationens id (inloggning med PKCE)")
    hosted.add_argument("--base-url", default=None, help="GitHub: er OAuth-tjänst; GitLab: er GitLabs adress")
    hosted.add_argument("--api-root", default=None, help="API-adressen för egen GitLab eller GitHub Enterprise")
    hosted.add_argument("--out", type=Path, default=Path("admin"), help="mapp att skriva (standard: admin/)")
    hosted.add_argument("--utgava", default=None, metavar="ID", help="bara den lokala utgåvans filer i utgavor/ID/")
    changes = commands.add_parser("changes", help="kontrollera att varje ändrad innehållsfil har en ny ändringsnotis")
    changes.add_argument("--since", required=True, help="git-versionen att jämföra med, till exempel origin/main")
    fmt = commands.add_parser("format", help="skriv om innehållsfilerna i redigerarens form")
    fmt.add_argument("--check", action="store_true", help="ändra inget, lista filer som inte har formen")
    schema = commands.add_parser("schema", help="skriv JSON Schema för varje slag av fil")
    schema.add_argument("--out", type=Path, default=None, help="mapp (standard: schemas/)")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    root = args.root.resolve()
    if args.command == "build" and not (args.utgava or args.alla_utgavor):  # before importing the rest (half a second)
        started = time.perf_counter()
        target = (args.site_dir or root / "site").resolve()
        if stamp.up_to_date(root, target):
            print(f"Webbplatsen i {target} är redan byggd av det nuvarande innehållet: inget att göra "
                  f"({time.perf_counter() - started:.2f} s).")
            return 0
    from generator.pipeline import BuildError, build_site, check, environment_message, make_pack
    from generator.views.history import content_warnings

    try:
        if args.command == "check" and args.alla_utgavor:  # every edition, each with all its problems
            from generator.content.edition import edition_ids

            content = check(root, render=True)
            failed = []
            for edition in edition_ids(root):
                try:
                    check(root, render=True, edition=edition)
                except BuildError as err:
                    failed.append(edition)
                    print(f"Utgåvan {edition}: {err}", file=sys.stderr)
            if failed:
                print(f"Fel i {', '.join(failed)}. Det nationella innehållet är korrekt.", file=sys.stderr)
                return 1
            count = len(edition_ids(root))
            print(f"Innehållet är korrekt: {len(content.files)} filer och {count} "
                  f"{'utgåva' if count == 1 else 'utgåvor'} kontrollerade.")
        elif args.command == "check":
            content = check(root, render=True, edition=args.utgava)
            for warning in content_warnings(content):  # review dates: warnings, never errors
                print(warning, file=sys.stderr)
            print(f"Innehållet är korrekt: {len(content.files)} filer kontrollerade.")
        elif args.command == "build" and args.alla_utgavor:
            from generator.content.edition import edition_ids

            failed = _build_each(root, [None, *edition_ids(root)])
            if failed:
                which = "1 utgåva" if len(failed) == 1 else f"{len(failed)} utgåvor"
                print(f"{which} kunde inte byggas: {', '.join(failed)}. Den förra webbplatsen för "
                      "var och en av dem är orörd; de andra är byggda.", file=sys.stderr)
                return 1
        elif args.command == "build":
            started = time.perf_counter()
            target = build_site(root, args.site_dir, edition=args.utgava)
            print(f"{'Utgåvan' if args.utgava else 'Webbplatsen'} är byggd i {target} ({time.perf_counter() - started:.1f} s).")
        elif args.command == "pack":
            target = make_pack(root, args)
            print(f"Mötespaketet är skrivet till {target}.")
        elif args.command == "serve":
            from generator.commands.preview import serve

            serve(root, args.port)
        elif args.command == "edit":
            from generator.commands.edit_server import serve as serve_editor
            serve_editor(root, args.port, edition=args.utgava)
        elif args.command == "editor-config":
            from generator.commands.hosted import write_admin
            try:
                out = write_admin(root, args.out.resolve(), args.host, args.repo, branch=args.branch,
                                  app_id=args.app_id, base_url=args.base_url, api_root=args.api_root,
                                  edition=args.utgava)
            except (ValueError, FileNotFoundError) as err:
                print(f"Fel: {err}", file=sys.stderr)
                return 1
            print(f"Redigeraren för {args.host} är skriven till {out}: lägg mappen på en egen adress.")
        elif args.command == "changes":
            from generator.commands.drafts import unnoted_changes
            try:
                changed, problems = unnoted_changes(root, args.since)
            except (OSError, subprocess.CalledProcessError) as err:
                print(f"Fel: git kunde inte jämföra med {args.since}: {getattr(err, 'stderr', '') or err}", file=sys.stderr)
                return 1
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                return 1
            print(f"Varje ändrad innehållsfil ({len(changed)}) har en ny rad i sin ändringshistorik.")
        elif args.command == "format":
            from generator.commands.format import format_files
            changed = format_files(root, check_only=args.check)
            verb = "har inte redigerarens form" if args.check else "är omskrivna"
            print(f"{len(changed)} filer {verb}." + "".join(f"\n  {c}" for c in changed))
            return 1 if args.check and changed else 0
        elif args.command == "schema":
            from generator.commands.schema import write_schemas
            written = write_schemas(root, args.out)
            print(f"{len(written)} scheman skrivna till {written[0].parent}.")
    except BuildError as err:
        print(err, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Avbrutet. Den förra webbplatsen i site/ är orörd.", file=sys.stderr)
        return 130
    except OSError as err:
        print(environment_message(err), file=sys.stderr)
        return 1
    except Exception:  # a fault in the generator itself, not in the content
        log = root / "build" / "fel.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(traceback.format_exc(), encoding="utf-8")
        except OSError:
            log = None
        print("Ett oväntat fel uppstod i generatorn (inte i innehållet). Den förra webbplatsen i site/ "
              "är orörd. Kontakta den som sköter generatorn" + (f" och skicka med filen {log}." if log else "."),
              file=sys.stderr)
        return 2
    return 0



def _build_each(root: Path, editions: list[str | None]) -> list[str]:
    """Build the national site (None) and each edition, one after the other; the editions that
    could not be built. One municipality's slip does not stop the others' editions; a slip in
    the national content stops them all (every edition stands on it)."""
    from generator.pipeline import BuildError, build_site

    failed = []
    for edition in editions:
        started = time.perf_counter()
        try:
            target = build_site(root, edition=edition)
        except BuildError as err:
            if edition is None:
                raise
            failed.append(edition)
            print(f"Utgåvan {edition} kunde inte byggas. {err}", file=sys.stderr, flush=True)
            continue
        print(f"{'Webbplatsen' if edition is None else 'Utgåvan ' + edition} är byggd i {target} "
              f"({time.perf_counter() - started:.1f} s).", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
