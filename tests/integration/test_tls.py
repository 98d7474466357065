"""test_tls.py -- TLS on the node: listeners, client auth, refusals, reloads.

Owns: a directory of throwaway certificates per module (made by
cluster-configs/gen-certs.sh) and the nodes it starts through make_node.
Every node here listens on a plaintext port (the fixtures need it) and a
TLS port at once. Clients are redis-cli --tls, redis-py with ssl=True and
raw sockets for the hostile cases; each test ends by checking the node
still answers over TLS.
"""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import ROOT, free_port, node_binary

GEN_CERTS = os.path.join(ROOT, "cluster-configs", "gen-certs.sh")
RELOAD_FAILED = ("CONFIG SET failed (possibly related to argument '%s') - "
                 "Unable to update TLS configuration. Check server logs.")


@pytest.fixture(scope="module")
def certs():
    d = tempfile.mkdtemp(prefix="vigil-tls-certs-")
    subprocess.run(["sh", GEN_CERTS, d], check=True, capture_output=True, timeout=120)
    yield lambda name: os.path.join(d, name)
    shutil.rmtree(d, ignore_errors=True)


def tls_args(certs, cert="server.crt", key="server.key", auth="yes", extra=()):
    return ["--tls-cert-file", certs(cert), "--tls-key-file", certs(key),
            "--tls-ca-cert-file", certs("ca.crt"), "--tls-auth-clients", auth] + list(extra)


@pytest.fixture
def tls_node(make_node, certs):
    """Start a node with TLS on a second port; node.tls_port is that port."""
    def start(cert="server.crt", key="server.key", auth="yes", extra=()):
        port = free_port()
        n = make_node(["--tls-port", str(port), "--loglevel", "verbose"]
                      + tls_args(certs, cert, key, auth, extra))
        n.tls_port = port
        return n
    return start


def tls_client(node, certs, client="client", ca="ca.crt", **kw):
    kw.setdefault("decode_responses", True)
    kw.setdefault("socket_timeout", 10)
    if client:
        kw["ssl_certfile"] = certs(client + ".crt")
        kw["ssl_keyfile"] = certs(client + ".key")
    return redis.Redis(host="127.0.0.1", port=node.tls_port, ssl=True,
                       ssl_ca_certs=certs(ca), ssl_cert_reqs="required", **kw)


def tls_cli(node, certs, *args, client="client", ca="ca.crt"):
    cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(node.tls_port), "--tls",
           "--cacert", certs(ca)]
    if client:
        cmd += ["--cert", certs(client + ".crt"), "--key", certs(client + ".key")]
    r = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, timeout=30)
    return (r.stdout + r.stderr).strip()


def raw_tls_port(node, payload, read_timeout=5.0):
    """Send raw bytes to the TLS port; return what came back before the close."""
    with socket.create_connection(("127.0.0.1", node.tls_port), timeout=read_timeout) as s:
        if payload:
            s.sendall(payload)
        chunks = []
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    return b"".join(chunks), "closed"
                chunks.append(data)
        except ConnectionResetError:
            return b"".join(chunks), "reset"
        except socket.timeout:
            return b"".join(chunks), "open"


