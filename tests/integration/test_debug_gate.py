"""test_debug_gate.py -- enable-debug-command and enable-protected-configs.

Redis 7.0 ships DEBUG and CONFIG SET of protected parameters (dir) off:
`no` refuses every client, `yes` allows all, `local` allows clients whose
peer is exactly 127.0.0.1 or ::1. The parameters are immutable, so only the
file or the command line can open the gate. A client bound to 127.0.0.2
stands in for a remote one: its traffic stays on the loopback interface.
Replies and error texts are redis-server 7.0.15's.
"""
import socket

import pytest
import redis

from resp import RespConn, RespError

DEBUG_REFUSED = ("DEBUG command not allowed. If the enable-debug-command option is set to "
                 "\"local\", you can run it from a local connection, otherwise you need to set "
                 "this option in the configuration file, and then restart the server.")
GATES = ("enable-debug-command", "enable-protected-configs", "enable-module-command")


def err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def set_failed(name, why):
    return "CONFIG SET failed (possibly related to argument '%s') - %s" % (name, why)


class RemoteConn(RespConn):
    """A connection whose peer address is 127.0.0.2: remote to Redis' local check."""

    def __init__(self, port, password):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5.0,
                                             source_address=("127.0.0.2", 0))
        self.buf = b""
        assert self.call("AUTH", password) == "OK"
        assert "addr=127.0.0.2:" in self.call("CLIENT", "INFO")


def refused(reply):
    return str(reply) if isinstance(reply, RespError) else "not an error: %r" % (reply,)


@pytest.fixture
def has_second_loopback():
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.2", 0))
        except OSError:
            pytest.skip("127.0.0.2 cannot be bound here")


# ---- defaults ------------------------------------------------------------------------------

def test_gates_default_to_no(r):
    for name in GATES:
        assert r.config_get(name) == {name: "no"}
    assert r.config_get("enable-*") == {name: "no" for name in GATES}


@pytest.mark.parametrize("args", [("HELP",), ("OBJECT", "k"), ("SLEEP", "0"), ("FOO",)])
def test_debug_refused_by_default(r, args):
    r.set("k", "v")
    assert err(r, "DEBUG", *args) == DEBUG_REFUSED
    assert r.get("k") == "v"


def test_debug_arity_comes_before_the_gate(r):
    assert err(r, "DEBUG") == "wrong number of arguments for 'debug' command"


def test_refusal_counts_as_rejected_call(r):
    err(r, "DEBUG", "HELP")
    err(r, "DEBUG", "SLEEP", "0")
    stats = r.info("commandstats")["cmdstat_debug"]
    assert stats["calls"] == 0 and stats["rejected_calls"] == 2
    assert r.info("errorstats")["errorstat_ERR"] == "count=2"


def test_refusal_inside_multi_aborts_exec(node):
    c = RespConn(node.port)
    assert c.call("MULTI") == "OK"
    assert refused(c.call("DEBUG", "SLEEP", "0")) == "ERR " + DEBUG_REFUSED
    assert c.call("SET", "k", "v") == "QUEUED"
    assert refused(c.call("EXEC")) == "EXECABORT Transaction discarded because of previous errors."
    assert c.call("EXISTS", "k") == 0
    c.close()


def test_gate_is_asked_before_authentication(make_node):
    n = make_node(password="pw")
    c = RespConn(n.port)
    assert refused(c.call("DEBUG", "SLEEP", "0")) == "ERR " + DEBUG_REFUSED
    assert refused(c.call("GET", "k")) == "NOAUTH Authentication required."
    c.close()


def test_command_info_hides_the_protected_flag(r):
    info = r.execute_command("COMMAND", "INFO", "debug")["debug"]
    assert sorted(info["flags"]) == ["admin", "loading", "noscript", "stale"]


# ---- the parameters cannot be changed at run time -------------------------------------------

