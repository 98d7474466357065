"""test_redaction.py -- secrets in SLOWLOG and MONITOR, compared with Redis 7.0.15.

Owns: one vigil-node and one reference redis-server (Debian's, started on a
free loopback port, killed by pid in the fixture finalizer; the test fails
when it is missing). Each case runs the same commands on both servers, each
command on its own fresh connection unless the case shares one, with
slowlog-log-slower-than 0 and a MONITOR client attached, then compares the
SLOWLOG GET argument lists and the MONITOR lines (timestamp and client
address dropped, database kept). Commands of the observing connections are
left out by their address. A sentinel PING tells when MONITOR has caught up,
so nothing waits on a clock.
"""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import Node, free_port
from resp import RespConn

REDIS_SERVER = "/usr/bin/redis-server"
MONITOR_LINE = re.compile(r"^\+\d+\.\d{6} \[(\d+) ([^\]]+)\] (.*)$")
R = "(redacted)"


class Ref:
    """The reference redis-server: .port, .stop()."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vigil-ref-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.02)

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def servers():
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.fail("the reference %s is not installed" % REDIS_SERVER)
    ref = Ref()
    try:
        vigil = Node()
    except Exception:
        ref.stop()
        raise
    yield {"vigil": vigil, "redis": ref}
    alive = vigil.alive()
    vigil.stop()
    ref.stop()
    assert alive, "vigil-node died during the test"


def addr_of(conn):
    host, port = conn.sock.getsockname()[:2]
    return "%s:%d" % (host, port)


def observe(port, steps, setup=(), teardown=()):
    """Run steps on a server and return (slowlog argv lists, monitor lines).

    steps: (connection name, argv) pairs; a name reuses its connection, so
    MULTI ... EXEC or an authenticated session can span steps. Monitor lines
    are "<db> <args>". setup and teardown run on the admin connection,
    unobserved (before the slowlog reset, after the reads)."""
    admin = RespConn(port)
    mon = RespConn(port)  # connected before setup may turn requirepass on
    assert mon.call("MONITOR") == "OK"
    admin.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
    admin.call("ACL", "SETUSER", "carol", "on", ">topsecret", "+@all", "~*")
    for argv in setup:
        admin.call(*argv)
    admin.call("SLOWLOG", "RESET")
    conns = {}
    try:
        for name, argv in steps:
            if name not in conns:
                conns[name] = RespConn(port)
            conns[name].call(*argv)
        sentinel = "redaction-sentinel"
        admin.call("PING", sentinel)
        lines = read_monitor(mon, sentinel)
        ours = {addr_of(admin), addr_of(mon)}
        entries = admin.call("SLOWLOG", "GET", "-1")
        slow = [e[3] for e in reversed(entries) if e[4] not in ours]
        for argv in teardown:
            admin.call(*argv)
    finally:
        for c in conns.values():
            c.close()
        mon.close()
        admin.close()
    return slow, [line for addr, line in lines if addr not in ours]


def read_monitor(mon, sentinel):
    """Monitor lines up to the admin's PING sentinel, as (addr, "<db> <args>")."""
    out = []
    while True:
        raw = mon._line().decode()
        m = MONITOR_LINE.match(raw)
        assert m, "not a MONITOR line: %r" % raw
        if m.group(3) == '"PING" "%s"' % sentinel:
            return out
        out.append((m.group(2), "%s %s" % (m.group(1), m.group(3))))


def both(servers, steps, **kw):
    """observe() on vigil and on the reference; asserts they agree, returns vigil's."""
    got = observe(servers["vigil"].port, steps, **kw)
    want = observe(servers["redis"].port, steps, **kw)
    assert got[0] == want[0], "SLOWLOG differs from redis-server"
    assert got[1] == want[1], "MONITOR differs from redis-server"
    return got


def fresh(*lines):
    """Each command on its own connection."""
    return [("c%d" % i, argv) for i, argv in enumerate(lines)]


def test_auth_arguments_are_redacted(servers):
    slow, mon = both(servers, fresh(
        ["AUTH", "carol", "topsecret"],
        ["AUTH", "carol", "wrong"],
        ["AUTH", "onlypw"],  # refused: the default user has no password
    ))
    assert slow == [["AUTH", R, R], ["AUTH", R, R], ["AUTH", R]]
    assert mon == ['0 "AUTH" "(redacted)" "(redacted)"'] * 2 + ['0 "AUTH" "(redacted)"']


def test_auth_with_too_many_arguments_is_logged_as_sent(servers):
    # Redis checks the argument count before redacting.
    slow, mon = both(servers, fresh(["AUTH", "a", "b", "c"]))
    assert slow == [["AUTH", "a", "b", "c"]]


