"""The outbound guard (netra/outbound.py) against real local listeners.

127.0.0.1 plays "our own network" (refused), 127.0.0.2 plays "a public receiver" (allowed by
``NETRA_OUTBOUND_ALLOWED_NETWORKS`` — the setting's real use); both are real sockets. The name
lookup is a real function that answers differently on each call, as a rebinding DNS server does.
"""

import http.server
import socket
import ssl
import subprocess
import threading

import pytest
from django.test import override_settings

from netra import outbound
from netra.sharing.tests.receiver import free_port

PUBLIC = "127.0.0.2"  # allowed below, the stand-in for a public address
LOCAL = "127.0.0.1"  # never allowed below


class _IPv6Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


class Listener:
    """A real HTTP server on ``address:port`` that records requests and answers ``status``."""

    def __init__(self, address: str, port: int, *, status: int = 200, location: str = "", tls=None):
        self.requests: list[dict] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                listener.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
                )
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        server_class = _IPv6Server if ":" in address else http.server.ThreadingHTTPServer
        self.server = server_class((address, port), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def listeners():
    started: list[Listener] = []

    def start(*args, **kwargs):
        started.append(Listener(*args, **kwargs))
        return started[-1]

    yield start
    for listener in started:
        listener.stop()


def rebinding(*answers: str):
    """A resolver answering ``answers[0]``, then ``answers[1]``… (the last one from then on)."""
    calls: list[str] = []

    def resolve(hostname: str, port: int) -> list[str]:
        calls.append(hostname)
        return [answers[min(len(calls), len(answers)) - 1]]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


allow_public_only = override_settings(NETRA_OUTBOUND_ALLOWED_NETWORKS=[f"{PUBLIC}/32"])


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # CGNAT
        "169.254.169.254",  # cloud metadata
        "0.0.0.0",  # noqa: S104 (an address refused, not a bind)
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "not-an-address",
    ],
)
@override_settings(NETRA_OUTBOUND_ALLOWED_NETWORKS=[])
def test_non_public_addresses_are_refused(address):
    assert outbound.address_allowed(address) is False


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
@override_settings(NETRA_OUTBOUND_ALLOWED_NETWORKS=[])
def test_public_addresses_are_allowed(address):
    assert outbound.address_allowed(address) is True


@allow_public_only
def test_one_lookup_and_the_checked_address_is_the_one_reached(listeners, port):
    public, local = listeners(PUBLIC, port), listeners(LOCAL, port)
    resolver = rebinding(PUBLIC, LOCAL)  # a second lookup would now answer 127.0.0.1
    answer = outbound.post(f"http://hook.example:{port}/in?x=1", b"{}", {"X-Test": "1"}, resolver=resolver)
    assert (answer.status, answer.address) == (200, PUBLIC)
    assert resolver.calls == ["hook.example"]
    assert [r["headers"]["Host"] for r in public.requests] == [f"hook.example:{port}"]
    assert public.requests[0]["path"] == "/in?x=1"
    assert local.requests == []


@allow_public_only
def test_a_name_rebound_to_loopback_is_refused_before_any_connection(listeners, port):
    local = listeners(LOCAL, port)
    resolver = rebinding(PUBLIC, LOCAL)
    assert outbound.check(f"http://hook.example:{port}/", resolver) is None  # first answer: fine
    with pytest.raises(outbound.Failure) as refused:
        outbound.post(f"http://hook.example:{port}/", b"{}", {}, resolver=resolver)
    assert refused.value.category == outbound.ADDRESS_REFUSED
    assert local.requests == []


@allow_public_only
def test_one_bad_address_in_the_answer_refuses_the_name(listeners, port):
    local = listeners(LOCAL, port)
    with pytest.raises(outbound.Failure) as refused:
        outbound.post(f"http://hook.example:{port}/", b"", {}, resolver=lambda host, p: [PUBLIC, LOCAL])
    assert refused.value.category == outbound.ADDRESS_REFUSED
    assert local.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://2130706433:{port}/",
    ],
)
@override_settings(NETRA_OUTBOUND_ALLOWED_NETWORKS=[])
def test_a_local_listener_is_never_reached_when_not_allowed(listeners, port, url):
    local = listeners(LOCAL, port)
    with pytest.raises(outbound.Failure) as refused:
        outbound.post(url.format(port=port), b"{}", {})
    assert refused.value.category in {outbound.ADDRESS_REFUSED, outbound.INVALID_URL, outbound.DNS_FAILED}
    assert local.requests == []


