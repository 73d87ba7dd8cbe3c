"""Plotly conventions shared by every chart: French number format, legible fonts, safe labels.

Data-derived labels go through :func:`libelle_sur` (plotly renders a pseudo-HTML subset
in titles, hover text and annotations). Shares are plotted in percent (0–100) with a
`` %`` suffix so the axis reads ``85 %`` as in French typography.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go

# Okabe–Ito palette (colour-blind safe) for categories, then a neutral grey.
PALETTE_CATEGORIES = ("#0072B2", "#E69F00", "#009E73", "#56B4E9", "#D55E00", "#CC79A7", "#F0E442",
                      "#000000", "#999999")
COULEUR_PRINCIPALE = "#1f5fa8"
COULEUR_SELECTION = "#D55E00"
COULEUR_OBJECTIF = "#444444"


def libelle_sur(texte: object) -> str:
    """Strip tags and ``$`` delimiters from a data-derived label; keep the visible text."""
    return re.sub(r"[<>$]", "", str(texte)) if texte is not None else ""


def mise_en_forme(fig: go.Figure, titre: str | None = None, hauteur: int | None = None) -> go.Figure:
    """French separators (``,`` decimal, narrow space thousands), fonts, margins."""
    fig.update_layout(
        separators=", ",
        title={"text": libelle_sur(titre), "x": 0, "font": {"size": 16}} if titre else None,
        font={"family": "Source Sans Pro, DejaVu Sans, sans-serif", "size": 13},
        margin={"l": 10, "r": 10, "t": 50 if titre else 10, "b": 10},
        height=hauteur,
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        hoverlabel={"font": {"size": 13}},
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eeeeee", zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor="#eeeeee", zeroline=False)
    return fig
