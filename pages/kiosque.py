"""Écran public des cafés-débats (mode kiosque) — diaporama en cours de construction."""

import streamlit as st

st.title("Observatoire du numérique inclusif — écran public")
st.info("Le diaporama de l'écran public n'est pas encore disponible.")
