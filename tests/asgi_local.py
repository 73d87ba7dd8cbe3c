"""One HTTP request through an ASGI application, in memory (no network, no server)."""

from __future__ import annotations

import asyncio
import concurrent.futures


def get(application, chemin: str, entetes: dict[str, str] | None = None,
        methode: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request (GET unless ``methode``) through an ASGI application, without a network."""
    messages: list[dict] = []
    demandes = iter([{"type": "http.request", "body": b"", "more_body": False}])
    fini = asyncio.Event()

    async def recevoir():
        # The request, then the client's departure once the whole response is sent.
        demande = next(demandes, None)
        if demande is None:
            await fini.wait()
            return {"type": "http.disconnect"}
        return demande

    async def envoyer(message):
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            fini.set()

    portee = {"type": "http", "method": methode, "path": chemin, "raw_path": chemin.encode(), "root_path": "",
              "query_string": b"", "scheme": "http",
              "headers": [(b"host", b"localhost"), *((k.encode(), v.encode()) for k, v in (entetes or {}).items())],
              "server": ("localhost", 80), "client": ("127.0.0.1", 1234), "http_version": "1.1",
              "asgi": {"version": "3.0"}}
    # In a thread of its own: the browser tests (Playwright's sync API) leave an event loop
    # running in this one when the whole suite runs.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as fil:
        fil.submit(asyncio.run, application(portee, recevoir, envoyer)).result(timeout=30)
    debut = next(m for m in messages if m["type"] == "http.response.start")
    entetes = {k.decode().lower(): v.decode() for k, v in debut["headers"]}
    corps = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return debut["status"], entetes, corps
