"""An object's relationships, one hop, drawn on the server as SVG: no graph library, no script,
any browser (issue 16, item 10), like the status timeline.

The object sits in the middle; the objects naming it are on the left, those it names on the
right (both ways: right, with an arrow each way), each line labelled with the property. Every
node links to its object's page and carries its type, name and id as a tooltip (`<title>`).
At most `PER_SIDE` nodes a side are drawn; the list under the picture names every neighbour.
Only presentation attributes are used (no inline style), so the Content-Security-Policy holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from urllib.parse import quote

from markupsafe import Markup

from kelisim.services.exchange.graph import Edge, Graph, Node

WIDTH = 960
ROW = 28
TOP = 30
NODE_W = 230
NODE_H = 20
PER_SIDE = 30
LABEL = 30
EDGE_LABEL = 22
COLORS = {"indicator": "#b26b00", "sighting": "#1f4e9c", "relationship": "#5b6b7c",
          "report": "#1d7a46", "identity": "#6a3d9a", "malware": "#a33a3a",
          "observed-data": "#0b6e75", "attack-pattern": "#8a4b08"}
OTHER = "#444"


def draw(found: Graph, labels: Mapping[str, str]) -> Markup:
    """The picture of `found`; `labels`: translated `title` and `more` (with `{num}`)."""
    left = [n for n in found.nodes if n.side == "in"]
    right = [n for n in found.nodes if n.side != "in"]
    rows = max(min(len(left), PER_SIDE), min(len(right), PER_SIDE), 1) + 1
    height = TOP + rows * ROW + 10
    middle = TOP + (rows - 1) * ROW / 2
    center_x = WIDTH / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
             f'aria-labelledby="graph-title"><title id="graph-title">'
             f'{escape(labels["title"])}</title>',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M 0 0 L 10 5 L 0 10 z" fill="#777"/></marker></defs>']
    properties = _properties(found.edges, found.center.stix_id)
    for nodes, x in ((left, 10.0), (right, WIDTH - NODE_W - 10.0)):
        for index, node in enumerate(nodes[:PER_SIDE]):
            y = TOP + index * ROW
            parts.append(_line(node, x, y, center_x, middle, properties.get(node.stix_id, "")))
            parts.append(_node(node, x, y))
        if len(nodes) > PER_SIDE:
            parts.append(f'<text x="{x}" y="{TOP + PER_SIDE * ROW + 14}" font-size="12" '
                         f'fill="#333">{escape(labels["more"].format(num=len(nodes) - PER_SIDE))}'
                         f'</text>')
    parts.append(_node(found.center, center_x - NODE_W / 2, middle - NODE_H / 2,
                       bold=True))
    parts.append("</svg>")
    return Markup("".join(parts))


def _properties(edges: Sequence[Edge], center: str) -> dict[str, str]:
    """neighbour id -> the properties of its edges, joined."""
    found: dict[str, list[str]] = {}
    for edge in edges:
        other = edge.target if edge.source == center else edge.source
        found.setdefault(other, []).append(edge.property)
    return {k: ", ".join(dict.fromkeys(v)) for k, v in found.items()}


def _line(node: Node, x: float, y: float, center_x: float, middle: float, label: str) -> str:
    mid_y = y + NODE_H / 2
    if node.side == "in":  # it names the object: from its right edge to the object
        x1, x2 = x + NODE_W, center_x - NODE_W / 2
        ends = 'marker-end="url(#arrow)"'
        text_x, anchor = x1 + 6, "start"
    else:  # the object names it (and, both ways, it names the object too)
        x1, x2 = center_x + NODE_W / 2, x
        ends = 'marker-end="url(#arrow)"' + (
            ' marker-start="url(#arrow)"' if node.side == "both" else "")
        text_x, anchor = x2 - 6, "end"
    return (f'<line x1="{x1}" y1="{mid_y if node.side == "in" else middle}" x2="{x2}" '
            f'y2="{middle if node.side == "in" else mid_y}" stroke="#999" stroke-width="1" '
            f'{ends}/><text x="{text_x}" y="{mid_y - 3}" font-size="10" fill="#555" '
            f'text-anchor="{anchor}">{escape(label[:EDGE_LABEL])}</text>')


def _node(node: Node, x: float, y: float, bold: bool = False) -> str:
    color = COLORS.get(node.type, OTHER)
    name = node.name or node.stix_id
    text = f"{node.type}: {name}"
    shown = text if len(text) <= LABEL else text[:LABEL - 1] + "…"
    href = f"/exchange/collections/{quote(node.collection_id)}/objects/{quote(node.stix_id)}"
    weight = ' font-weight="bold"' if bold else ""
    return (f'<a href="{escape(href)}"><title>{escape(text)} ({escape(node.stix_id)})</title>'
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="4" fill="#fff" '
            f'stroke="{color}" stroke-width="{2 if bold else 1.5}"/>'
            f'<text x="{x + 8}" y="{y + 14}" font-size="12" fill="{color}"{weight}>'
            f'{escape(shown)}</text></a>')
