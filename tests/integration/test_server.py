"""Server and operator commands: INFO, CONFIG, CLIENT, COMMAND, TIME, MEMORY,
SHUTDOWN, LASTSAVE and DEBUG, compared with Redis 7.0.15's replies."""
import fcntl
import os
import pty
import re
import select
import socket
import struct
import termios
import time

import pytest
import redis

from resp import RespConn, RespError, RespSet, Verbatim

# Field names of Debian's redis-server 7.0.15 INFO, section by section.
REDIS_FIELDS = {
    "server": """redis_version redis_git_sha1 redis_git_dirty redis_build_id redis_mode os
        arch_bits monotonic_clock multiplexing_api atomicvar_api gcc_version process_id
        process_supervised run_id tcp_port server_time_usec uptime_in_seconds uptime_in_days hz
        configured_hz lru_clock executable config_file io_threads_active""",
    "clients": """connected_clients cluster_connections maxclients client_recent_max_input_buffer
        client_recent_max_output_buffer blocked_clients tracking_clients
        clients_in_timeout_table""",
    "memory": """used_memory used_memory_human used_memory_rss used_memory_rss_human
        used_memory_peak used_memory_peak_human used_memory_peak_perc used_memory_overhead
        used_memory_startup used_memory_dataset used_memory_dataset_perc allocator_allocated
        allocator_active allocator_resident total_system_memory total_system_memory_human
        used_memory_lua used_memory_vm_eval used_memory_lua_human used_memory_scripts_eval
        number_of_cached_scripts number_of_functions number_of_libraries used_memory_vm_functions
        used_memory_vm_total used_memory_vm_total_human used_memory_functions used_memory_scripts
        used_memory_scripts_human maxmemory maxmemory_human maxmemory_policy allocator_frag_ratio
        allocator_frag_bytes allocator_rss_ratio allocator_rss_bytes rss_overhead_ratio
        rss_overhead_bytes mem_fragmentation_ratio mem_fragmentation_bytes
        mem_not_counted_for_evict mem_replication_backlog mem_total_replication_buffers
        mem_clients_slaves mem_clients_normal mem_cluster_links mem_aof_buffer mem_allocator
        active_defrag_running lazyfree_pending_objects lazyfreed_objects""",
    "persistence": """loading async_loading current_cow_peak current_cow_size
        current_cow_size_age current_fork_perc current_save_keys_processed
        current_save_keys_total rdb_changes_since_last_save rdb_bgsave_in_progress
        rdb_last_save_time rdb_last_bgsave_status rdb_last_bgsave_time_sec
        rdb_current_bgsave_time_sec rdb_saves rdb_last_cow_size rdb_last_load_keys_expired
        rdb_last_load_keys_loaded aof_enabled aof_rewrite_in_progress aof_rewrite_scheduled
        aof_last_rewrite_time_sec aof_current_rewrite_time_sec aof_last_bgrewrite_status
        aof_rewrites aof_rewrites_consecutive_failures aof_last_write_status aof_last_cow_size
        module_fork_in_progress module_fork_last_cow_size""",
    "stats": """total_connections_received total_commands_processed instantaneous_ops_per_sec
        total_net_input_bytes total_net_output_bytes total_net_repl_input_bytes
        total_net_repl_output_bytes instantaneous_input_kbps instantaneous_output_kbps
        instantaneous_input_repl_kbps instantaneous_output_repl_kbps rejected_connections
        sync_full sync_partial_ok sync_partial_err expired_keys expired_stale_perc
        expired_time_cap_reached_count expire_cycle_cpu_milliseconds evicted_keys evicted_clients
        total_eviction_exceeded_time current_eviction_exceeded_time keyspace_hits keyspace_misses
        pubsub_channels pubsub_patterns pubsubshard_channels latest_fork_usec total_forks
        migrate_cached_sockets slave_expires_tracked_keys active_defrag_hits active_defrag_misses
        active_defrag_key_hits active_defrag_key_misses total_active_defrag_time
        current_active_defrag_time tracking_total_keys tracking_total_items
        tracking_total_prefixes unexpected_error_replies total_error_replies
        dump_payload_sanitizations total_reads_processed total_writes_processed
        io_threaded_reads_processed io_threaded_writes_processed reply_buffer_shrinks
        reply_buffer_expands""",
    "replication": """role connected_slaves master_failover_state master_replid master_replid2
        master_repl_offset second_repl_offset repl_backlog_active repl_backlog_size
        repl_backlog_first_byte_offset repl_backlog_histlen""",
    "cpu": """used_cpu_sys used_cpu_user used_cpu_sys_children used_cpu_user_children
        used_cpu_sys_main_thread used_cpu_user_main_thread""",
    "cluster": "cluster_enabled",
}

