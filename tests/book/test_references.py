"""References, glossary and index: the sources say where their material comes from, cite what
they lean on, link the terms they use, and the built book has a bibliography, a glossary and
a real index."""

import re
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

REPO = Path(__file__).resolve().parents[2]
BOOK = REPO / "book"
BIB = BOOK / "references.bib"
GLOSSARY = BOOK / "glossary.md"
CHAPTERS = sorted(BOOK.glob("ch[0-9][0-9]_*.md"))
CITING_PAGES = [BOOK / "intro.md", *CHAPTERS]
CITATION = re.compile(r"\{cite:[pt]\}`([^`]+)`")
TERM_LINK = re.compile(r"\{term\}`(?:[^`<]*<([^`>]+)>|([^`]+))`")
GLOSSARY_BLOCK = re.compile(r"^```\{glossary\}\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# The terms the issue asks for; the glossary may hold more.
REQUIRED_TERMS = [
    "feature map", "receptive field", "stride", "dilation", "padding", "channel", "kernel",
    "transposed convolution", "pooling", "batch statistics", "running estimates",
    "cross-correlation", "convolution", "vector-Jacobian product", "output size",
    "activation function", "batch normalization", "logits", "epoch",
]  # fmt: skip
# Entries of the index that the chapters' {index} directives and the glossary must produce.
INDEX_SAMPLES = ["corr2d", "nn.Conv2d", "Tensor.unfold", "pool2d", "SimpleCNN", "feature map"]


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def bib_entries() -> dict:
    return parse_file(str(BIB), bib_format="bibtex").entries


def cited_keys() -> set[str]:
    """Every key that a {cite:p} or {cite:t} role of the intro or a chapter names."""
    return {key.strip() for page in CITING_PAGES for keys in CITATION.findall(text(page)) for key in keys.split(",")}


def glossary_terms() -> list[str]:
    """The terms of the glossary directive: its lines that are not indented (definitions are)."""
    block = GLOSSARY_BLOCK.search(text(GLOSSARY))
    assert block, "book/glossary.md has no ```{glossary} block"
    return [line for line in block[1].splitlines() if line.strip() and not line[0].isspace()]


def term_links() -> list[tuple[str, str]]:
    """(chapter file name, glossary term) for every {term} role of the chapters."""
    return [
        (chapter.name, explicit or plain)
        for chapter in CHAPTERS
        for explicit, plain in TERM_LINK.findall(text(chapter))
    ]


def test_every_bib_entry_is_cited() -> None:
    """No entry of references.bib is left out of the bibliography for want of a citation."""
    uncited = sorted(set(bib_entries()) - cited_keys())
    assert not uncited, f"entries of book/references.bib that no chapter cites: {uncited}"


def test_every_citation_is_in_the_bib() -> None:
    unknown = sorted(cited_keys() - set(bib_entries()))
    assert not unknown, f"cited but missing from book/references.bib: {unknown}"


def test_pytorch_pages_are_those_of_the_pinned_version() -> None:
    """Each PyTorch documentation entry has a URL and a note of the version requirements.txt pins."""
    pin = re.search(r"^torch==(\d+\.\d+)", text(REPO / "requirements.txt"), re.MULTILINE)
    assert pin, "requirements.txt pins no torch version"
    pages = {key: entry for key, entry in bib_entries().items() if key.startswith("pytorch-")}
    assert pages, "references.bib cites no PyTorch documentation"
    for key, entry in pages.items():
        assert f"/docs/{pin[1]}/" in entry.fields.get("url", ""), f"{key}: not a page of PyTorch {pin[1]}"
        assert f"PyTorch {pin[1]}" in entry.fields.get("note", ""), f"{key}: no note of PyTorch {pin[1]}"


def test_papers_say_who_when_and_where() -> None:
    """Every entry but the documentation pages has authors, a title, a year and a venue or arXiv id."""
    for key, entry in bib_entries().items():
        if key.startswith("pytorch-"):
            continue
        assert entry.persons.get("author"), f"{key}: no author"
        assert {"title", "year"} <= set(entry.fields), f"{key}: no title or year"
        venue = {"journal", "booktitle", "publisher", "institution", "eprint"} & set(entry.fields)
        assert venue, f"{key}: no journal, proceedings, publisher or arXiv identifier"


def test_source_notes_are_gone() -> None:
    """The chapters cite what a reader can look up instead of naming the course's notes."""
    mentions = [
        f"{page.name}:{number}"
        for page in CITING_PAGES
        for number, line in enumerate(text(page).splitlines(), 1)
        if "source notes" in line.lower()
    ]
    assert not mentions, f'"the source notes" is still named at {mentions}'


def test_intro_says_where_the_material_comes_from() -> None:
    intro = text(BOOK / "intro.md")
    assert "(sec-intro-sources)=" in intro
    assert "zhang2023d2l" in intro, "the intro does not cite Dive into Deep Learning"


def test_glossary_has_the_terms_a_reader_needs() -> None:
    missing = sorted(set(REQUIRED_TERMS) - set(glossary_terms()))
    assert not missing, f"terms missing from the glossary: {missing}"


def test_each_glossary_term_is_linked_once_from_the_chapters() -> None:
    """Exactly one {term} link per glossary term across the chapters: at its first use."""
    targets = [term for _, term in term_links()]
    unlinked = [term for term in glossary_terms() if term not in targets]
    repeated = sorted({term for term in targets if targets.count(term) > 1})
    assert not unlinked, f"glossary terms no chapter links to: {unlinked}"
    assert not repeated, f"glossary terms linked more than once: {repeated}"


def test_reference_part_is_in_the_toc() -> None:
    toc = yaml.safe_load(text(REPO / "_toc.yml"))
    files = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    for page in ("book/glossary", "book/references", "genindex"):
        assert page in files, f"_toc.yml has no entry for {page}"


@pytest.mark.slow
def test_references_page_lists_every_entry(built_book: Path) -> None:
    page = text(built_book / "book" / "references.html")
    assert page.count('class="citation"') + page.count("<dt") >= len(bib_entries())
    assert "Dive into Deep Learning" in page


@pytest.mark.slow
def test_chapters_link_to_references_and_glossary(built_book: Path) -> None:
    page = text(built_book / "book" / "ch02_cross_correlation.html")
    assert "references.html#" in page, "chapter 2 links to no reference"
    assert "glossary.html#term-feature-map" in page, "chapter 2 does not link 'feature map'"


@pytest.mark.slow
def test_index_is_real_and_not_empty(built_book: Path) -> None:
    """genindex.html is Sphinx's index with the chapters' entries, not the stub page of the toc."""
    page = text(built_book / "genindex.html")
    assert "genindex-jumpbox" in page, "genindex.html is not Sphinx's general index"
    missing = [entry for entry in INDEX_SAMPLES if f">{entry}<" not in page]
    assert not missing, f"index entries missing: {missing}"
