"""Serving a built site on localhost, and the devserver's live reload.

``make serve`` serves the output folder as it is. ``make devserver`` also
rebuilds when a record, page, template, the program file or the code changes,
and tells the open browser tabs: each HTML page it serves gets one script,
``/__livereload.js``, which listens on ``/__livereload/events`` (server-sent
events) and reloads the tab when a rebuild changed its page (or its folder's
files, or the theme), or shows the build's errors, file and line, over the page
until they are fixed. The script is added
as the page is served: no file of the site, and no page of the published site,
carries it.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import sys
import threading
from pathlib import Path

#: what the devserver adds to each HTML page it serves: the script, and the build the page is from
SCRIPT_TAG = '<script src="/__livereload.js?build={version}" defer></script>'
EVENTS = "/__livereload/events"

LIVERELOAD_JS = r"""// The devserver's live reload (never part of the site): reload after a rebuild, show its errors.
(function () {
  "use strict";
  var built = /build=(\d+)/.exec(document.currentScript ? document.currentScript.src : "");
  var seen = built ? Number(built[1]) : null, box = null;
  function show(text) {
    if (!box) {
      box = document.createElement("div");
      box.id = "livereload-errors";
      box.setAttribute("role", "alert");
      box.style.position = "fixed"; box.style.left = "0"; box.style.right = "0"; box.style.top = "0";
      box.style.zIndex = "1000"; box.style.maxHeight = "70vh"; box.style.overflow = "auto";
      box.style.background = "#8a1c1c"; box.style.color = "#fff"; box.style.padding = "1rem";
      box.style.font = "14px/1.4 ui-monospace, monospace"; box.style.whiteSpace = "pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "The build failed; this page is the last one built.\n\n" + text;
  }
  var page = window.location.pathname.replace(/index\.html$/, "");
  // Whether the builds after the one this page is from changed it (null: everything changed).
  function touched(state) {
    var after = state.changes.filter(function (c) { return c[0] > seen; });
    if (!after.length || after[0][0] !== seen + 1) { return true; }  // builds this tab did not hear of
    return after.some(function (c) {
      return c[1] === null || c[1].some(function (path) {
        return path === page || path.indexOf("/theme/") === 0 || (page !== "/" && page !== "/ko/" && path.indexOf(page) === 0);
      });
    });
  }
  var source = new EventSource("/__livereload/events");
  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.error) { show(state.error); seen = seen === null ? state.version : seen; return; }
    if (box || (seen !== null && state.version !== seen && touched(state))) { window.location.reload(); return; }
    seen = state.version;
  };
})();
"""


class LiveReload:
    """The devserver's build state: a version that grows with each good build (or pages written from
    a saved record), what each of the last versions changed, and the last error."""

    #: how many versions' changes a tab is told of (one that missed more reloads)
    KEPT = 50

    def __init__(self):
        self.version = 0
        self.error: str | None = None
        self.changes: list[tuple[int, list[str] | None]] = []
        self.changed = threading.Condition()

    def built(self, error: str | None, files: list[str] | None = None) -> None:
        """A build ended with ``error`` (None: it succeeded, and wrote or deleted ``files`` of the
        output, None meaning every file)."""
        with self.changed:
            if error is None:
                self.version += 1
                paths = None if files is None else sorted({"/" + name.removesuffix("index.html") for name in files})
                self.changes = (self.changes + [(self.version, paths)])[-self.KEPT:]
            self.error = error
            self.changed.notify_all()

    def state(self) -> bytes:
        return json.dumps({"version": self.version, "error": self.error, "changes": self.changes}).encode("utf-8")


class _Handler(http.server.SimpleHTTPRequestHandler):
    live: LiveReload | None = None

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):  # noqa: N802 - the base class's name
        try:
            path = self.translate_path(self.path)
            inside = _inside(path, self.directory)
        except ValueError:  # a NUL in the path: no file has that name
            return self.send_error(400, "Bad request path")
        if not inside:  # a link inside the folder to a file outside it is not served
            return self.send_error(404, "File not found")
        if self.live is not None and self.path.split("?")[0] == "/__livereload.js":
            return self._send(LIVERELOAD_JS.encode("utf-8"), "application/javascript")
        if self.live is not None and self.path == EVENTS:
            return self._events()
        if self.live is not None:
            page = self._html_file()
            if page is not None:
                tag = SCRIPT_TAG.format(version=self.live.version).encode("utf-8")
                data = page.read_bytes().replace(b"</body>", tag + b"</body>", 1)
                return self._send(data, "text/html; charset=utf-8")
        return super().do_GET()

    def _html_file(self) -> Path | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def _send(self, data: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _events(self) -> None:
        """Server-sent events: the state now, then after each build, until the tab goes away."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        live, last = self.live, None
        try:
            while True:
                with live.changed:
                    if last is not None and (live.version, live.error) == last:
                        live.changed.wait(timeout=15)
                    last = (live.version, live.error)
                    state = live.state()
                self.wfile.write(b"data: " + state + b"\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def _inside(path: str, root: str) -> bool:
    """Whether ``path``, its links followed, is ``root`` or below it (raises ValueError on a NUL)."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


class _Server(http.server.ThreadingHTTPServer):
    """A browser that closes an idle connection is not an error: no traceback for it on the console."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)


def server(directory: Path, port: int, live: LiveReload | None = None) -> http.server.ThreadingHTTPServer:
    """An HTTP server of ``directory`` on 127.0.0.1:``port``; with ``live``, the devserver's."""
    handler = type("Handler", (_Handler,), {"live": live})
    made = _Server(("127.0.0.1", port), functools.partial(handler, directory=str(directory)))
    made.daemon_threads = True
    return made