DEFAULT_HEADERS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                   "Modules", "Errorstats", "Cluster", "Keyspace"]
ALL_HEADERS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
               "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"]

# CLIENT LIST fields of Redis 7.0.15 in order, then 7.2's lib-name lib-ver.
CLIENT_FIELDS = ("id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free "
                 "argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp "
                 "lib-name lib-ver").split()


def raw_info(node, *sections):
    c = RespConn(node.port)
    try:
        return c.call("INFO", *sections)
    finally:
        c.close()


def info_fields(text):
    fields = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#"):
            k, _, v = line.partition(":")
            fields[k] = v
    return fields


def headers(text):
    return [line[2:] for line in text.split("\r\n") if line.startswith("# ")]


# ------------------------------------------------------------------ INFO

@pytest.mark.parametrize("section", sorted(REDIS_FIELDS))
def test_info_section_has_every_redis_field(node, section):
    text = raw_info(node, section)
    assert headers(text) == [{"cpu": "CPU"}.get(section, section.capitalize())]
    fields = info_fields(text)
    missing = [f for f in REDIS_FIELDS[section].split() if f not in fields]
    assert missing == []


def test_info_default_all_everything_headers(node):
    assert headers(raw_info(node)) == DEFAULT_HEADERS
    assert headers(raw_info(node, "default")) == DEFAULT_HEADERS
    assert headers(raw_info(node, "all")) == ALL_HEADERS
    assert headers(raw_info(node, "everything")) == ALL_HEADERS
    # Sections come in Redis' order whatever the order asked, names case-insensitive.
    assert headers(raw_info(node, "KEYSPACE", "cpu")) == ["CPU", "Keyspace"]
    assert raw_info(node, "nosuchsection") == ""


def test_info_text_format(node):
    text = raw_info(node, "server", "clients")
    assert text.startswith("# Server\r\nredis_version:7.0.15\r\n")
    assert "\r\n\r\n# Clients\r\n" in text
    assert text.endswith("\r\n") and not text.endswith("\r\n\r\n")


def test_info_resp3_is_verbatim(node):
    c = RespConn(node.port)
    c.call("HELLO", "3")
    reply = c.call("INFO", "server")
    c.close()
    assert isinstance(reply, Verbatim)
    assert reply.startswith("# Server\r\n")


def test_info_values_are_live(node, r):
    info = r.info("everything")
    assert info["redis_version"] == "7.0.15"
    assert info["tcp_port"] == node.port
    assert info["process_id"] == node.proc.pid
    assert info["role"] == "master"
    assert info["connected_slaves"] == 0
    assert re.fullmatch(r"[0-9a-f]{40}", info["master_replid"]), info["master_replid"]
    assert info["master_repl_offset"] == 0
    assert info["connected_clients"] == 1
    assert info["loading"] == 0
    assert info["used_memory"] > 0
    assert info["used_memory_rss"] > 0
    assert info["maxmemory_policy"] == "noeviction"
    assert info["cluster_enabled"] == 0
    r.config_set("maxmemory", "2mb")
    info = r.info("memory")
    assert info["maxmemory"] == 2 * 1024 * 1024
    assert info["maxmemory_human"] == "2.00M"


def test_info_keyspace_counts(r):
    assert r.info("keyspace") == {}
    r.set("a", "1")
    r.set("b", "2")
    r.set("c", "3", ex=100)
    r2 = redis.Redis(port=r.connection_pool.connection_kwargs["port"], host="127.0.0.1", db=3,
                     decode_responses=True)
    r2.set("x", "y")
    text = r.execute_command("INFO", "keyspace")
    assert text["db0"]["keys"] == 3
    assert text["db0"]["expires"] == 1
    assert text["db3"] == {"keys": 1, "expires": 0, "avg_ttl": 0}
    r2.close()


def test_info_keyspace_hits_and_misses(r):
    r.set("k", "v")
    before = r.info("stats")
    r.get("k")
    r.get("k")
    r.get("missing")
    after = r.info("stats")
    assert after["keyspace_hits"] - before["keyspace_hits"] == 2
    assert after["keyspace_misses"] - before["keyspace_misses"] == 1


