"""Model cards as Markdown (terminals, repositories) and as a standalone HTML page (browsers).

Both spell the same :class:`~registry.card.document.CardDocument`; every value is escaped, since
card text is written by people and shown in other people's browsers.
"""

from __future__ import annotations

import base64
import html

from registry.card.document import Block, Figure, Table, card_document
from registry.card.schema import ModelCard

__all__ = ["to_html", "to_markdown"]

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .5em;"
    "text-align:left;vertical-align:top}.warning{border:3px solid #b00;background:#fee;"
    "padding:.5em 1em;font-weight:bold}"
)


def to_markdown(card: ModelCard) -> str:
    """The card as GitHub-flavoured Markdown."""
    document = card_document(card)
    lines = [f"# {_md(document.title)}", ""]
    for warning in document.warnings:
        lines += [f"> **{_md(warning)}**", ""]
    for section in document.sections:
        lines += [f"{'#' * section.level} {_md(section.title)}", ""]
        for block in section.blocks:
            lines += [*_md_block(block), ""]
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_block(block: Block) -> list[str]:
    if isinstance(block, str):
        return [_md(block)]
    if isinstance(block, Figure):
        return [f"![{_md(block.alt)}]({_data_uri(block.png)})"]
    if isinstance(block, list):
        return [f"- {_md(item)}" for item in block]
    return [
        "| " + " | ".join(_md(cell) for cell in block.header) + " |",
        "|" + "---|" * len(block.header),
        *("| " + " | ".join(_md(cell) for cell in row) + " |" for row in block.rows),
    ]


def to_html(card: ModelCard) -> str:
    """The card as one self-contained HTML page (inline style, no scripts)."""
    document = card_document(card)
    title = html.escape(document.title)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        *(f'<p class="warning">{html.escape(w)}</p>' for w in document.warnings),
    ]
    for section in document.sections:
        parts.append(f"<h{section.level}>{html.escape(section.title)}</h{section.level}>")
        parts += [_html_block(block) for block in section.blocks]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_block(block: Block) -> str:
    if isinstance(block, str):
        return f"<p>{html.escape(block)}</p>"
    if isinstance(block, Figure):
        return f'<p><img alt="{html.escape(block.alt)}" src="{_data_uri(block.png)}"></p>'

    if isinstance(block, list):
        return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in block) + "</ul>"
    return _html_table(block)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in table.header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
