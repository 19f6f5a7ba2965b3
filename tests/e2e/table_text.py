"""Reading a table the CLI printed (rich's box drawing) back into rows, so that a test can check each
value under its header — like JSON — whatever the terminal's width made it wrap."""

from __future__ import annotations

SEPARATORS = "│┃"


def table_rows(text: str) -> list[dict[str, str]]:
    """Rows as {header: value}; a cell wrapped over several lines is joined with spaces. The first
    column must be one that never wraps (the order id): an empty first cell continues the row above."""
    lines = [ln for ln in text.splitlines() if ln[:1] in SEPARATORS]
    if not lines:
        return []
    header, *body = [_cells(ln) for ln in lines]
    rows: list[list[str]] = []
    for cells in body:
        if cells[0] or not rows:
            rows.append(cells)
        else:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
    return [dict(zip(header, row, strict=True)) for row in rows]


def _cells(line: str) -> list[str]:
    for sep in SEPARATORS[1:]:
        line = line.replace(sep, SEPARATORS[0])
    return [cell.strip() for cell in line.strip(SEPARATORS[0]).split(SEPARATORS[0])]
