"""Offline map assets: Leaflet (and MarkerCluster) served by Streamlit, no CDN.

folium's default page loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs, so a
plain ``st_folium`` map renders blank offline. We only need Leaflet: its files come
from the PyPI packages ``xstatic-leaflet`` / ``xstatic-leaflet-markercluster``, copied
at start-up into ``static/vendor/`` (git-ignored), which Streamlit serves at
``/app/static/vendor/`` when ``server.enableStaticServing`` is on.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from dashboard.chemins import dossier_statique
from dashboard.erreurs import ErreurConfiguration

PREFIXE_URL = "/app/static/vendor"
PAQUETS = {
    "leaflet": ("xstatic.pkg.leaflet", ("leaflet.js", "leaflet.css", "images")),
    "markercluster": (
        "xstatic.pkg.leaflet_markercluster",
        ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
    ),
}

JS_CARTE = [("leaflet", f"{PREFIXE_URL}/leaflet/leaflet.js")]
CSS_CARTE = [("leaflet_css", f"{PREFIXE_URL}/leaflet/leaflet.css")]
JS_GROUPES = [("markercluster", f"{PREFIXE_URL}/markercluster/leaflet.markercluster.js")]
CSS_GROUPES = [
    ("markerclustercss", f"{PREFIXE_URL}/markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{PREFIXE_URL}/markercluster/MarkerCluster.Default.css"),
]


def _dossier_paquet(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ErreurConfiguration(
            f"paquet {module} absent : la carte ne peut pas être affichée hors ligne",
            conseil="réinstallez les dépendances : make install",
        )
    return Path(spec.origin).parent / "data"


def installer_ressources(destination: Path | None = None) -> Path:
    """Copy the needed asset files into ``static/vendor`` (idempotent, cheap when done)."""
    racine = (destination or dossier_statique()) / "vendor"
    for nom, (module, fichiers) in PAQUETS.items():
        source = _dossier_paquet(module)
        cible = racine / nom
        for fichier in fichiers:
            origine, arrivee = source / fichier, cible / fichier
            if arrivee.exists():
                continue
            cible.mkdir(parents=True, exist_ok=True)
            if origine.is_dir():
                shutil.copytree(origine, arrivee)
            else:
                shutil.copy2(origine, arrivee)
    return racine