def test_info_stats_counters_move(node, r):
    before = r.info("stats")
    for _ in range(5):
        r.ping()
    other = node.client()
    other.ping()
    other.close()
    after = r.info("stats")
    assert after["total_commands_processed"] - before["total_commands_processed"] >= 6
    assert after["total_connections_received"] - before["total_connections_received"] == 1
    assert after["total_net_input_bytes"] > before["total_net_input_bytes"]
    assert after["total_net_output_bytes"] > before["total_net_output_bytes"]
    assert after["total_reads_processed"] > before["total_reads_processed"]


def test_info_errorstats_and_commandstats(r):
    r.set("s", "v")
    with pytest.raises(redis.ResponseError):
        r.execute_command("HSET", "s", "f", "x")
    with pytest.raises(redis.ResponseError):
        r.execute_command("GET")
    with pytest.raises(redis.ResponseError):
        r.execute_command("NOSUCHCOMMAND")
    err = r.info("errorstats")
    assert err["errorstat_WRONGTYPE"] == "count=1"
    assert err["errorstat_ERR"] == "count=2"
    stats = r.info("stats")
    assert stats["total_error_replies"] == 3
    cmd = r.info("commandstats")
    assert cmd["cmdstat_set"]["calls"] == 1
    assert cmd["cmdstat_hset"]["failed_calls"] == 1
    assert cmd["cmdstat_get"]["rejected_calls"] == 1
    assert cmd["cmdstat_get"]["calls"] == 0
    text = r.execute_command("INFO", "commandstats")
    assert set(text["cmdstat_set"]) == {"calls", "usec", "usec_per_call", "rejected_calls",
                                        "failed_calls"}
    r.config_get("maxclients")
    assert r.info("commandstats")["cmdstat_config|get"]["calls"] == 1
    r.config_resetstat()
    assert r.info("errorstats") == {}
    assert "cmdstat_set" not in r.info("commandstats")
    stats = r.info("stats")
    assert stats["total_error_replies"] == 0
    assert stats["keyspace_hits"] == 0
    assert stats["total_commands_processed"] <= 5


# ---------------------------------------------------------------- CONFIG

# Parameters whose change would disturb the test itself (listeners, files,
# auth, persistence, replication, eviction); checked separately where it matters.
SIDE_EFFECTS = {"port", "tls-port", "bind", "dir", "requirepass", "masterauth", "masteruser",
                "appendonly", "replicaof", "slaveof", "save", "maxmemory", "timeout",
                "aclfile", "logfile", "pidfile", "dbfilename", "appendfilename", "unixsocket"}


def next_value(value):
    """A different value of the same kind, or None when the kind is unknown."""
    if value in ("yes", "no"):
        return "no" if value == "yes" else "yes"
    try:
        return str(int(value) + 1)
    except ValueError:
        return None


def test_config_get_set_round_trips_every_parameter(r):
    params = r.config_get("*")
    assert len(params) > 20
    changed = 0
    for name, value in params.items():
        # Setting the current value back is always accepted (or refused as
        # immutable, or protected while enable-protected-configs is no).
        try:
            assert r.config_set(name, value) is True
        except redis.ResponseError as e:
            assert str(e) in ("CONFIG SET failed (possibly related to argument '%s') - "
                              "can't set %s config" % (name, kind)
                              for kind in ("immutable", "protected")), str(e)
            continue
        assert r.config_get(name) == {name: value}
        new = next_value(value)
        if name in SIDE_EFFECTS or new is None:
            continue
        try:
            r.config_set(name, new)
        except redis.ResponseError:
            new = str(int(value) - 1) if new.lstrip("-").isdigit() else None
            if new is None:
                continue
            try:
                r.config_set(name, new)
            except redis.ResponseError:
                continue
        assert r.config_get(name) == {name: new}, name
        assert r.config_set(name, value) is True
        assert r.config_get(name) == {name: value}, name
        changed += 1
    assert changed >= 15


def test_config_immutable_parameters(r):
    for name in ("databases", "tcp-backlog"):
        with pytest.raises(redis.ResponseError) as e:
            r.config_set(name, "5")
        assert str(e.value) == ("CONFIG SET failed (possibly related to argument '%s') - "
                                "can't set immutable config" % name)