@pytest.mark.parametrize("name", GATES)
@pytest.mark.parametrize("value", ["yes", "no", "local"])
def test_gates_are_immutable(r, name, value):
    assert err(r, "CONFIG", "SET", name, value) == set_failed(name, "can't set immutable config")
    assert r.config_get(name) == {name: "no"}


def test_dir_is_protected(node, r):
    assert err(r, "CONFIG", "SET", "dir", node.dir) == set_failed("dir", "can't set protected config")
    assert r.config_get("dir") == {"dir": node.dir}


@pytest.mark.parametrize("args,culprit,why", [
    (("dir", "/tmp", "maxmemory", "1"), "dir", "protected"),
    (("maxmemory", "1", "dir", "/tmp"), "dir", "protected"),
    (("enable-debug-command", "yes", "dir", "/tmp"), "enable-debug-command", "immutable"),
    (("dir", "/tmp", "enable-debug-command", "yes"), "dir", "protected"),
])
def test_config_set_refuses_the_first_guarded_name(r, args, culprit, why):
    assert err(r, "CONFIG", "SET", *args) == set_failed(culprit, "can't set %s config" % why)
    assert r.config_get("maxmemory") == {"maxmemory": "0"}  # nothing applied


def test_bad_gate_value_stops_the_start(make_node):
    with pytest.raises(RuntimeError) as e:
        make_node(args=("--enable-debug-command", "maybe"))
    assert "argument(s) must be one of the following: no, yes, local" in str(e.value)


# ---- yes -----------------------------------------------------------------------------------

def test_yes_opens_debug_and_protected_configs(make_node):
    n = make_node(args=("--enable-debug-command", "yes", "--enable-protected-configs", "yes"))
    r = n.client()
    r.set("k", "v")
    line = r.execute_command("DEBUG", "OBJECT", "k")
    assert line.startswith("Value at:0x") and " refcount:1 encoding:embstr " in line
    assert r.execute_command("DEBUG", "SLEEP", "0") == "OK"
    assert r.config_set("dir", n.dir) is True
    assert r.config_get("enable-debug-command") == {"enable-debug-command": "yes"}
    r.close()


def test_gates_from_the_config_file(make_node):
    n = make_node(config_text="[debug]\nenable-debug-command = yes\n"
                              "enable-protected-configs = local\n")
    r = n.client()
    assert r.execute_command("DEBUG", "SLEEP", "0") == "OK"
    assert r.config_get("enable-protected-configs") == {"enable-protected-configs": "local"}
    r.close()


# ---- local ---------------------------------------------------------------------------------

def test_local_allows_loopback_clients(make_node):
    n = make_node(args=("--enable-debug-command", "local", "--enable-protected-configs", "local"))
    r = n.client()
    assert r.execute_command("DEBUG", "SLEEP", "0") == "OK"
    assert r.config_set("dir", n.dir) is True
    r.close()


def test_local_refuses_other_peers(make_node, has_second_loopback):
    n = make_node(args=("--enable-debug-command", "local", "--enable-protected-configs", "local"),
                  password="pw")
    far = RemoteConn(n.port, "pw")
    assert refused(far.call("DEBUG", "SLEEP", "0")) == "ERR " + DEBUG_REFUSED
    assert refused(far.call("CONFIG", "SET", "dir", n.dir)) == \
        "ERR " + set_failed("dir", "can't set protected config")
    assert far.call("CONFIG", "SET", "maxmemory", "0") == "OK"  # unprotected ones stay open
    near = n.client()
    assert near.execute_command("DEBUG", "SLEEP", "0") == "OK"
    assert near.config_set("dir", n.dir) is True
    far.close()
    near.close()


def test_yes_allows_other_peers(make_node, has_second_loopback):
    n = make_node(args=("--enable-debug-command", "yes", "--enable-protected-configs", "yes"),
                  password="pw")
    far = RemoteConn(n.port, "pw")
    assert far.call("DEBUG", "SLEEP", "0") == "OK"
    assert far.call("CONFIG", "SET", "dir", n.dir) == "OK"
    far.close()
