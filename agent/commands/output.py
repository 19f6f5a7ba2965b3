"""Tables people read: every value under its own header, nothing ever cut.

The first column is the order id (never wrapped: people copy it). Columns marked `whole` (states, dates,
amounts, outcomes) are never wrapped either; the others wrap between words. When even the narrowest
such table is wider than the terminal, the rows are printed as records instead — one `header: value`
line each (wrapped between words, continued four spaces in), the order id first — so a value is never
cut to "…" (`tests/e2e/table_text.py` reads both back into rows).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich loads when something is printed: commands import this module at start
    from rich.console import Console
    from rich.table import Table

__all__ = ["Col", "column_widths", "print_rows", "text_console"]

ID_WIDTH = 19  # a 16-digit id and its padding
FOLD_WIDTH = 24  # a folding column is never narrower than this (or its header)
RECORD_INDENT = "    "  # a record's value continued on the next line


@dataclass(frozen=True)
class Col:
    header: str
    whole: bool = False  # never wrapped (a state, a date, an amount)
    fold: bool = False  # a word too long for the line (a path) may be folded over lines, never cut


def print_rows(cols: Sequence[Col], rows: Sequence[Sequence[str]], styles: Sequence[str | None] = (),
               console: Console | None = None, title: str = "",
               first_width: int = ID_WIDTH) -> None:  # fmt: skip
    """`cols[0]` is the order id (or another key never wrapped). A table when it fits the terminal, else
    one record per row."""
    from rich.console import Console
    from rich.text import Text

    console = console or Console()
    widths = column_widths(cols, rows, console.width, first_width)
    style_of = [styles[i] if i < len(styles) else None for i in range(len(rows))]
    if widths is not None:
        console.print(_table(cols, rows, style_of, title, widths))
        return
    if title:
        console.print(Text(title))
    for row, style in zip(rows, style_of, strict=True):
        lines = [f"{cols[0].header}: {row[0]}"]
        lines += [_wrapped(f"  {col.header}: ", value, console.width, col.fold)
                  for col, value in zip(cols[1:], row[1:], strict=True) if value]  # fmt: skip
        console.print(Text("\n".join(lines), style=style or ""), soft_wrap=True)
        console.print()


def _wrapped(label: str, value: str, width: int, fold: bool = False) -> str:
    """A record's line wrapped between words, continued four spaces in (a word is never split unless
    `fold` and it is longer than a line; the first stays on the label's line)."""
    return textwrap.fill(value, width, initial_indent=label, subsequent_indent=RECORD_INDENT,
                         break_long_words=fold, break_on_hyphens=False)  # fmt: skip


def column_widths(cols: Sequence[Col], rows: Sequence[Sequence[str]], width: int,
                  first_width: int = ID_WIDTH) -> list[int] | None:  # fmt: skip
    """Each column's content width so that no value is cut and no word is split: at least its longest
    word (its longest value when `whole`, and the first column's), the room left shared out towards
    each column's longest value. None when even that is wider than `width`."""
    from rich.cells import cell_len

    lows, highs = [], []
    for i, col in enumerate(cols):
        values = [row[i] for row in rows]
        longest = max((cell_len(v) for v in values), default=0)
        words = max(_longest_word(v) for v in [col.header, *values])  # a header wraps between its words
        words = min(words, max(FOLD_WIDTH, cell_len(col.header))) if col.fold else words  # rich folds it
        low = max(longest, cell_len(col.header)) if i == 0 or col.whole else words  # no_wrap: header too
        lows.append(max(low, first_width) if i == 0 else low)
        highs.append(max(longest, lows[-1]))
    room = width - (3 * len(cols) + 1)  # a border and two spaces of padding per column, one border more
    if sum(lows) > room:
        return None
    widths, spare = list(lows), room - sum(lows)
    while spare > 0 and (short := {i: highs[i] - w for i, w in enumerate(widths) if w < highs[i]}):
        wanted, budget = sum(short.values()), spare  # the most text gets the most room
        for i, missing in short.items():
            grow = min(max(1, budget * missing // wanted), missing, spare)
            widths[i] += grow
            spare -= grow
    return widths


def _longest_word(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(word) for word in text.split()), default=0)


def text_console(width: int) -> Console:
    """A console `width` columns wide that only records (no colour): `console.export_text()` gives what
    a terminal that wide would show. For tests and snapshots."""
    from rich.console import Console

    return Console(width=width, record=True, color_system=None, force_terminal=False, file=io.StringIO())


def _table(cols: Sequence[Col], rows: Sequence[Sequence[str]], styles: Sequence[str | None],
           title: str, widths: list[int]) -> Table:  # fmt: skip
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None)
    for col, width in zip(cols, widths, strict=True):
        table.add_column(Text(col.header), width=width, no_wrap=col.whole, overflow="fold")
    for row, style in zip(rows, styles, strict=True):
        table.add_row(*(Text(cell) for cell in row), style=style)  # Text: a "[…]" in a value is not markup
    return table
