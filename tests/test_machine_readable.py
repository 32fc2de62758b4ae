"""Machine-readable help: llms.txt and llms-full.txt per locale, each article's Markdown beside
its page, and schema.org JSON-LD (TechArticle, BreadcrumbList) in the page's language."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import PAGES, write_project
from helpcenter import atomic
from helpcenter.config import load_project
from helpcenter.site.build import build_site
from helpcenter.translation import engines
from helpcenter.translation.translate import translate
from htmlinfo import page

SITE = "https://help.acme.example/"
_JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def jsonld(site: Path, rel: str) -> dict:
    (block,) = _JSONLD.findall((site / rel).read_text(encoding="utf-8"))
    return {node["@type"]: node for node in json.loads(block)["@graph"]}


def llms_links(text: str) -> dict[str, tuple[str, str]]:
    """{url: (title, summary)} of an llms.txt's file lists."""
    found = re.findall(r"^- \[(.+?)\]\((\S+?)\)(?:: (.*))?$", text, re.M)
    return {url: (title, summary) for title, url, summary in found}


def test_llms_txt_lists_exactly_the_locales_own_articles(built):
    site = built[0] / "site"
    en = (site / "en" / "llms.txt").read_text(encoding="utf-8")
    assert en.startswith("# Acme Help\n\n> Answers from the Acme support team.\n")
    assert "## Orders" in en
    assert llms_links(en) == {
        f"{SITE}en/orders/returns.md": ("Return an item", "How returns work."),
        f"{SITE}en/orders/refunds.md": ("Refund timing", ""),
    }
    # fr wrote its own returns page; refunds is a fallback there (the English text): not listed.
    fr = (site / "fr" / "llms.txt").read_text(encoding="utf-8")
    assert "## Commandes" in fr
    assert llms_links(fr) == {f"{SITE}fr/orders/returns.md": ("Retourner un article", "")}
    ja = (site / "ja" / "llms.txt").read_text(encoding="utf-8")
    assert llms_links(ja) == {f"{SITE}ja/orders/returns.md": ("商品を返品する", "")}
    # Home, category and form pages are not articles.
    assert "request" not in en and "orders/index" not in en


def test_the_root_llms_txt_leads_to_every_locales(built):
    text = (built[0] / "site" / "llms.txt").read_text(encoding="utf-8")
    assert text.startswith("# Acme Help\n\n> Answers from the Acme support team.\n")
    assert "## Languages" in text and "## Orders" not in text
    assert list(llms_links(text)) == [f"{SITE}{code}/llms.txt"
                                      for code in ("en", "fr", "ja", "zh", "ar")]
    assert f"{SITE}ja/llms-full.txt" in text


def test_each_article_has_its_published_markdown_beside_its_page(built):
    site = built[0] / "site"
    en = (site / "en" / "orders" / "returns.md").read_text(encoding="utf-8")
    assert en == ("# Return an item\n\n> How returns work.\n\n"
                  "You can return any item within thirty days. See [refunds](refunds.md).\n")
    assert "title:" not in en  # front matter stripped
    # The writer's relative link resolves among the twins.
    assert (site / "en" / "orders" / "refunds.md").is_file()
    fr = (site / "fr" / "orders" / "returns.md").read_text(encoding="utf-8")
    assert fr.startswith("# Retourner un article\n") and "trente jours" in fr
    assert not (site / "fr" / "orders" / "refunds.md").exists()  # a fallback: the source's
    info = page(site, "fr/orders/returns/index.html")
    (link,) = [lk for lk in info.rel("alternate") if lk.get("type") == "text/markdown"]
    assert link["href"] == "../../orders/returns.md"
    assert not [lk for lk in page(site, "fr/orders/refunds/index.html").rel("alternate")
                if lk.get("type") == "text/markdown"]


def test_llms_full_txt_holds_every_article(built):
    site = built[0] / "site"
    full = (site / "en" / "llms-full.txt").read_text(encoding="utf-8")
    for name in ("returns", "refunds"):
        assert (site / "en" / "orders" / f"{name}.md").read_text(encoding="utf-8") in full
    assert "Bank transfers take longer." in full
    assert "trente jours" in (site / "fr" / "llms-full.txt").read_text(encoding="utf-8")


