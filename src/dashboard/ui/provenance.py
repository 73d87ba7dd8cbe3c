"""What is on screen, and where it comes from: collected during a run, shown in the footer.

Pages declare each dataset they display; ``app.py`` renders the footer (sources,
editions, licences) and the demonstration banner from that list after the page ran.
"""

from __future__ import annotations

import streamlit as st

CLE = "_provenance_affichee"


def reinitialiser() -> None:
    st.session_state[CLE] = {}


def declarer(manifeste: dict) -> None:
    """Register a dataset shown on this page (a store or reference manifest)."""
    st.session_state.setdefault(CLE, {})[manifeste.get("source", "?")] = manifeste


def declarees() -> list[dict]:
    return list(st.session_state.get(CLE, {}).values())