def test_auth_against_requirepass(servers):
    steps = fresh(["AUTH", "pw1"], ["AUTH", "nope"], ["AUTH", "default", "pw1"],
                  ["GET", "k"])  # refused before it runs: in neither log
    slow, mon = both(servers, steps, setup=[["CONFIG", "SET", "requirepass", "pw1"]],
                     teardown=[["CONFIG", "SET", "requirepass", ""]])
    assert slow == [["AUTH", R], ["AUTH", R], ["AUTH", R, R]]
    assert len(mon) == 3


def test_hello_auth_is_redacted_setname_is_not(servers):
    slow, mon = both(servers, fresh(
        ["HELLO", "2", "AUTH", "carol", "topsecret"],
        ["HELLO", "3", "AUTH", "carol", "topsecret", "SETNAME", "myname"],
        ["HELLO", "2", "SETNAME", "nm", "AUTH", "carol", "bad"],
        ["HELLO", "3"],
    ))
    assert slow == [["HELLO", "2", "AUTH", R, R],
                    ["HELLO", "3", "AUTH", R, R, "SETNAME", "myname"],
                    ["HELLO", "2", "SETNAME", "nm", "AUTH", R, R],
                    ["HELLO", "3"]]
    assert mon[1] == '0 "HELLO" "3" "AUTH" "(redacted)" "(redacted)" "SETNAME" "myname"'


def test_hello_errors_before_auth_leave_it_unredacted(servers):
    # As in Redis: a bad version or an option before AUTH ends parsing first.
    slow, _ = both(servers, fresh(
        ["HELLO", "4", "AUTH", "carol", "topsecret"],
        ["HELLO", "2", "BOGUS", "AUTH", "carol", "topsecret"],
        ["HELLO", "2", "AUTH", "carol"],
    ))
    assert slow[0] == ["HELLO", "4", "AUTH", "carol", "topsecret"]


def test_acl_setuser_hides_name_and_every_rule(servers):
    sha = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
    slow, mon = both(servers, fresh(
        ["ACL", "SETUSER", "bob", ">secret", "on"],
        ["ACL", "SETUSER", "bob", "#" + sha],
        ["ACL", "SETUSER", "bob", "<secret"],
        ["ACL", "SETUSER", "bob", "badrule"],
        ["ACL", "SETUSER", "sp ace", "on"],
        ["ACL", "GETUSER", "bob"],
        ["ACL", "DELUSER", "bob"],
    ))
    assert slow[0] == ["ACL", "SETUSER", R, R, R]
    assert slow[1:5] == [["ACL", "SETUSER", R, R]] * 4
    assert slow[5:] == [["ACL", "GETUSER", "bob"], ["ACL", "DELUSER", "bob"]]
    assert mon == []  # admin commands never reach MONITOR


def test_acl_setuser_with_many_rules_is_trimmed_after_redaction(servers):
    rules = [">p%d" % i for i in range(40)]
    slow, _ = both(servers, fresh(["ACL", "SETUSER", "big"] + rules),
                   teardown=[["ACL", "DELUSER", "big"]])
    assert slow == [["ACL", "SETUSER"] + [R] * 29 + ["... (12 more arguments)"]]


def test_config_set_hides_sensitive_values(servers):
    slow, mon = both(servers, fresh(
        ["CONFIG", "SET", "masterauth", "hunter2"],
        ["CONFIG", "SET", "masteruser", "mu", "maxmemory", "0"],
        ["CONFIG", "SET", "nosuch", "x", "masterauth", "y"],
        ["CONFIG", "SET", "masterauth", "y", "nosuch", "x"],
        ["CONFIG", "SET", "masterauth", "a", "b"],  # odd count: refused before redaction
        ["CONFIG", "SET", "maxmemory", "0"],
        ["CONFIG", "GET", "masterauth"],
    ), teardown=[["CONFIG", "SET", "masterauth", "", "masteruser", ""]])
    assert slow == [["CONFIG", "SET", "masterauth", R],
                    ["CONFIG", "SET", "masteruser", R, "maxmemory", "0"],
                    ["CONFIG", "SET", "nosuch", "x", "masterauth", R],
                    ["CONFIG", "SET", "masterauth", R, "nosuch", "x"],
                    ["CONFIG", "SET", "masterauth", "a", "b"],
                    ["CONFIG", "SET", "maxmemory", "0"],
                    ["CONFIG", "GET", "masterauth"]]
    assert mon == []


def test_config_set_requirepass_in_a_session(servers):
    steps = [("s", ["CONFIG", "SET", "requirepass", "hunter2"]),
             ("s", ["CONFIG", "SET", "requirepass", ""])]
    slow, _ = both(servers, steps)
    assert slow == [["CONFIG", "SET", "requirepass", R]] * 2