def test_jsonld_describes_the_article_in_its_language(built):
    site = built[0] / "site"
    for rel, lang, title in (("en/orders/returns/index.html", "en", "Return an item"),
                             ("fr/orders/returns/index.html", "fr", "Retourner un article"),
                             ("ja/orders/returns/index.html", "ja", "商品を返品する")):
        nodes = jsonld(site, rel)
        article = nodes["TechArticle"]
        assert article["inLanguage"] == page(site, rel).html["lang"] == lang
        assert article["headline"] == title
        assert article["url"] == f"{SITE}{lang}/orders/returns/"
        assert article["isPartOf"]["@type"] == "WebSite"
        crumbs = nodes["BreadcrumbList"]["itemListElement"]
        assert [c["position"] for c in crumbs] == [1, 2, 3]
        assert [c["item"] for c in crumbs] == [f"{SITE}{lang}/", f"{SITE}{lang}/orders/",
                                               f"{SITE}{lang}/orders/returns/"]
        assert crumbs[-1]["name"] == title
    assert jsonld(site, "fr/orders/returns/index.html")["BreadcrumbList"][
        "itemListElement"][1]["name"] == "Commandes"
    assert jsonld(site, "en/orders/returns/index.html")["TechArticle"]["description"] == \
        "How returns work."
    # A fallback page is the original's text: described as the original, at its URL.
    fallback = jsonld(site, "fr/orders/refunds/index.html")["TechArticle"]
    assert fallback["inLanguage"] == "en" and fallback["url"] == f"{SITE}en/orders/refunds/"
    # A category page has its breadcrumbs only; home and form pages have none; no FAQPage anywhere.
    assert set(jsonld(site, "en/orders/index.html")) == {"BreadcrumbList"}
    for rel in ("en/index.html", "en/request/index.html"):
        assert not _JSONLD.search((site / rel).read_text(encoding="utf-8"))
    assert "FAQPage" not in (site / "en/orders/returns/index.html").read_text(encoding="utf-8")


def test_a_title_cannot_break_out_of_the_jsonld(tmp_path: Path):
    title = "</script><script>alert(\"x\")</script> & 'quotes' <!--"
    pages = dict(PAGES)
    pages["en/orders/returns.md"] = (f"---\ntitle: {json.dumps(title)}\n---\nBody.\n")
    root = write_project(tmp_path / "help", pages)
    build_site(root, locales=["en"], jobs=1)
    html = (root / "site/en/orders/returns/index.html").read_text(encoding="utf-8")
    (block,) = _JSONLD.findall(html)  # the title's </script> did not end it early
    assert not set("<>&'") & set(block)
    assert jsonld(root / "site", "en/orders/returns/index.html")["TechArticle"]["headline"] == title
    assert llms_links((root / "site/en/llms.txt").read_text(encoding="utf-8"))


def test_a_catalog_translation_is_published_as_its_markdown(tmp_path: Path):
    root = write_project(tmp_path / "help")
    translate(load_project(root), engines.build("pseudo"), locales=["ar"])
    build_site(root, locales=["en", "ar"], jobs=1)
    site = root / "site"
    twin = (site / "ar" / "orders" / "refunds.md").read_text(encoding="utf-8")
    assert "Zébràçörñ" in twin and "Zebracorn" not in twin and "title:" not in twin
    title = twin.splitlines()[0].removeprefix("# ")
    assert title.startswith("⟦Réfûñd tîmîñg")  # the pseudo-translated title
    assert f"[{title}]({SITE}ar/orders/refunds.md)" in (site / "ar/llms.txt").read_text("utf-8")
    assert jsonld(site, "ar/orders/refunds/index.html")["TechArticle"]["headline"] == title


def test_files_are_written_atomically_and_a_rebuild_drops_deleted_pages(tmp_path: Path,
                                                                       monkeypatch):
    root = write_project(tmp_path / "help")
    build_site(root, locales=["en"], jobs=1)
    assert (root / "site/en/orders/refunds.md").is_file()
    written: list[Path] = []
    original = atomic.write_bytes
    monkeypatch.setattr(atomic, "write_bytes",
                        lambda path, data, *args, **kwargs: (
                            written.append(Path(path)), original(path, data, *args, **kwargs))[1])
    (root / "content/en/orders/refunds.md").unlink()
    build_site(root, locales=["en"], jobs=1)
    names = {p.name for p in written}
    assert {"llms.txt", "llms-full.txt"} <= names
    # An unchanged twin is the live one, linked into the new folder as a reused page is.
    assert "returns.md" not in names and (root / "site/en/orders/returns.md").is_file()
    assert not (root / "site/en/orders/refunds.md").exists()
    assert "refunds" not in (root / "site/en/llms.txt").read_text(encoding="utf-8")