@allow_public_only
def test_a_redirect_is_not_followed(listeners, port):
    public = listeners(PUBLIC, port, status=302, location=f"http://{LOCAL}:{port}/admin")
    local = listeners(LOCAL, port)
    answer = outbound.post(f"http://{PUBLIC}:{port}/", b"{}", {})
    assert answer.status == 302
    assert len(public.requests) == 1 and local.requests == []


@allow_public_only
def test_an_unreachable_port_is_a_category_without_address_or_port(port):
    with pytest.raises(outbound.Failure) as failed:
        outbound.post(f"http://{PUBLIC}:{port}/", b"{}", {})
    assert failed.value.category == outbound.CONNECT_FAILED
    assert str(port) not in str(failed.value) and PUBLIC not in str(failed.value)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "http://user:pw@example.org/", "http://exa mple.org/", "http://ex\x00.org/"]
)
def test_invalid_urls_are_refused(url):
    assert outbound.check(url) == outbound.INVALID_URL


def certificate(tmp_path, name: str):
    """A self-signed certificate for ``name`` (openssl), and a server context serving it."""
    key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.pem"
    subprocess.run(
        ["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str | None] = []
    context.sni_callback = lambda sock, server_name, ctx: names.append(server_name)
    return cert, context, names


@allow_public_only
def test_tls_to_the_checked_address_sends_the_name_and_checks_the_certificate_for_it(
    listeners, port, tmp_path, monkeypatch
):
    cert, context, names = certificate(tmp_path, "hook.example")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted like a CA for this test (OpenSSL reads it)
    public = listeners(PUBLIC, port, tls=context)
    answer = outbound.post(f"https://hook.example:{port}/in", b"{}", {}, resolver=lambda host, p: [PUBLIC])
    assert (answer.status, answer.address) == (200, PUBLIC)
    assert names == ["hook.example"]  # SNI is the name, not the address
    assert public.requests[0]["headers"]["Host"] == f"hook.example:{port}"


@allow_public_only
def test_tls_with_a_certificate_for_another_name_is_refused(listeners, port, tmp_path, monkeypatch):
    cert, context, _names = certificate(tmp_path, "other.example")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    public = listeners(PUBLIC, port, tls=context)
    with pytest.raises(outbound.Failure) as failed:
        outbound.post(f"https://hook.example:{port}/", b"{}", {}, resolver=lambda host, p: [PUBLIC])
    assert failed.value.category == outbound.TLS_FAILED
    assert public.requests == []


@allow_public_only
def test_tls_with_an_untrusted_certificate_is_refused(listeners, port, tmp_path):
    _cert, context, _names = certificate(tmp_path, "hook.example")
    public = listeners(PUBLIC, port, tls=context)
    with pytest.raises(outbound.Failure) as failed:  # self-signed: not trusted by the system CAs
        outbound.post(f"https://hook.example:{port}/", b"{}", {}, resolver=lambda host, p: [PUBLIC])
    assert failed.value.category == outbound.TLS_FAILED
    assert public.requests == []


@pytest.mark.parametrize("literal", ["[::1]", "127.0.0.1"])
@override_settings(NETRA_OUTBOUND_ALLOWED_NETWORKS=["127.0.0.0/8", "::1/128"])
def test_an_allowed_ip_literal_is_reached_with_its_own_host_header(listeners, literal):
    port = free_port()
    address = literal.strip("[]")
    try:
        listener = Listener(address, port)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        answer = outbound.post(f"http://{literal}:{port}/", b"", {})
        assert answer.status == 200
        assert listener.requests[0]["headers"]["Host"] == f"{literal}:{port}"
    finally:
        listener.stop()
