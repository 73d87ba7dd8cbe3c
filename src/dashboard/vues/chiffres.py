"""Key figures (« chiffres clés ») as one block of plain, escaped HTML: a description list, each
figure's name (``<dt>``) with its value (``<dd>``), laid out like Streamlit's metrics.

Why not four ``st.metric`` in four columns: that is nine elements for the browser to build, two
Markdown renderings per figure and two more JavaScript modules (the metric and its number
formatter) on the first page. One block reads the same, is read as a list of name → value by
screen readers, and costs the browser ~0.2 s of CPU less on a cold start (measured in
``bench/README.md``). Pages whose figures carry a help tooltip keep ``st.metric``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

CLASSE = "chiffres-cles"

# Sizes of Streamlit's metric (label 0.875rem, value 2.25rem); two columns on a narrow screen. The
# doubled class outweighs the indent Streamlit gives every list of an ``st.html`` block.
CSS = f"""<style>
dl.{CLASSE}.{CLASSE} {{ display: grid; grid-template-columns: repeat(var(--nb, 4), minmax(0, 1fr)); gap: 1rem;
  margin: 0; padding: 0; }}
.{CLASSE} dt {{ font-size: 0.875rem; line-height: 1.6; margin: 0; }}
.{CLASSE} dd {{ font-size: 2.25rem; line-height: 1.4; margin: 0; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; font-variant-numeric: tabular-nums; }}
@media (max-width: 640px) {{ dl.{CLASSE}.{CLASSE} {{ grid-template-columns: repeat(2, minmax(0, 1fr)); }} }}
</style>"""


def chiffres_html(chiffres: Sequence[tuple[str, str]], titre: str) -> str:
    """``chiffres``: (name, value already formatted) pairs; ``titre`` names the list for screen
    readers. Each figure carries ``data-chiffre`` = its name (tests, benchmark)."""
    elements = "".join(
        f'<div data-chiffre="{html.escape(nom)}"><dt>{html.escape(nom)}</dt><dd>{html.escape(valeur)}</dd></div>'
        for nom, valeur in chiffres
    )
    return (f'{CSS}<dl class="{CLASSE}" style="--nb: {max(len(chiffres), 1)}" aria-label="{html.escape(titre)}">'
            f"{elements}</dl>")