def test_redaction_inside_multi_exec(servers):
    steps = [("t", ["MULTI"]), ("t", ["AUTH", "carol", "topsecret"]), ("t", ["SET", "a", "b"]),
             ("t", ["CONFIG", "SET", "requirepass", "zz"]),
             ("t", ["CONFIG", "SET", "requirepass", ""]), ("t", ["EXEC"])]
    slow, mon = both(servers, steps)
    # EXEC itself skips SLOWLOG; its commands are logged one by one.
    assert slow == [["MULTI"], ["AUTH", R, R], ["SET", "a", "b"],
                    ["CONFIG", "SET", "requirepass", R], ["CONFIG", "SET", "requirepass", R]]
    assert mon == ['0 "MULTI"', '0 "AUTH" "(redacted)" "(redacted)"', '0 "SET" "a" "b"',
                   '0 "EXEC"']


def test_monitor_shows_non_admin_subcommands_only(servers):
    _, mon = both(servers, fresh(
        ["CONFIG", "HELP"], ["CONFIG", "GET", "maxmemory"],
        ["SLOWLOG", "HELP"], ["SLOWLOG", "LEN"],
        ["CLIENT", "SETNAME", "x"], ["CLIENT", "HELP"], ["CLIENT", "LIST"],
        ["ACL", "WHOAMI"], ["ACL", "HELP"], ["ACL", "LIST"],
        ["INFO", "server"], ["QUIT"], ["RESET"],
    ))
    assert mon == ['0 "CONFIG" "HELP"', '0 "SLOWLOG" "HELP"', '0 "CLIENT" "SETNAME" "x"',
                   '0 "CLIENT" "HELP"', '0 "ACL" "WHOAMI"', '0 "ACL" "HELP"',
                   '0 "INFO" "server"', '0 "QUIT"', '0 "RESET"']


def test_plain_commands_stay_verbatim(servers):
    long_value = "v" * 200
    steps = [("d", ["SELECT", "5"]), ("d", ["SET", "k", 'a "q"\n\x01']),
             ("d", ["SET", "big", long_value]), ("d", ["GET", "k"]),
             ("e", ["RPUSH", "l"] + [str(i) for i in range(40)]),
             ("e", ["ECHO", "AUTH"])]
    slow, mon = both(servers, steps, teardown=[["FLUSHALL"]])
    assert slow[1] == ["SET", "k", 'a "q"\n\x01']
    assert slow[2] == ["SET", "big", "v" * 128 + "... (72 more bytes)"]
    assert slow[4][-1] == "... (11 more arguments)" and len(slow[4]) == 32
    assert slow[5] == ["ECHO", "AUTH"]
    assert R not in str(slow)
    assert mon[1] == '5 "SET" "k" "a \\"q\\"\\n\\x01"'
    assert mon[2] == '5 "SET" "big" "%s"' % long_value


def test_monitor_sees_its_own_commands_and_no_keyspace(servers):
    for port in (servers["vigil"].port, servers["redis"].port):
        m = RespConn(port)
        assert m.call("MONITOR") == "OK"
        assert m.call("PING") == "PONG"
        line = m._line().decode()
        assert MONITOR_LINE.match(line).group(3) == '"PING"'
        err = m.call("SET", "k", "v")
        assert str(err) == "ERR Replica can't interact with the keyspace"
        m.call("AUTH", "carol", "topsecret")
        assert MONITOR_LINE.match(m._line().decode()).group(3) == '"AUTH" "(redacted)" "(redacted)"'
        m.close()


def test_tls_key_passphrases_are_redacted_unlike_redis(servers):
    # An intended difference: Redis 7.0.15 does not mark tls-key-file-pass
    # and tls-client-key-file-pass sensitive and logs them in clear; vigil
    # hides every parameter it keeps out of its own logs.
    steps = fresh(["CONFIG", "SET", "tls-key-file-pass", "kp"],
                  ["CONFIG", "SET", "tls-client-key-file-pass", "ckp"])
    reset = [["CONFIG", "SET", "tls-key-file-pass", "", "tls-client-key-file-pass", ""]]
    slow, _ = observe(servers["vigil"].port, steps, teardown=reset)
    assert slow == [["CONFIG", "SET", "tls-key-file-pass", R],
                    ["CONFIG", "SET", "tls-client-key-file-pass", R]]
    ref, _ = observe(servers["redis"].port, steps, teardown=reset)
    assert ref == [["CONFIG", "SET", "tls-key-file-pass", "kp"],
                   ["CONFIG", "SET", "tls-client-key-file-pass", "ckp"]]
