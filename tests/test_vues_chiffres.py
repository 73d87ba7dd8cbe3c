"""Key figures as one HTML block: names and values escaped, one ``<dt>``/``<dd>`` pair each."""

import re

from dashboard.vues.chiffres import CLASSE, chiffres_html


def test_une_paire_nom_valeur_par_chiffre():
    bloc = chiffres_html([("Communes", "30"), ("Population municipale", "221\u202f257")], "Chiffres clés")
    paires = re.findall(r'<div data-chiffre="([^"]*)"><dt>(.*?)</dt><dd>(.*?)</dd></div>', bloc)
    assert paires == [("Communes", "Communes", "30"),
                      ("Population municipale", "Population municipale", "221\u202f257")]
    assert f'<dl class="{CLASSE}" style="--nb: 2" aria-label="Chiffres clés">' in bloc
    assert bloc.startswith("<style>") and bloc.endswith("</dl>")


def test_textes_echappes():
    bloc = chiffres_html([('<img src=x onerror="alert(1)">', "<b>1</b> & 2")], 'titre "<x>"')
    assert "<img" not in bloc and "<b>" not in bloc
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in bloc
    assert "&lt;b&gt;1&lt;/b&gt; &amp; 2" in bloc
    assert 'aria-label="titre &quot;&lt;x&gt;&quot;"' in bloc
