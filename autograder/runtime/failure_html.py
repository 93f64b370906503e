"""A failed check's message as HTML, for a student reading it in Jupyter.

The plain message is built for terminals and nbgrader's feedback; this page keeps its words
and lays them out: the first line as a title, the lines that compare values aligned, small
results in full as two tables (expected, got) with the wrong entries marked, the student's
traceback lines as code, the hint set apart, and "Read more" as a link into the book.

The book is found at the address in ``CNN_COURSE_BOOK_URL``, else at the "Book" address the
installed ``cnn-course`` package names, else, in a copy of the course, as its Markdown pages
two folders above the notebook (``book/``), which JupyterLab opens.
"""

import html
import os
from importlib import metadata
from pathlib import Path

import torch

from autograder.runtime.compare import CheckFailure, tolerance

BOOK_URL_VAR = "CNN_COURSE_BOOK_URL"
LOCAL_BOOK = Path("..") / ".." / "book"  # from exercises/<key>/, where the notebook runs
STYLE = """<style>
.cnn-failure{border-left:4px solid #c62828;background:#fff5f5;color:#1f1f1f;padding:.6em .9em;
  margin:.3em 0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:14px;line-height:1.45;
  overflow-wrap:break-word;word-break:normal;max-width:60em}
.cnn-failure .cnn-title{font-weight:600;color:#b71c1c;margin-bottom:.3em}
.cnn-failure p{margin:.25em 0}
.cnn-failure pre{white-space:pre-wrap;background:#fbe9e7;padding:.3em .5em;margin:.3em 0;font-size:13px}
.cnn-failure .cnn-hint{background:#fffde7;border-left:3px solid #f9a825;padding:.3em .6em;margin:.4em 0}
.cnn-failure table{border-collapse:collapse;margin:.2em 1.2em .4em 0;font-family:monospace;font-size:13px}
.cnn-failure td{border:1px solid #ddd;padding:1px 6px;text-align:right}
.cnn-failure td.cnn-wrong{background:#ffcdd2;font-weight:600}
.cnn-failure .cnn-tables{display:flex;flex-wrap:wrap}
.cnn-failure caption{text-align:left;font-family:system-ui,sans-serif;color:#555}
</style>"""


def book_href(links: dict[str, str]) -> str | None:
    """Where a student's browser finds a book section (``links`` as :meth:`Section.links`
    gives them), or None when no book is known."""
    base = os.environ.get(BOOK_URL_VAR) or _packaged_book_url()
    if base and links.get("html"):
        return f"{base.rstrip('/')}/{links['html']}"
    if links.get("md") and (LOCAL_BOOK / links["md"].split("#", 1)[0]).exists():
        return f"{LOCAL_BOOK.as_posix()}/{links['md']}"
    return None


def _packaged_book_url() -> str | None:
    """The "Book" project URL of the installed students' package, if any."""
    try:
        urls = metadata.metadata("cnn-course").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    return next((url.split(",", 1)[1].strip() for url in urls if url.lower().startswith("book,")), None)


def _table(label: str, values: torch.Tensor, wrong: torch.Tensor) -> str:
    rows = values.reshape(-1, values.shape[-1]) if values.dim() else values.reshape(1, 1)
    marks = wrong.reshape(rows.shape)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=cnn-wrong' if bad else ''}>{float(v):.4g}</td>" for v, bad in zip(row.tolist(), mark.tolist())
        )
        + "</tr>"
        for row, mark in zip(rows, marks)
    )
    return f"<table><caption>{html.escape(label)}</caption>{body}</table>"


def _tables(failure: CheckFailure) -> str:
    """Expected and got in full, the entries that differ marked in both."""
    shown = dict(failure.tables)
    if set(shown) != {"expected", "got"}:
        return ""
    expected, got = (shown[k].to("cpu", torch.float64) for k in ("expected", "got"))
    rtol, atol = tolerance(shown["expected"].dtype)
    wrong = ~((got - expected).abs() <= atol + rtol * expected.abs())
    return f'<div class="cnn-tables">{_table("expected", expected, wrong)}{_table("got", got, wrong)}</div>'


def _read_more(line: str, links: dict) -> str:
    """A "Read more: <where>." line with each place it names as a link, when the book is found."""
    text = html.escape(line)
    for words, where in links.items():
        href = book_href(where)
        if href:
            anchor = f'<a href="{html.escape(href)}" target="_blank" rel="noopener">{html.escape(words)}</a>'
            text = text.replace(html.escape(words), anchor)
    return f"<p>{text}</p>"


def _paragraph(block: str, links: dict) -> str:
    lines = block.split("\n")
    if lines[0].startswith("Where, in your code:"):
        return f"<p>{html.escape(lines[0])}</p><pre>{html.escape(chr(10).join(lines[1:]))}</pre>"
    parts = []
    for line in lines:
        if line.startswith("Hint: ") or (line.startswith("- ") and " Hint: " in line):
            parts.append(f'<div class="cnn-hint">{html.escape(line)}</div>')
        elif line.startswith("Read more: "):
            parts.append(_read_more(line, links))
        else:
            parts.append(f"<p>{html.escape(line)}</p>")
    return "".join(parts)


def as_html(failure: CheckFailure) -> str:
    """The failure's message as an HTML fragment (with its own small style sheet)."""
    message = str(failure)
    title, _, rest = message.partition("\n")
    where = rest.find("\nWhere, in your code:")
    if where >= 0:  # the traceback lines are a paragraph of their own
        rest = rest[:where] + "\n\n" + rest[where + 1 :]
    blocks = [b for b in rest.split("\n\n") if b.strip()]
    body = "".join(_paragraph(block, failure.links) for block in blocks[:1]) + _tables(failure)
    body += "".join(_paragraph(block, failure.links) for block in blocks[1:])
    return (
        f'{STYLE}<div class="cnn-failure"><div class="cnn-title">{html.escape(failure.__class__.__name__)}: '
        f"{html.escape(title)}</div>{body}</div>"
    )
