"""Sections of the book, by anchor: where a hint sends a student to read more.

A section is named ``"<page>#<anchor>"``, e.g. ``"ch02_cross_correlation#the-kernel-flip"``:
the chapter's page under ``book/`` and the anchor MyST gives one of its headings (levels 1
to 3, see ``myst_heading_anchors`` in ``_config.yml``), computed here as MyST computes it.
Links into the built pages use :attr:`Section.html_id`, the id Sphinx writes there.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BOOK = Path(__file__).resolve().parents[2] / "book"
HEADING_LEVELS = 3

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_MATH = re.compile(r"\$[^$]*\$")
_MARKUP = re.compile(r"[`*_]|\{[a-z]+\}")
_UNSLUGGED = re.compile(r"[^\w\u4e00-\u9fff\- ]")


@dataclass(frozen=True)
class Section:
    """One heading of a chapter page."""

    page: str
    anchor: str
    title: str
    chapter_title: str
    heading: str  # as written in the page, with its Markdown and TeX

    @property
    def html_id(self) -> str:
        """The id Sphinx gives the heading in the built page (docutils' rule, which differs
        from MyST's anchor for headings with math or code)."""
        from docutils.nodes import make_id

        return make_id(_MARKUP.sub("", self.heading).replace("$", ""))

    @property
    def chapter(self) -> int | None:
        """The chapter number, from the chapter key ``chNN_topic``; None for other pages."""
        match = re.match(r"ch(\d+)_", self.page)
        return int(match[1]) if match else None

    def links(self) -> dict[str, str]:
        """Where the section is, relative to the book: in the built HTML book, and in its Markdown
        source as JupyterLab shows it (whose heading ids are the titles with hyphens for spaces)."""
        return {"html": f"{self.page}.html#{self.html_id}", "md": f"{self.page}.md#{self.title.replace(' ', '-')}"}

    def describe(self) -> str:
        """Where to read, in words: 'chapter 2 ("Cross-correlation"), section "The kernel flip"'."""
        chapter = f"chapter {self.chapter}" if self.chapter else f"the page {self.page}"
        if self.title == self.chapter_title:
            return f'{chapter}, "{self.chapter_title}"'
        return f'{chapter} ("{self.chapter_title}"), section "{self.title}"'


def slug(title: str) -> str:
    """The anchor MyST gives a heading: its text and code, lowercase, spaces to hyphens."""
    text = _MARKUP.sub("", _MATH.sub("", title))
    return _UNSLUGGED.sub("", text.lower().replace(" ", "-"))


def plain_title(title: str) -> str:
    """A heading as plain text: no Markdown markup, math without TeX (``$1 \\times 1$`` -> ``1 × 1``)."""
    text = _MARKUP.sub("", title).replace("$", "").replace("\\times", "×")
    return re.sub(r"\\[a-zA-Z]+\s*", "", text)


def headings(markdown: str) -> list[tuple[int, str]]:
    """The (level, title) of every Markdown heading outside code blocks."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            found.append((len(match[1]), match[2]))
    return found


@cache
def page_sections(page: str) -> dict[str, Section]:
    """The sections of ``book/<page>.md`` by anchor ({} when the book is not installed)."""
    path = BOOK / f"{page}.md"
    if not path.exists():
        return {}
    found = [(level, title) for level, title in headings(path.read_text(encoding="utf-8")) if level <= HEADING_LEVELS]
    chapter_title = next((plain_title(title) for level, title in found if level == 1), page)
    sections: dict[str, Section] = {}
    for _, title in found:
        anchor, number = slug(title), 1
        while anchor in sections:
            anchor, number = f"{slug(title)}-{number}", number + 1
        sections[anchor] = Section(page, anchor, plain_title(title), chapter_title, title)
    return sections


def find(section: str) -> Section | None:
    """The :class:`Section` named ``"<page>#<anchor>"``, or None if the book has no such heading."""
    page, _, anchor = section.partition("#")
    return page_sections(page).get(anchor)