def test_config_set_errors_match_redis(r):
    cases = [
        (("foo", "bar"), "Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (("maxclients", "0"), "CONFIG SET failed (possibly related to argument 'maxclients') - "
                              "argument must be between 1 and 4294967295 inclusive"),
        (("maxclients", "abc"), "CONFIG SET failed (possibly related to argument 'maxclients') "
                                "- argument couldn't be parsed into an integer"),
        (("maxclients", "10", "maxclients", "20"),
         "CONFIG SET failed (possibly related to argument 'maxclients') - duplicate parameter"),
        (("loglevel", "bad"), "CONFIG SET failed (possibly related to argument 'loglevel') - "
                              "argument(s) must be one of the following: debug, verbose, "
                              "notice, warning"),
        (("protected-mode", "maybe"), "CONFIG SET failed (possibly related to argument "
                                      "'protected-mode') - argument must be 'yes' or 'no'"),
        (("maxmemory", "1zz"), "CONFIG SET failed (possibly related to argument 'maxmemory') - "
                               "argument must be a memory value"),
        (("maxclients", "100", "foo", "1"),
         "Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (("databases", "1", "foo", "1"), "CONFIG SET failed (possibly related to argument "
                                         "'databases') - can't set immutable config"),
        (("maxclients", "1", "2"), "syntax error"),
        (("maxclients",), "wrong number of arguments for 'config|set' command"),
    ]
    for args, msg in cases:
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("CONFIG", "SET", *args)
        assert str(e.value) == msg, args
    assert r.config_get("maxclients") == {"maxclients": "10000"}


def test_config_set_is_atomic(r):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CONFIG", "SET", "hz", "20", "slowlog-max-len", "7", "maxclients", "0")
    assert "argument 'maxclients'" in str(e.value)
    assert r.config_get("hz") == {"hz": "10"}
    assert r.config_get("slowlog-max-len") == {"slowlog-max-len": "128"}
    assert r.execute_command("CONFIG", "SET", "hz", "20", "slowlog-max-len", "7") == "OK"
    assert r.config_get("hz") == {"hz": "20"}
    assert r.config_get("slowlog-max-len") == {"slowlog-max-len": "7"}


def test_config_memory_units_and_case(r):
    r.config_set("maxmemory", "1mb")
    assert r.config_get("maxmemory") == {"maxmemory": "1048576"}
    r.config_set("MAXMEMORY", "2k")
    assert r.config_get("maxmemory") == {"maxmemory": "2000"}
    r.config_set("maxmemory", "0")
    assert r.config_get("MAXCLIENTS") == {"MAXCLIENTS": "10000"}


def test_config_get_patterns(node, r):
    got = r.execute_command("CONFIG", "GET", "maxclients", "port", "maxc*")
    assert got == ["maxclients", "10000", "port", str(node.port)]
    assert r.config_get("nosuch") == {}
    got = r.config_get("maxmemory*")
    assert {"maxmemory", "maxmemory-policy", "maxmemory-samples"} <= set(got)
    c = RespConn(node.port)
    c.call("HELLO", "3")
    reply = c.call("CONFIG", "GET", "maxclients", "timeout")
    c.close()
    assert reply == {"maxclients": "10000", "timeout": "0"}
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CONFIG", "GET")
    assert str(e.value) == "wrong number of arguments for 'config|get' command"


def test_config_requirepass_is_returned(node, r):
    r.config_set("requirepass", "s3cret")
    try:
        assert r.config_get("requirepass") == {"requirepass": "s3cret"}
        fresh = node.client()
        with pytest.raises(redis.AuthenticationError):
            fresh.ping()
        fresh.close()
    finally:
        r.config_set("requirepass", "")


def test_config_set_port_moves_the_listener(node, r):
    from conftest import free_port
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    with pytest.raises(redis.ResponseError) as e:
        r.config_set("port", str(busy.getsockname()[1]))
    busy.close()
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'port') - "
                            "Unable to listen on this port")
    assert r.config_get("port") == {"port": str(node.port)}
    assert node.client().ping()
    new = free_port()
    r.config_set("port", str(new))
    moved = redis.Redis(host="127.0.0.1", port=new)
    assert moved.ping()
    moved.close()
    assert r.ping()  # the existing connection stays


def test_config_help_resetstat_and_errors(r):
    lines = r.execute_command("CONFIG", "HELP")
    assert lines[0] == "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[-1] == "    Prints this help."
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CONFIG", "FOO")
    assert str(e.value) == "unknown subcommand 'FOO'. Try CONFIG HELP."
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CONFIG")
    assert str(e.value) == "wrong number of arguments for 'config' command"


def test_config_rewrite_without_file(r):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CONFIG", "REWRITE")
    assert str(e.value) == "The server is running without a config file"


