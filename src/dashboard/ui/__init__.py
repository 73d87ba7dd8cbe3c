"""The Streamlit-facing layer: the cache boundary and shared widgets.

With ``app.py`` and ``pages/``, this package is the only code that imports Streamlit.
Everything below it (sources, store, indicators, views) is plain Python.
"""
