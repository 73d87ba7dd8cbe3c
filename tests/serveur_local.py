"""A tiny HTTP fixture server on 127.0.0.1 that misbehaves on demand (refresh fault tests)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

HOTES_TEST = frozenset({"127.0.0.1"})


class Gestionnaire(BaseHTTPRequestHandler):
    routes: ClassVar[dict] = {}
    compteurs: ClassVar[dict] = {}

    def log_message(self, *_args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        self.compteurs[self.path] = self.compteurs.get(self.path, 0) + 1
        route = self.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.end_headers()
            return
        route(self, self.compteurs[self.path])


def repondre(statut: int, corps: bytes = b"", entetes: dict | None = None, longueur: int | None = None):
    def action(h: BaseHTTPRequestHandler, _n: int) -> None:
        h.send_response(statut)
        for cle, valeur in (entetes or {}).items():
            h.send_header(cle, valeur)
        h.send_header("Content-Length", str(longueur if longueur is not None else len(corps)))
        h.end_headers()
        h.wfile.write(corps)

    return action


def goutte_a_goutte(octets: int, pause: float):
    def action(h: BaseHTTPRequestHandler, _n: int) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/csv")
        h.send_header("Content-Length", str(octets))
        h.end_headers()
        for _ in range(octets):
            try:
                h.wfile.write(b"x")
                h.wfile.flush()
            except OSError:
                return
            time.sleep(pause)

    return action


class ServeurLocal:
    def __init__(self) -> None:
        gestionnaire = type("G", (Gestionnaire,), {"routes": {}, "compteurs": {}})
        self.gestionnaire = gestionnaire
        self.serveur = ThreadingHTTPServer(("127.0.0.1", 0), gestionnaire)
        self.serveur.daemon_threads = True
        self.fil = threading.Thread(target=self.serveur.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.serveur.server_address[1]}"

    def route(self, chemin: str, action) -> str:
        self.gestionnaire.routes[chemin] = action
        return self.url + chemin

    def appels(self, chemin: str) -> int:
        return self.gestionnaire.compteurs.get(chemin, 0)

    def __enter__(self) -> ServeurLocal:
        self.fil.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.serveur.shutdown()
        self.serveur.server_close()