def test_config_rewrite_survives_restart(make_node):
    text = "; operator notes stay\n[node]\nmaxclients = 50\nhz = 12\n"
    n = make_node(config_text=text)
    c = n.client()
    c.config_set("maxclients", "77")
    c.config_set("slowlog-max-len", "9")
    assert c.execute_command("CONFIG", "REWRITE") in (True, "OK", b"OK")
    c.close()
    with open(n.config_path) as f:
        written = f.read()
    assert "; operator notes stay" in written
    assert "maxclients = 77" in written
    assert "hz = 12" in written
    assert "slowlog-max-len = 9" in written
    n.expect_exit = True
    n.stop()
    again = make_node(config_text=written)
    c = again.client()
    assert c.config_get("maxclients") == {"maxclients": "77"}
    assert c.config_get("slowlog-max-len") == {"slowlog-max-len": "9"}
    assert c.config_get("hz") == {"hz": "12"}
    c.close()


# ---------------------------------------------------------------- CLIENT

def test_client_id_name_info_list(node, r):
    cid = r.client_id()
    assert isinstance(cid, int) and cid > 0
    assert r.client_getname() is None
    assert r.client_setname("worker-1") is True
    assert r.client_getname() == "worker-1"
    with pytest.raises(redis.ResponseError) as e:
        r.client_setname("a b")
    assert str(e.value) == "Client names cannot contain spaces, newlines or special characters."
    info = r.execute_command("CLIENT", "INFO")
    line = info.rstrip("\n")
    assert [kv.split("=", 1)[0] for kv in line.split(" ")] == CLIENT_FIELDS
    assert "id=%d " % cid in line and "name=worker-1 " in line and "cmd=client|info " in line
    assert info.endswith("\n")
    other = node.client()
    other.ping()
    listed = r.execute_command("CLIENT", "LIST")
    lines = listed.strip("\n").split("\n")
    assert len(lines) == 2
    for l in lines:
        assert [kv.split("=", 1)[0] for kv in l.split(" ")] == CLIENT_FIELDS
    only = r.execute_command("CLIENT", "LIST", "ID", str(cid), "99999")
    assert only.count("\n") == 1 and only.startswith("id=%d " % cid)
    assert r.execute_command("CLIENT", "LIST", "TYPE", "normal").count("\n") == 2
    assert r.execute_command("CLIENT", "LIST", "TYPE", "pubsub") == ""
    for args, msg in [(("TYPE", "foo"), "Unknown client type 'foo'"),
                      (("ID", "abc"), "Invalid client ID"), (("foo",), "syntax error")]:
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("CLIENT", "LIST", *args)
        assert str(e.value) == msg
    r.client_setname("")
    assert r.client_getname() is None
    other.close()


def test_client_setinfo(r):
    assert r.execute_command("CLIENT", "SETINFO", "lib-name", "redis-py") in (True, "OK")
    assert r.execute_command("CLIENT", "SETINFO", "LIB-VER", "4.3.4") in (True, "OK")
    info = r.execute_command("CLIENT", "INFO")
    assert "lib-name=redis-py lib-ver=4.3.4" in info
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CLIENT", "SETINFO", "foo", "x")
    assert str(e.value) == "Unrecognized option 'foo'"
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CLIENT", "SETINFO", "lib-name", "a b")
    assert str(e.value) == "lib-name cannot contain spaces, newlines or special characters."


def wait_closed(sock, timeout=5.0):
    sock.settimeout(timeout)
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            if sock.recv(65536) == b"":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


def test_client_kill_forms(node, r):
    victim = socket.create_connection(("127.0.0.1", node.port))
    victim.sendall(b"CLIENT ID\r\n")
    vid = int(victim.recv(100)[1:].strip())
    assert r.client_kill_filter(_id=vid) == 1
    assert wait_closed(victim)
    victim.close()
    # Old form: by address, OK or "No such client".
    v2 = socket.create_connection(("127.0.0.1", node.port))
    v2.sendall(b"PING\r\n")
    v2.recv(100)
    addr = "127.0.0.1:%d" % v2.getsockname()[1]
    assert r.client_kill(addr) is True
    assert wait_closed(v2)
    v2.close()
    with pytest.raises(redis.ResponseError) as e:
        r.client_kill("1.2.3.4:5")
    assert str(e.value) == "No such client"
    # SKIPME defaults to yes; TYPE filters.
    assert r.execute_command("CLIENT", "KILL", "TYPE", "normal") == 0
    assert r.ping()
    errors = [(("ID", "abc"), "client-id should be greater than 0"),
              (("ID", "0"), "client-id should be greater than 0"),
              (("TYPE", "foo"), "Unknown client type 'foo'"),
              (("SKIPME", "maybe"), "syntax error"),
              (("USER", "nobody"), "No such user 'nobody'"),
              (("ADDR", "1.1.1.1:1", "MAXAGE"), "syntax error")]
    for args, msg in errors:
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("CLIENT", "KILL", *args)
        assert str(e.value) == msg
    assert r.execute_command("CLIENT", "KILL", "ID", "999999") == 0
    # SKIPME no kills the caller too, after its reply.
    me = RespConn(node.port)
    assert me.call("CLIENT", "KILL", "USER", "default", "SKIPME", "no") >= 1
    with pytest.raises((ConnectionError, OSError)):
        me.call("PING")
    me.close()