def peer_cert_der(node, certs, client="client"):
    ctx = ssl.create_default_context(cafile=certs("ca.crt"))
    ctx.load_cert_chain(certs(client + ".crt"), certs(client + ".key"))
    with socket.create_connection(("127.0.0.1", node.tls_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            assert s.recv(100) == b"+PONG\r\n"
            return s.getpeercert(binary_form=True)


def der_of(certs, name):
    with open(certs(name)) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def assert_serves_tls(node, certs):
    c = tls_client(node, certs)
    assert c.ping() is True
    c.close()
    assert node.alive()


def refused(node, certs, **kw):
    """True when a redis-py TLS client cannot complete a PING."""
    c = tls_client(node, certs, **kw)
    try:
        c.ping()
        return False
    except (redis.exceptions.ConnectionError, ssl.SSLError, OSError):
        return True
    finally:
        c.close()


# ---------------------------------------------------------------- happy paths

def test_redis_cli_ping_set_get(tls_node, certs):
    n = tls_node()
    assert tls_cli(n, certs, "PING") == "PONG"
    assert tls_cli(n, certs, "SET", "greeting", "over tls") == "OK"
    assert tls_cli(n, certs, "GET", "greeting") == "over tls"


def test_redis_py_mutual_tls(tls_node, certs):
    n = tls_node()
    c = tls_client(n, certs)
    assert c.set("k", "v") is True
    assert c.get("k") == "v"
    assert c.incr("counter") == 1
    with pytest.raises(redis.exceptions.ResponseError) as e:
        c.execute_command("NOSUCHCOMMAND")
    assert str(e.value).startswith("unknown command 'NOSUCHCOMMAND'")
    c.close()


def test_redis_py_ca_verified_without_client_cert_when_optional(tls_node, certs):
    n = tls_node(auth="optional")
    c = tls_client(n, certs, client=None)
    assert c.ping() is True
    assert c.set("a", "1") is True
    c.close()


def test_plaintext_and_tls_ports_share_the_keyspace(tls_node, certs):
    n = tls_node()
    plain = n.client()
    secure = tls_client(n, certs)
    plain.set("shared", "from plaintext")
    assert secure.get("shared") == "from plaintext"
    secure.set("shared2", "from tls")
    assert plain.get("shared2") == "from tls"
    assert n.cli("PING") == "PONG"
    plain.close()
    secure.close()


def test_large_values_and_pipelines_cross_intact(tls_node, certs):
    n = tls_node()
    c = tls_client(n, certs, decode_responses=False)
    big = os.urandom(6 * 1024 * 1024)
    assert c.set("big", big) is True
    assert c.get("big") == big
    p = c.pipeline(transaction=False)
    for i in range(2000):
        p.set("key:%d" % i, "value:%d" % i)
        p.get("key:%d" % i)
    out = p.execute()
    assert out[1::2] == [b"value:%d" % i for i in range(2000)]
    assert n.client(decode_responses=False).get("big") == big
    c.close()


def test_encrypted_key_with_passphrase(tls_node, certs):
    n = tls_node(key="server-pass.key", extra=["--tls-key-file-pass", "vigil-pass"])
    assert tls_cli(n, certs, "PING") == "PONG"


def test_protocols_and_ciphersuites_are_honoured(tls_node, certs):
    n = tls_node(extra=["--tls-protocols", "TLSv1.2", "--tls-ciphers",
                        "ECDHE-RSA-AES128-GCM-SHA256"])
    ctx = ssl.create_default_context(cafile=certs("ca.crt"))
    ctx.load_cert_chain(certs("client.crt"), certs("client.key"))
    with socket.create_connection(("127.0.0.1", n.tls_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            assert s.version() == "TLSv1.2"
            assert s.cipher()[0] == "ECDHE-RSA-AES128-GCM-SHA256"
            s.sendall(b"PING\r\n")
            assert s.recv(100) == b"+PONG\r\n"
    only13 = ssl.create_default_context(cafile=certs("ca.crt"))
    only13.load_cert_chain(certs("client.crt"), certs("client.key"))
    only13.minimum_version = ssl.TLSVersion.TLSv1_3
    with socket.create_connection(("127.0.0.1", n.tls_port), timeout=10) as raw:
        with pytest.raises(ssl.SSLError):
            only13.wrap_socket(raw, server_hostname="localhost")
    assert_serves_tls(n, certs)


# ---------------------------------------------------------------- refusals

def test_server_cert_from_unknown_ca_is_refused_by_the_client(tls_node, certs):
    n = tls_node()
    assert refused(n, certs, ca="other-ca.crt")
    out = tls_cli(n, certs, "PING", ca="other-ca.crt")
    assert "PONG" not in out
    assert "certificate verify failed" in out
    assert_serves_tls(n, certs)


def test_client_cert_from_unknown_ca_is_refused(tls_node, certs):
    for auth in ("yes", "optional"):
        n = tls_node(auth=auth)
        assert refused(n, certs, client="other")
        assert "PONG" not in tls_cli(n, certs, "PING", client="other")
        assert_serves_tls(n, certs)
    assert n.wait_log("certificate verify failed")


def test_expired_server_certificate_is_refused(tls_node, certs):
    n = tls_node(cert="expired.crt", key="expired.key")
    assert refused(n, certs)
    out = tls_cli(n, certs, "PING")
    assert "certificate has expired" in out or "certificate verify failed" in out
    assert n.alive()
    assert n.cli("PING") == "PONG"


def test_expired_client_certificate_is_refused(tls_node, certs):
    n = tls_node()
    assert refused(n, certs, client="expired")
    assert n.wait_log("certificate has expired")
    assert_serves_tls(n, certs)


def test_no_client_cert_refused_with_auth_yes(tls_node, certs):
    n = tls_node(auth="yes")
    assert refused(n, certs, client=None)
    assert "PONG" not in tls_cli(n, certs, "PING", client=None)
    assert n.wait_log("peer did not return a certificate")
    assert_serves_tls(n, certs)


def test_auth_clients_modes_change_at_run_time(tls_node, certs):
    n = tls_node(auth="yes")
    plain = n.client()
    assert plain.config_get("tls-auth-clients") == {"tls-auth-clients": "yes"}
    assert refused(n, certs, client=None)
    assert plain.config_set("tls-auth-clients", "optional") is True
    assert not refused(n, certs, client=None)
    assert plain.config_set("tls-auth-clients", "no") is True
    assert not refused(n, certs, client=None)
    assert not refused(n, certs, client="client")
    with pytest.raises(redis.exceptions.ResponseError) as e:
        plain.config_set("tls-auth-clients", "maybe")
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'tls-auth-clients')"
                            " - argument(s) must be one of the following: no, yes, optional")
    plain.close()


def test_plaintext_on_the_tls_port_is_refused_and_logged(tls_node, certs):
    n = tls_node()
    data, how = raw_tls_port(n, b"PING\r\n")
    assert b"PONG" not in data
    assert how in ("closed", "reset")
    data, how = raw_tls_port(n, b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\ny\r\n")
    assert how in ("closed", "reset")
    assert n.client().get("x") is None
    log = n.log()
    assert "Error accepting a client connection" in log
    assert "wrong version number" in log or "http request" in log or "packet length" in log
    assert_serves_tls(n, certs)


def test_random_bytes_on_the_tls_port_are_harmless(tls_node, certs):
    n = tls_node()
    # Each starts with a byte no TLS record starts with, so the verdict is
    # immediate; a lone partial header is the stalled-handshake test's case.
    payloads = [b"\x80" + os.urandom(300), b"G" + os.urandom(70000),
                b"\x16\x03\x01\x00\x05hello", b"\x16\x03\x01\xff\xff" + os.urandom(2000),
                b"\x15\x03\x03\x00\x02\x02\x28", b"\x00" * 5000]
    for p in payloads:
        data, how = raw_tls_port(n, p)
        assert b"PONG" not in data
        assert how in ("closed", "reset"), "the server kept a garbage connection open"
    assert n.alive()
    assert_serves_tls(n, certs)
    assert n.cli("PING") == "PONG"


def test_peer_leaving_mid_handshake_is_harmless(tls_node, certs):
    n = tls_node()
    ctx = ssl.create_default_context(cafile=certs("ca.crt"))
    hello = ssl.MemoryBIO()
    obj = ctx.wrap_bio(ssl.MemoryBIO(), hello, server_hostname="localhost")
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    client_hello = hello.read()
    for cut in (5, len(client_hello) // 2, len(client_hello)):
        with socket.create_connection(("127.0.0.1", n.tls_port), timeout=5) as s:
            s.sendall(client_hello[:cut])
    assert_serves_tls(n, certs)


def test_stalled_handshake_is_dropped_after_the_timeout(make_node, certs, monkeypatch):
    monkeypatch.setenv("VIGIL_TLS_HANDSHAKE_TIMEOUT_MS", "500")
    port = free_port()
    n = make_node(["--tls-port", str(port), "--loglevel", "verbose"] + tls_args(certs))
    n.tls_port = port
    plain = n.client()
    silent = socket.create_connection(("127.0.0.1", port), timeout=10)
    partial = socket.create_connection(("127.0.0.1", port), timeout=10)
    partial.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # half a ClientHello
    one_byte = socket.create_connection(("127.0.0.1", port), timeout=10)
    one_byte.sendall(b"\x16")
    # A completed TLS client on the same port is not affected by the deadline.
    good = tls_client(n, certs)
    assert good.ping() is True
    for s in (silent, partial, one_byte):
        try:
            assert s.recv(100) == b"", "the server should close, not talk"
        except ConnectionResetError:
            pass
        s.close()
    time.sleep(0.7)
    assert good.ping() is True, "an established TLS client must outlive the deadline"
    assert n.wait_log("did not complete the TLS handshake")
    assert plain.ping() is True
    good.close()
    plain.close()


# ---------------------------------------------------------------- reloads

def test_certificate_reload_via_config_set(tls_node, certs):
    n = tls_node()
    plain = n.client()
    assert peer_cert_der(n, certs) == der_of(certs, "server.crt")
    kept = tls_client(n, certs)
    assert kept.set("before", "reload") is True
    assert plain.config_set("tls-cert-file", certs("server-renewed.crt")) is True
    assert peer_cert_der(n, certs) == der_of(certs, "server-renewed.crt")
    assert kept.get("before") == "reload", "open sessions keep working across a reload"
    assert plain.config_get("tls-cert-file") == {"tls-cert-file": certs("server-renewed.crt")}
    assert n.wait_log("TLS configuration reloaded (tls-cert-file)")
    assert tls_cli(n, certs, "GET", "before") == "reload"
    kept.close()
    plain.close()


def test_failed_reload_keeps_the_old_context(tls_node, certs):
    n = tls_node()
    plain = n.client()
    for name, value in (("tls-cert-file", "/nonexistent/cert.pem"),
                        ("tls-key-file", certs("client.key")),
                        ("tls-ca-cert-file", "/nonexistent/ca.pem"),
                        ("tls-protocols", "TLSv1.5"),
                        ("tls-ciphers", "BOGUS"),
                        ("tls-ciphersuites", "BOGUS")):
        with pytest.raises(redis.exceptions.ResponseError) as e:
            plain.config_set(name, value)
        assert str(e.value) == RELOAD_FAILED % name
        assert plain.config_get(name)[name] != value
    assert plain.config_get("tls-cert-file") == {"tls-cert-file": certs("server.crt")}
    assert peer_cert_der(n, certs) == der_of(certs, "server.crt")
    log = n.log()
    assert "Failed applying new configuration. Possibly related to new tls-cert-file setting." \
        in log
    assert "Failed to load certificate: /nonexistent/cert.pem" in log
    assert "Failed to configure ciphers: BOGUS" in log
    assert_serves_tls(n, certs)
    plain.close()


def test_ca_reload_changes_who_may_connect(tls_node, certs):
    n = tls_node()
    plain = n.client()
    assert not refused(n, certs, client="client")
    assert refused(n, certs, client="other")
    assert plain.config_set("tls-ca-cert-file", certs("other-ca.crt")) is True
    # Our server cert is still signed by ca.crt, which the clients trust.
    assert refused(n, certs, client="client")
    assert not refused(n, certs, client="other")
    plain.close()


def test_tls_port_can_be_opened_at_run_time(make_node, certs):
    n = make_node(tls_args(certs))
    plain = n.client()
    assert plain.config_get("tls-port") == {"tls-port": "0"}
    port = free_port()
    assert plain.config_set("tls-port", port) is True
    n.tls_port = port
    assert tls_cli(n, certs, "PING") == "PONG"
    assert plain.config_set("tls-port", 0) is True
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert n.cli("PING") == "PONG"
    plain.close()


def test_file_parameters_are_stored_while_tls_is_off(node):
    c = node.client()
    assert c.config_set("tls-cert-file", "/nonexistent") is True
    assert c.config_get("tls-cert-file") == {"tls-cert-file": "/nonexistent"}
    with pytest.raises(redis.exceptions.ResponseError) as e:
        c.config_set("tls-port", free_port())
    assert str(e.value) == RELOAD_FAILED % "tls-port"
    assert c.config_get("tls-port") == {"tls-port": "0"}
    c.close()


def test_tls_parameters_have_redis_defaults(node):
    c = node.client()
    got = c.config_get("tls-*")
    expected = {
        "tls-port": "0", "tls-cert-file": "", "tls-key-file": "", "tls-key-file-pass": "",
        "tls-client-cert-file": "", "tls-client-key-file": "", "tls-client-key-file-pass": "",
        "tls-ca-cert-file": "", "tls-ca-cert-dir": "", "tls-dh-params-file": "",
        "tls-auth-clients": "yes", "tls-protocols": "", "tls-ciphers": "",
        "tls-ciphersuites": "", "tls-prefer-server-ciphers": "no", "tls-session-caching": "yes",
        "tls-session-cache-size": "20480", "tls-session-cache-timeout": "300",
        "tls-replication": "no", "tls-cluster": "no",
    }
    assert got == expected
    with pytest.raises(redis.exceptions.ResponseError) as e:
        c.config_set("tls-session-cache-size", -1)
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument "
                            "'tls-session-cache-size') - argument must be between 0 and "
                            "2147483647 inclusive")
    c.close()


def test_start_without_a_certificate_fails_clearly(certs):
    port, tls_port = free_port(), free_port()
    d = tempfile.mkdtemp(prefix="vigil-tls-")
    try:
        r = subprocess.run([node_binary(), "--bind", "127.0.0.1", "--port", str(port),
                            "--tls-port", str(tls_port), "--dir", d,
                            "--tls-ca-cert-file", certs("ca.crt")],
                           capture_output=True, text=True, timeout=20)
        assert r.returncode != 0
        assert "No tls-cert-file configured!" in r.stderr + r.stdout
        r = subprocess.run([node_binary(), "--bind", "127.0.0.1", "--port", str(port),
                            "--tls-port", str(tls_port), "--dir", d]
                           + tls_args(certs, key="server-pass.key")
                           + ["--tls-key-file-pass", "wrong"],
                           capture_output=True, text=True, timeout=20)
        assert r.returncode != 0
        assert "Failed to load private key" in r.stderr + r.stdout
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_cert_and_key_change_together_in_one_config_set(tls_node, certs):
    """A new key pair needs both files at once: values first, then one reload."""
    n = tls_node()
    plain = n.client()
    assert plain.execute_command("CONFIG", "SET", "tls-cert-file", certs("server2.crt"),
                                 "tls-key-file", certs("server2.key")) == "OK"
    assert peer_cert_der(n, certs) == der_of(certs, "server2.crt")
    assert tls_cli(n, certs, "PING") == "PONG"
    plain.close()


def test_same_path_reload_picks_up_a_rotated_file(tls_node, certs, tmp_path):
    """Rotating a certificate in place: CONFIG SET with the same path reloads it."""
    live = tmp_path / "live.crt"
    shutil.copy(certs("server.crt"), live)
    n = tls_node()
    plain = n.client()
    assert plain.config_set("tls-cert-file", str(live)) is True
    assert peer_cert_der(n, certs) == der_of(certs, "server.crt")
    shutil.copy(certs("server-renewed.crt"), live)  # same key, new certificate
    assert plain.config_set("tls-cert-file", str(live)) is True
    assert peer_cert_der(n, certs) == der_of(certs, "server-renewed.crt")
    plain.close()


def test_maxclients_refusal_reaches_a_tls_client(tls_node, certs):
    """The refusal is sent after the handshake, so a TLS client can read it."""
    n = tls_node()
    plain = n.client()
    plain.config_set("maxclients", "1")
    # A raw TLS socket that sends nothing: the refusal arrives after the
    # handshake, then the node closes. (redis-py races the early error
    # against its own "connection has data" check.)
    ctx = ssl.create_default_context(cafile=certs("ca.crt"))
    ctx.load_cert_chain(certs("client.crt"), certs("client.key"))
    data = b""
    with socket.create_connection(("127.0.0.1", n.tls_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            while True:
                try:
                    chunk = s.recv(4096)
                except (ssl.SSLError, ConnectionResetError):
                    break
                if not chunk:
                    break
                data += chunk
    assert data == b"-ERR max number of clients reached\r\n"
    plain.config_set("maxclients", "10000")
    plain.close()
