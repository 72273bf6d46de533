"""How the board report draws: a chart with its text alternative, the one line on what it
shows, the questions to ask and its numbers in a table; colours every reader can tell
apart (Okabe-Ito), and a marker, dash or pattern beside each colour for greyscale print."""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go

#: Okabe and Ito (2008), "Color Universal Design": distinguishable with any colour vision.
PALETTE = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7")
#: Bar fills that still tell series apart once printed in grey.
PATTERNS = ("", "/", ".", "x", "\\", "+", "-")
#: Marker shapes for the same purpose on dot charts.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star")


class Charts:
    """Turns figures into HTML; the first carries plotly's script, inline (no network)."""

    def __init__(self) -> None:
        self.count = 0

    def html(
        self, figure: go.Figure, alt: str, table: pd.DataFrame, shows: str, ask: list[str]
    ) -> str:
        figure.update_layout(
            template="simple_white",
            font={"family": "system-ui, sans-serif", "size": 13},
            margin={"l": 60, "r": 20, "t": 40, "b": 50},
        )
        if figure.layout.height is None:
            figure.update_layout(height=420)
        # The simple_white template draws shapes with no line at 30% opacity, which hid
        # every reference line (no effect at 1, reliability at 0.8): give lines a width.
        for shape in figure.layout.shapes:
            if shape.type == "line":
                shape.line.width = shape.line.width or 1.5
                shape.opacity = 1 if shape.opacity is None else shape.opacity
        div = figure.to_html(
            full_html=False,
            include_plotlyjs=self.count == 0,
            config={"displaylogo": False, "responsive": True},
        )
        self.count += 1
        questions = "".join(f"<li>{html.escape(q)}</li>" for q in ask)
        return (
            f'<div class="chart" role="img" aria-label="{html.escape(alt)}">{div}</div>\n'
            f'<p class="shows"><strong>What this shows:</strong> {html.escape(shows)}</p>\n'
            f'<div class="ask"><strong>Questions to ask:</strong><ul>{questions}</ul></div>\n'
            f"<details><summary>The numbers in this chart</summary>{html_table(table)}</details>"
        )


def section(anchor: str, heading: str, body: str) -> str:
    """A report section: its h2 (named for the screen reader's outline) and its body."""
    return (
        f'<section aria-labelledby="{anchor}">\n<h2 id="{anchor}">{html.escape(heading)}</h2>\n'
        f"{body}\n</section>"
    )


def translucent(color: str, alpha: float = 0.2) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def html_table(frame: pd.DataFrame) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for value in values:
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                cells.append("<td></td>")
            elif isinstance(value, float):
                cells.append(f'<td class="num">{value:,.3g}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