def test_client_reply_off_skip_on(node):
    s = socket.create_connection(("127.0.0.1", node.port))
    s.sendall(b"CLIENT REPLY SKIP\r\nPING\r\nECHO a\r\nCLIENT REPLY OFF\r\nPING\r\n"
              b"ECHO hidden\r\nNOSUCHCOMMAND\r\nGET\r\nCLIENT REPLY ON\r\nECHO b\r\n")
    got = b""
    s.settimeout(2)
    while not got.endswith(b"$1\r\nb\r\n"):
        got += s.recv(1000)
    s.close()
    assert got == b"$1\r\na\r\n+OK\r\n$1\r\nb\r\n"


def test_client_no_evict_and_errors(r):
    assert r.execute_command("CLIENT", "NO-EVICT", "on") in (True, "OK")
    assert " flags=e " in r.execute_command("CLIENT", "INFO")
    assert r.execute_command("CLIENT", "NO-EVICT", "off") in (True, "OK")
    for args, msg in [(("NO-EVICT", "maybe"), "syntax error"), (("REPLY", "foo"), "syntax error"),
                      (("PAUSE", "abc"), "timeout is not an integer or out of range"),
                      (("PAUSE", "-1"), "timeout is negative"),
                      (("PAUSE", "10", "foo"), "CLIENT PAUSE mode must be WRITE or ALL"),
                      (("FOO",), "unknown subcommand 'FOO'. Try CLIENT HELP.")]:
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("CLIENT", *args)
        assert str(e.value) == msg
    help_lines = r.execute_command("CLIENT", "HELP")
    assert help_lines[0] == "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"


def test_client_pause_write_holds_writes_until_unpause(node, r):
    r.set("k", "before")
    assert r.execute_command("CLIENT", "PAUSE", "60000", "WRITE") in (True, "OK")
    w = RespConn(node.port)
    w.send("SET", "k", "after")
    w.send("GET", "k")
    time.sleep(0.2)
    assert r.get("k") == "before"  # reads go on
    assert r.info("keyspace")["db0"]["keys"] == 1
    assert r.execute_command("CLIENT", "UNPAUSE") in (True, "OK")
    assert w.read() == "OK"
    assert w.read() == "after"
    w.close()


def test_client_pause_all_ends_at_deadline(node, r):
    assert r.execute_command("CLIENT", "PAUSE", "300", "ALL") in (True, "OK")
    c = RespConn(node.port)
    start = time.time()
    assert c.call("PING") == "PONG"
    assert time.time() - start >= 0.2  # held until the pause ended
    c.close()


# --------------------------------------------------------------- COMMAND

def command(node, *args):
    """redis-py parses every COMMAND reply as plain COMMAND's, so talk RESP directly."""
    c = RespConn(node.port)
    try:
        return c.call("COMMAND", *args)
    finally:
        c.close()


def test_command_count_list_info(node):
    count = command(node, "COUNT")
    assert isinstance(count, int) and count > 50
    c = RespConn(node.port)
    everything = c.call("COMMAND")
    assert len(everything) == count
    names = c.call("COMMAND", "LIST")
    assert len([n for n in names if "|" not in n]) == count
    assert "config|get" in names and "get" in names
    info = c.call("COMMAND", "INFO", "get", "nosuch", "config|get")
    assert info[0][:7] == ["get", 2, ["readonly", "fast"], 1, 1, 1, ["@read", "@string", "@fast"]]
    assert info[1] is None
    assert info[2][0] == "config|get" and info[2][1] == -3
    cfg = c.call("COMMAND", "INFO", "config")[0]
    assert cfg[0] == "config" and cfg[1] == -2
    assert sorted(sub[0] for sub in cfg[9]) == ["config|get", "config|help", "config|resetstat",
                                                "config|rewrite", "config|set"]
    assert c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "conf*")[0] == "config"
    assert "get" in c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "string")
    assert c.call("COMMAND", "LIST", "FILTERBY", "MODULE", "x") == []
    assert isinstance(c.call("COMMAND", "LIST", "FILTERBY", "FOO", "x"), RespError)
    c.call("HELLO", "3")
    info3 = c.call("COMMAND", "INFO", "get")[0]
    assert isinstance(info3[2], RespSet) and isinstance(info3[6], RespSet)
    c.close()


