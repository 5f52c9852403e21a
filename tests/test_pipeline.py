"""One pipeline for every entry point: what `guide edit` shows a maintainer is, byte for byte,
what `guide build` publishes, apart from the script that reloads the preview."""

from __future__ import annotations

import urllib.request

import pytest

from conftest import ROOT, copy_project, running_editor
from generator.commands.edit_server import RELOAD_SCRIPT


@pytest.fixture(scope="module")
def editor_preview(tmp_path_factory, site):
    root = copy_project(tmp_path_factory.mktemp("preview"))

    def built(status) -> bool:  # the pages built, with the PDFs of the content in them
        return status["version"] > 0 and status["ok"] and status["pdfs"] and not status["building"]

    with running_editor(root, built, 180) as (port, _, _):
        yield f"http://127.0.0.1:{port}"


def test_every_page_of_the_preview_is_the_built_page(editor_preview, site):
    """Seen failing before the preview ran the build's finishing step: its pages kept the
    theme's inline scripts (blocked by the site's Content-Security-Policy) and every glossary
    tooltip, where the published pages have one per section. And before the preview brought in
    PDFs taken from the cache: its pages linked to PDFs that were not there."""
    reload = RELOAD_SCRIPT.split("SEEN")[0].encode()
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) > 30
    for rel in pages:
        url = f"{editor_preview}/{rel.removesuffix('index.html')}"
        with urllib.request.urlopen(url, timeout=30) as response:
            shown = response.read()
        start = shown.find(reload)
        assert start > 0, rel  # the preview's page has its reload script ...
        end = shown.index(b"</script>", start) + len(b"</script>")
        ours = shown[:start] + shown[end:]
        built = (site / rel).read_bytes()
        at = next((i for i, (a, b) in enumerate(zip(ours, built)) if a != b), min(len(ours), len(built)))
        assert ours == built, f"{rel}: {ours[at - 200:at + 100]!r} != {built[at - 200:at + 100]!r}"  # ... and nothing else new


def test_facts_of_the_content_live_in_the_content_only(content):
    """The hotline's number and the guide's title are written once, in the content files; the
    templates and the theme take them from there (before: in four templates each)."""
    facts = [content.missing_child.hotline.number, content.site.title, content.site.site_name]
    written = [content.missing_child.hotline.number.replace(" ", "&nbsp;"),
               content.missing_child.hotline.number.replace(" ", "")]
    code = ROOT / "generator" / "templates", ROOT / "overrides", ROOT / "mkdocs.yml"
    for path in [p for base in code for p in ([base] if base.is_file() else sorted(base.rglob("*"))) if p.is_file()]:
        if path.suffix in (".woff2", ".png", ".svg", ".ico"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not [fact for fact in facts + written if fact in text], path


def test_the_theme_gets_the_sites_name_and_hotline_escaped(tmp_path, content):
    """What the theme shows from the content (site_name, config.extra.journummer) reaches the
    engine's config escaped: the theme inserts it as HTML."""
    import dataclasses

    import yaml

    from generator.pipeline import CONFIG, write_config

    (tmp_path / "build").mkdir()
    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    missing = content.missing_child
    hotline = missing.hotline.model_copy(update={"number": "116 000 <img src=x onerror=alert(1)>"})
    changed = dataclasses.replace(
        content, site=content.site.model_copy(update={"site_name": 'Vägledning <script>alert("x")</script>'}),
        missing_child=missing.model_copy(update={"hotline": hotline}))
    write_config(tmp_path, changed)
    config = yaml.safe_load((tmp_path / CONFIG).read_text(encoding="utf-8"))
    assert config["site_name"] == "Vägledning &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert config["extra"]["journummer"] == {"visas": "116&nbsp;000&nbsp;&lt;img&nbsp;src=x&nbsp;onerror=alert(1)&gt;",
                                             "tel": "tel:1160001"}
