"""The page Streamlit serves, declared in French from its first byte: ``<html lang="fr">``.

Streamlit's ``index.html`` says ``lang="en"`` and Streamlit has no setting for it. The language
matters to screen readers (a French text read with English rules), to hyphenation and to the
reading of numbers. The launcher (:mod:`dashboard.serveur`) wraps Streamlit's static file
handler so that the page goes out with ``lang="fr"``; every other file is served unchanged.

Before this, ``app.py`` set the attribute from a one-pixel ``st.iframe`` running a script in the
parent page: the language came only after the first script run, and that frame cost the browser
a document, a JavaScript module and a line of layout on every page (measured in
``bench/README.md``). Started without the launcher (``streamlit run app.py``, AppTest), the app
still does so (:func:`page_servie_en_francais` says which).

Private Streamlit names (``starlette_static_routes.create_streamlit_static_handler``): when they
are gone, or when the page no longer reads ``<html lang="en">``, nothing is changed and the app
falls back to the frame.
"""

from __future__ import annotations

import logging
import os

from dashboard import statiques

BALISE_ANGLAISE = '<html lang="en">'
BALISE_FRANCAISE = '<html lang="fr">'
# Headers of the file on disk that do not describe the page served in its place (which is always
# sent whole: a byte range of it is answered with the whole page, as HTTP allows).
_ENTETES_DU_FICHIER = {"content-length", "content-type", "etag", "last-modified", "accept-ranges"}

_journal = logging.getLogger(__name__)
_installee = False


def page_en_francais(html: str) -> str | None:
    """``html`` with ``lang="fr"`` on its root element, or ``None`` if it has no ``lang="en"`` to change."""
    if html.count(BALISE_ANGLAISE) != 1:
        return None
    return html.replace(BALISE_ANGLAISE, BALISE_FRANCAISE)


def servir_en_francais() -> bool:
    """Wrap Streamlit's static file handler (before the server starts). Returns whether it is done."""
    global _installee
    if _installee:
        return True
    try:
        from starlette.responses import FileResponse, HTMLResponse
        from streamlit import file_util
    except ImportError:
        return False
    index = os.path.join(file_util.get_static_dir(), "index.html")
    try:
        with open(index, encoding="utf-8") as fichier:
            francaise = page_en_francais(fichier.read())
    except OSError:
        francaise = None

    def en_francais(gestionnaire):
        reponse_d_origine = gestionnaire.get_response

        async def get_response(path, scope):
            reponse = await reponse_d_origine(path, scope)
            if not (isinstance(reponse, FileResponse) and reponse.status_code == 200
                    and os.path.basename(reponse.path) == "index.html" and os.path.samefile(reponse.path, index)):
                return reponse
            entetes = {k: v for k, v in reponse.headers.items() if k.lower() not in _ENTETES_DU_FICHIER}
            return HTMLResponse(francaise, status_code=reponse.status_code, headers=entetes)

        gestionnaire.get_response = get_response
        return gestionnaire

    if francaise is None or not statiques.envelopper_gestionnaire(en_francais):
        _journal.warning('Page servie avec lang="en" : gestionnaire ou page de Streamlit inattendus')
        return False
    _installee = True
    return True


def page_servie_en_francais() -> bool:
    """Whether this process serves the page with ``lang="fr"`` (the launcher installed it)."""
    return _installee