def test_command_docs(node):
    c = RespConn(node.port)
    docs = c.call("COMMAND", "DOCS", "get", "nosuch")
    assert docs[0] == "get" and len(docs) == 2
    fields = dict(zip(docs[1][::2], docs[1][1::2]))
    assert fields["summary"] and fields["since"] == "1.0.0" and fields["group"] == "string"
    c.call("HELLO", "3")
    docs = c.call("COMMAND", "DOCS", "config")
    assert set(docs["config"]["subcommands"]) >= {"config|get", "config|set"}
    alldocs = c.call("COMMAND", "DOCS")
    assert len(alldocs) == command(node, "COUNT")
    c.close()


def test_command_getkeys(node):
    assert command(node, "GETKEYS", "SET", "a", "b") == ["a"]
    assert command(node, "GETKEYS", "MSET", "a", "1", "b", "2") == ["a", "b"]
    assert command(node, "GETKEYS", "MEMORY", "USAGE", "k") == ["k"]
    for args, msg in [(("PING", "x"), "The command has no key arguments"),
                      (("FOO", "bar"), "Invalid command specified"),
                      (("SET", "a"), "Invalid number of arguments specified for command"),
                      (("GET",), "wrong number of arguments for 'command|getkeys' command")]:
        reply = command(node, "GETKEYS", *args)
        assert isinstance(reply, RespError) and str(reply) == "ERR " + msg


