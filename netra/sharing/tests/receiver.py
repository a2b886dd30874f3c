"""A real HTTP receiver for webhook tests: http.server in a thread on 127.0.0.1."""

import http.server
import socket
import threading


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """Records every POST (headers, body). ``fail_first``: answer 500 the first time an event id is seen."""

    def __init__(self, port: int, *, fail_first: bool = False, address: str = "127.0.0.1"):
        self.port = port
        self.address = address
        self.fail_first = fail_first
        self.received: list[tuple[dict, bytes]] = []
        self.seen: set[str] = set()
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append((headers, body))
                event_id = headers.get("x-netra-event-id", "")
                status = 200
                if receiver.fail_first and event_id not in receiver.seen:
                    status = 500
                receiver.seen.add(event_id)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer((self.address, self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
