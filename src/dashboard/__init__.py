"""Observatoire du numérique inclusif du Pays de Lorient.

Data flows one way: ``sources → store → indicateurs → vues → pages``.
Only ``app.py``, ``pages/`` and the ``dashboard.ui`` package import Streamlit.
"""

__version__ = "0.1.0"