def test_redis_cli_interactive_session(node):
    """redis-cli asks COMMAND at start to learn extra commands; its hints must not break."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("redis-cli", ["redis-cli", "-h", "127.0.0.1", "-p", str(node.port)])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    out = b""

    def read_until(token, since=0, timeout=5.0):
        nonlocal out
        deadline = time.time() + timeout
        while token not in out[since:] and time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if b"\x1b[6n" in chunk:  # linenoise asks where the cursor is
                    os.write(fd, b"\x1b[1;80R")
                out += chunk
        return token in out[since:]

    # linenoise flushes unread input when it redraws the prompt (TCSAFLUSH),
    # so each line is typed only once the prompt is back.
    prompt = b"%d> " % node.port
    try:
        assert read_until(prompt)
        for ch in b"config get maxclients":
            os.write(fd, bytes([ch]))  # typed one key at a time: hints are drawn
            time.sleep(0.005)
        os.write(fd, b"\r")
        assert read_until(b"10000")
        mark = out.index(b"10000")
        assert read_until(prompt, since=mark)
        os.write(fd, b"command count\r")
        assert read_until(b"(integer)", since=mark)
        mark = out.index(b"(integer)")
        assert read_until(prompt, since=mark)
        os.write(fd, b"quit\r")
        deadline = time.time() + 5
        while time.time() < deadline and os.waitpid(pid, os.WNOHANG) == (0, 0):
            read_until(b"\x00", timeout=0.1)
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except OSError:
            pass
        os.close(fd)
    assert b"ERR" not in out and b"Error" not in out


# ------------------------------------------------ TIME, LASTSAVE, MEMORY, DEBUG

def test_time_and_lastsave(r):
    secs, usecs = r.execute_command("TIME")
    assert abs(int(secs) - time.time()) < 5 and 0 <= int(usecs) < 1000000
    raw = RespConn(r.connection_pool.connection_kwargs["port"])
    reply = raw.call("TIME")
    raw.close()
    assert isinstance(reply[0], str)  # bulk strings, as Redis
    last = r.lastsave()
    assert abs(last.timestamp() - time.time()) < 60
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("LASTSAVE", "x")
    assert str(e.value) == "wrong number of arguments for 'lastsave' command"


def test_memory_usage(r):
    r.set("small", "v")
    r.set("big", "x" * 10000)
    small = r.memory_usage("small")
    big = r.memory_usage("big")
    assert 0 < small < 200
    assert big > 10000
    assert r.memory_usage("missing") is None
    assert r.execute_command("MEMORY", "USAGE", "big", "SAMPLES", "0") == big
    for args, msg in [(("big", "SAMPLES", "x"), "value is not an integer or out of range"),
                      (("big", "SAMPLES"), "syntax error"), (("big", "FOO", "1"), "syntax error")]:
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("MEMORY", "USAGE", *args)
        assert str(e.value) == msg


def test_memory_stats_doctor_help(node, r):
    r.set("k", "v")
    stats = r.execute_command("MEMORY", "STATS")
    flat = stats if isinstance(stats, dict) else dict(zip(stats[::2], stats[1::2]))
    for key in ("peak.allocated", "total.allocated", "startup.allocated", "clients.normal",
                "overhead.total", "keys.count", "dataset.bytes", "db.0"):
        assert key in flat, key
    assert flat["keys.count"] == 1
    doctor = r.execute_command("MEMORY", "DOCTOR")
    assert doctor.startswith("Hi Sam") and doctor.endswith("\n")
    assert r.execute_command("MEMORY", "HELP")[0].startswith("MEMORY <subcommand>")
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("MEMORY", "FOO")
    assert str(e.value) == "unknown subcommand 'FOO'. Try MEMORY HELP."


@pytest.mark.node_args("--enable-debug-command", "yes")
def test_debug_object_and_sleep(node, r):
    r.set("s", "bar")
    r.set("n", "123")
    line = r.execute_command("DEBUG", "OBJECT", "s")
    assert "encoding:embstr serializedlength:4 lru:" in str(line)
    assert "encoding:int serializedlength:2 " in str(r.execute_command("DEBUG", "OBJECT", "n"))
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("DEBUG", "OBJECT", "missing")
    assert str(e.value) == "no such key"
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("DEBUG", "FOO")
    assert str(e.value) == ("unknown subcommand or wrong number of arguments for 'FOO'. "
                            "Try DEBUG HELP.")
    sleeper = RespConn(node.port)
    sleeper.send("DEBUG", "SLEEP", "0.4")
    time.sleep(0.05)
    start = time.time()
    assert r.ping()
    assert time.time() - start >= 0.2  # the loop was blocked by DEBUG SLEEP
    assert sleeper.read() == "OK"
    sleeper.close()


# -------------------------------------------------------------- SHUTDOWN

def test_shutdown_errors(r):
    for args, msg in [(("ABORT",), "No shutdown in progress."), (("FOO",), "syntax error"),
                      (("NOSAVE", "SAVE"), "syntax error"), (("ABORT", "NOW"), "syntax error")]:
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("SHUTDOWN", *args)
        assert str(e.value) == msg


def test_shutdown_exits_zero_and_keeps_files(make_node):
    n = make_node(config_text="[node]\nmaxclients = 100\n")
    n.expect_exit = True
    marker = os.path.join(n.dir, "keep.me")
    with open(marker, "w") as f:
        f.write("x")
    c = RespConn(n.port)
    c.send("SHUTDOWN", "NOSAVE")
    with pytest.raises((ConnectionError, OSError)):
        c.read()  # no reply: the connection just closes
    c.close()
    assert n.proc.wait(timeout=10) == 0
    assert os.path.exists(marker) and os.path.exists(n.config_path)
    assert "User requested shutdown" in n.log()


def test_shutdown_plain(make_node):
    n = make_node()
    n.expect_exit = True
    c = n.client()
    assert c.shutdown() is None  # redis-py expects the connection to drop
    assert n.proc.wait(timeout=10) == 0


def test_hz_is_clamped_like_redis(r):
    assert r.config_set("hz", "1000")
    assert r.config_get("hz") == {"hz": "500"}
    assert r.config_set("hz", "0")
    assert r.config_get("hz") == {"hz": "1"}
    import pytest
    import redis
    with pytest.raises(redis.exceptions.ResponseError, match="between 0 and 2147483647"):
        r.config_set("hz", "-1")
    r.config_set("hz", "10")


def test_output_buffer_limit_prints_slave_class_like_redis(r):
    value = r.config_get("client-output-buffer-limit")["client-output-buffer-limit"]
    assert " slave " in value and "replica" not in value
    assert r.config_set("client-output-buffer-limit", "replica 1mb 512kb 10")
    value = r.config_get("client-output-buffer-limit")["client-output-buffer-limit"]
    assert "slave 1048576 524288 10" in value


def test_commandstats_exec_not_charged_for_inner_error(r):
    # As Redis: the failing command inside EXEC gets the failed call; EXEC,
    # which replied with an array, does not.
    r.set("s", "v")
    pipe = r.pipeline(transaction=True)
    pipe.get("s")
    pipe.hset("s", "f", "x")
    pipe.execute(raise_on_error=False)
    cmd = r.info("commandstats")
    assert cmd["cmdstat_hset"]["failed_calls"] == 1
    assert cmd["cmdstat_exec"]["failed_calls"] == 0
    assert cmd["cmdstat_get"]["failed_calls"] == 0
