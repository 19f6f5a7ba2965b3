"""Reading what the CLI printed for people back into rows, so that a test can check each value under its
header — like JSON — whatever the terminal's width made of it: rich's box-drawn tables (a cell wrapped
over several lines is joined with spaces), or, on a terminal too narrow for the table, the records
(`order id: …` then one indented `header: value` line per non-empty value, continued four spaces in;
agent.commands.output)."""

from __future__ import annotations

SEPARATORS = "│┃"
TOP, HEAD_RULE, BOTTOM = "┏┌", "┡├", "└┗"


def table_rows(text: str, first: str = "order id") -> list[dict[str, str]]:
    """The rows of the table (or the records) whose first header is `first`, as {header: value}. A header
    or cell wrapped over several lines is joined with spaces; the first column must be one that never
    wraps (the order id): an empty first cell continues the row above. In records, an empty value is
    left out."""
    for head, body in _tables(text):
        header = _joined([_cells(ln) for ln in head])[0]
        if header[0] != first:
            continue
        rows: list[list[str]] = []
        for cells in (_cells(ln) for ln in body):
            if cells[0] or not rows:
                rows.append(cells)
            else:
                rows[-1] = _joined([rows[-1], cells])[0]
        return [dict(zip(header, row, strict=True)) for row in rows]
    return _records(text, first)


def _joined(lines: list[list[str]]) -> list[list[str]]:
    """Cells of consecutive lines joined column by column, as one line."""
    return [[" ".join(part for part in column if part) for column in zip(*lines, strict=True)]]


def _tables(text: str) -> list[tuple[list[str], list[str]]]:
    """(header lines, body lines) of each box-drawn table, in order."""
    tables: list[tuple[list[str], list[str]]] = []
    part = None
    for line in filter(None, text.splitlines()):  # "" is in every string: blank lines out first
        if line[:1] in TOP:
            tables.append(([], []))
            part = tables[-1][0]
        elif line[:1] in HEAD_RULE and tables:
            part = tables[-1][1]
        elif line[:1] in BOTTOM:
            part = None
        elif part is not None and line[:1] in SEPARATORS:
            part.append(line)
    return tables


def _records(text: str, first: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    key = ""
    for line in text.splitlines():
        if line.startswith(f"{first}: "):
            current = {first: line.split(": ", 1)[1]}
            rows.append(current)
        elif current is not None and line.startswith("    ") and key:  # the value above, continued
            current[key] += " " + line.strip()
        elif current is not None and line.startswith("  ") and ": " in line:
            key, value = line.strip().split(": ", 1)
            current[key] = value
        else:
            current, key = None, ""
    return rows


def _cells(line: str) -> list[str]:
    for sep in SEPARATORS[1:]:
        line = line.replace(sep, SEPARATORS[0])
    return [cell.strip() for cell in line.strip(SEPARATORS[0]).split(SEPARATORS[0])]
