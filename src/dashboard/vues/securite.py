"""One escaping function for every data value that reaches HTML, folium or Leaflet.

folium embeds popups and tooltips in JavaScript template literals and Leaflet treats
strings as HTML, so a place named ``${alert(1)}`` or ``<img onerror=…>`` would run
in the (same-origin) map iframe. Escaping HTML *and* the three characters still active
in a template literal (backslash, backtick, dollar) makes any value inert text.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

LONGUEUR_MAX = 200
CARACTERES_INVISIBLES = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def nettoyer_texte(valeur: object, longueur_max: int = LONGUEUR_MAX) -> str:
    """``None`` → ``""``; strip control, zero-width and bidi-override characters; cut long text."""
    if valeur is None:
        return ""
    texte = CARACTERES_INVISIBLES.sub("", str(valeur))
    if len(texte) > longueur_max:
        texte = texte[: longueur_max - 1] + "…"
    return texte


def safe_html(valeur: object, longueur_max: int = LONGUEUR_MAX) -> str:
    """Make any value safe inside HTML and inside a JS template literal.

    HTML-escape (quotes included), then ``\\`` → ``&#92;``, backtick → ``&#96;``,
    ``$`` → ``&#36;``. The result renders as the literal text in a browser.
    """
    texte = html.escape(nettoyer_texte(valeur, longueur_max), quote=True)
    return texte.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def lien_sur(url: object) -> str | None:
    """An ``http(s)`` URL with a host, or ``None`` (``javascript:``, ``data:``… refused)."""
    texte = nettoyer_texte(url, 2000).strip()
    partie = urlparse(texte)
    hote_valide = re.fullmatch(r"[A-Za-z0-9.-]+(?::\d{1,5})?", partie.netloc or "")
    if partie.scheme in ("http", "https") and hote_valide and not re.search(r"[\s<>\"'`]", texte):
        return texte
    return None
