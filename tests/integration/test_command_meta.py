"""test_command_meta.py -- command metadata compared with Debian's redis-server 7.0.15.

Owns: one reference redis-server per module (started on a free loopback port,
killed by pid in the fixture finalizer). Every command vigil's COMMAND reports
is compared with the reference's COMMAND INFO (arity, flags, key positions,
ACL categories, subcommands), COMMAND DOCS (summary, since, group), COMMAND
GETKEYS on a sample invocation, and ACL DRYRUN with each key in turn denied.
Commands the reference has and vigil lacks are printed, not failed.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import free_port

REDIS_SERVER = "/usr/bin/redis-server"

# Known, intended differences, keyed by full command name; each says why.
ALLOWED = {
    # A Redis 7.2 subcommand: redis-py 5, go-redis 9 and Jedis 5 send it
    # right after connecting, so we answer it instead of erroring.
    "client|setinfo": "vigil-only",
}

# One representative invocation of every key-taking command (argv after the
# name). Keys start with "k" so the ACL test can deny them one at a time.
SAMPLES = {
    "append": "k1 v",
    "bitcount": "k1 0 1",
    "bitop": "AND k1 k2 k3",
    "bitpos": "k1 1",
    "blmove": "k1 k2 LEFT RIGHT 0",
    "blmpop": "0 2 k1 k2 LEFT COUNT 1",
    "blpop": "k1 k2 0",
    "brpop": "k1 k2 k3 0",
    "brpoplpush": "k1 k2 0",
    "bzmpop": "0 2 k1 k2 MIN",
    "bzpopmax": "k1 k2 0",
    "bzpopmin": "k1 k2 0",
    "copy": "k1 k2 REPLACE",
    "decr": "k1",
    "decrby": "k1 2",
    "del": "k1 k2 k3",
    "dump": "k1",
    "exists": "k1 k2",
    "expire": "k1 10 NX",
    "expireat": "k1 10",
    "expiretime": "k1",
    "get": "k1",
    "getbit": "k1 3",
    "getdel": "k1",
    "getex": "k1 EX 10",
    "getrange": "k1 0 -1",
    "getset": "k1 v",
    "hdel": "k1 f1 f2",
    "hexists": "k1 f",
    "hget": "k1 f",
    "hgetall": "k1",
    "hincrby": "k1 f 1",
    "hincrbyfloat": "k1 f 1.5",
    "hkeys": "k1",
    "hlen": "k1",
    "hmget": "k1 f1 f2",
    "hmset": "k1 f1 v1 f2 v2",
    "hrandfield": "k1 2 WITHVALUES",
    "hscan": "k1 0 MATCH x*",
    "hset": "k1 f1 v1",
    "hsetnx": "k1 f v",
    "hstrlen": "k1 f",
    "hvals": "k1",
    "incr": "k1",
    "incrby": "k1 5",
    "incrbyfloat": "k1 0.5",
    "lcs": "k1 k2 LEN",
    "lindex": "k1 0",
    "linsert": "k1 BEFORE p v",
    "llen": "k1",
    "lmove": "k1 k2 LEFT LEFT",
    "lmpop": "3 k1 k2 k3 RIGHT",
    "lpop": "k1 2",
    "lpos": "k1 v RANK 1",
    "lpush": "k1 a b",
    "lpushx": "k1 a",
    "lrange": "k1 0 -1",
    "lrem": "k1 0 v",
    "lset": "k1 0 v",
    "ltrim": "k1 0 1",
    "memory|usage": "USAGE k1 SAMPLES 5",
    "mget": "k1 k2 k3",
    "move": "k1 1",
    "mset": "k1 v1 k2 v2",
    "msetnx": "k1 v1 k2 v2 k3 v3",
    "object|encoding": "ENCODING k1",
    "object|freq": "FREQ k1",
    "object|idletime": "IDLETIME k1",
    "object|refcount": "REFCOUNT k1",
    "persist": "k1",
    "pexpire": "k1 100",
    "pexpireat": "k1 100 GT",
    "pexpiretime": "k1",
    "psetex": "k1 100 v",
    "pttl": "k1",
    "rename": "k1 k2",
    "renamenx": "k1 k2",
    "restore": "k1 0 payload REPLACE",
    "restore-asking": "k1 0 payload",
    "rpop": "k1",
    "rpoplpush": "k1 k2",
    "rpush": "k1 a b c",
    "rpushx": "k1 a",
    "sadd": "k1 m1 m2",
    "scard": "k1",
    "sdiff": "k1 k2 k3",
    "sdiffstore": "k1 k2 k3",
    "set": "k1 v EX 10 GET",
    "setbit": "k1 7 1",
    "setex": "k1 10 v",
    "setnx": "k1 v",
    "setrange": "k1 0 v",
    "sinter": "k1 k2",
    "sintercard": "2 k1 k2 LIMIT 3",
    "sinterstore": "k1 k2 k3",
    "sismember": "k1 m",
    "smembers": "k1",
    "smismember": "k1 m1 m2",
    "smove": "k1 k2 m",
    "spop": "k1 2",
    "srandmember": "k1 -3",
    "srem": "k1 m",
    "sscan": "k1 0 COUNT 5",
    "strlen": "k1",
    "substr": "k1 0 2",
    "sunion": "k1 k2",
    "sunionstore": "k1 k2 k3",
    "touch": "k1 k2",
    "ttl": "k1",
    "type": "k1",
    "unlink": "k1 k2",
    "watch": "k1 k2",
    "zadd": "k1 NX 1 a 2 b",
    "zcard": "k1",
    "zcount": "k1 -inf +inf",
    "zdiff": "2 k1 k2 WITHSCORES",
    "zdiffstore": "k1 2 k2 k3",
    "zincrby": "k1 1 m",
    "zinter": "3 k1 k2 k3 WEIGHTS 1 2 3 AGGREGATE MAX",
    "zintercard": "2 k1 k2 LIMIT 5",
    "zinterstore": "k1 2 k2 k3 WEIGHTS 1 2",
    "zlexcount": "k1 - +",
    "zmpop": "2 k1 k2 MAX COUNT 2",
    "zmscore": "k1 a b",
    "zpopmax": "k1 2",
    "zpopmin": "k1",
    "zrandmember": "k1 2 WITHSCORES",
    "zrange": "k1 0 -1 WITHSCORES",
    "zrangebylex": "k1 - + LIMIT 0 1",
    "zrangebyscore": "k1 -inf +inf",
    "zrangestore": "k1 k2 0 -1",
    "zrank": "k1 m",
    "zrem": "k1 a b",
    "zremrangebylex": "k1 - +",
    "zremrangebyrank": "k1 0 1",
    "zremrangebyscore": "k1 0 1",
    "zrevrange": "k1 0 -1",
    "zrevrangebylex": "k1 + -",
    "zrevrangebyscore": "k1 +inf -inf",
    "zrevrank": "k1 m",
    "zscan": "k1 0",
    "zscore": "k1 m",
    "zunion": "2 k1 k2 WITHSCORES",
    "zunionstore": "k1 3 k2 k3 k4 AGGREGATE SUM",
}

# Malformed or borderline invocations: GETKEYS must fail (or not) as Redis does.
GETKEYS_EDGES = [
    "ping",
    "nosuchcommand k1",
    "get",
    "get k1 k2",
    "config get maxmemory",
    "config nosuchsub x",
    "object nosuchsub k1",
    "object encoding k1",
    "mset k1 v1 k2",
    "zunionstore k1 0 k2",
    "zunionstore k1 -1 k2",
    "zunionstore k1 3 k2 k3",
    "zunionstore k1 x k2",
    "zunion 3 k1 k2",
    "lmpop 3 k1 k2 LEFT",
    "lmpop 3 k1 LEFT",
    "lmpop 0 k1 LEFT",
    "blmpop 0 3 k1 LEFT",
    "sintercard 3 k1 k2",
    "sintercard 0 k1",
    "zintercard 2 k1",
    "zmpop 0 k1 MIN",
    "bzmpop 0 5 k1 MIN",
    "zdiffstore k1 5 k2",
]


@pytest.fixture(scope="module")
def redis_ref(request):
    # The reference is part of the test environment (scripts/test.sh installs
    # redis-server): without it these tests fail rather than vanish as skips.
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.fail("the reference %s is not installed (Debian package redis-server)"
                    % REDIS_SERVER, pytrace=False)
    workdir = tempfile.mkdtemp(prefix="vigil-ref-")
    port = free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", workdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop():
        proc.kill()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)

    request.addfinalizer(stop)
    deadline = time.time() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)
    return plain_client(port)


def plain_client(port, **kw):
    """A redis-py client whose COMMAND replies are left as the server sent them."""
    c = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, **kw)
    c.response_callbacks.pop("COMMAND", None)
    return c


def command_table(c):
    """Full name ("get", "object|encoding") -> the raw COMMAND INFO entry."""
    out = {}
    for entry in c.execute_command("COMMAND"):
        out[entry[0]] = entry
        for sub in entry[9]:
            out[sub[0]] = sub
    return out


def info_fields(entry):
    return {
        "arity": entry[1],
        "flags": sorted(entry[2]),
        "first_key": entry[3],
        "last_key": entry[4],
        "step": entry[5],
        "acl_categories": sorted(entry[6]),
        "subcommands": sorted((s[0], s[1]) for s in entry[9]),
    }


def pairs(flat):
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


def docs_table(c):
    out = {}
    for name, doc in pairs(c.execute_command("COMMAND", "DOCS")).items():
        doc = pairs(doc)
        out[name] = doc
        for sub, subdoc in pairs(doc.get("subcommands", [])).items():
            out[sub] = pairs(subdoc)
    return out


def reply_or_error(c, *args):
    try:
        return c.execute_command(*args)
    except redis.exceptions.ResponseError as e:
        return "ERROR: %s" % e


def sample_argv(fullname):
    parent = fullname.split("|")[0]
    return [parent] + SAMPLES[fullname].split()


@pytest.fixture
def vigil(node):
    c = plain_client(node.port)
    yield c
    c.close()


def test_command_info_matches_redis(vigil, redis_ref):
    ours, ref = command_table(vigil), command_table(redis_ref)
    # Subcommands of a missing container are not listed again.
    missing = sorted(n for n in ref if n not in ours and n.split("|")[0] in (n, *ours))
    print("\nRedis 7.0 commands vigil does not implement (%d): %s"
          % (len(missing), " ".join(missing)))
    extra = sorted(n for n in ours if n not in ref and n not in ALLOWED)
    assert extra == [], "commands Redis 7.0 does not have"
    mismatches = []
    for name in sorted(ours):
        if name not in ref or name in ALLOWED:
            continue
        mine, theirs = info_fields(ours[name]), info_fields(ref[name])
        theirs["subcommands"] = [s for s in theirs["subcommands"] if s[0] in ours]
        mine["subcommands"] = [s for s in mine["subcommands"] if s[0] not in ALLOWED]
        for field in mine:
            if mine[field] != theirs[field]:
                mismatches.append((name, field, mine[field], theirs[field]))
    assert mismatches == []


def test_command_info_single_and_unknown(vigil, redis_ref):
    for args in (("get",), ("GET", "nosuch", "config|get"), ("object|encoding", "zadd")):
        ours = vigil.execute_command("COMMAND", "INFO", *args)
        ref = redis_ref.execute_command("COMMAND", "INFO", *args)
        assert [e and info_fields(e) for e in ours] == [e and info_fields(e) for e in ref]


def test_command_count_and_list(vigil, redis_ref):
    ours = command_table(vigil)
    top = [n for n in ours if "|" not in n]
    assert vigil.execute_command("COMMAND", "COUNT") == len(top)
    listed = vigil.execute_command("COMMAND", "LIST")
    assert sorted(listed) == sorted(ours)
    ref_listed = set(redis_ref.execute_command("COMMAND", "LIST"))
    assert sorted(n for n in listed if n not in ref_listed) == sorted(ALLOWED)
    for cat in ("sortedset", "blocking", "dangerous", "fast"):
        mine = set(vigil.execute_command("COMMAND", "LIST", "FILTERBY", "ACLCAT", cat))
        theirs = set(redis_ref.execute_command("COMMAND", "LIST", "FILTERBY", "ACLCAT", cat))
        assert mine == theirs & set(ours), cat


def test_command_docs_match_redis(vigil, redis_ref):
    ours, ref = docs_table(vigil), docs_table(redis_ref)
    mismatches = []
    for name in sorted(ours):
        if name in ALLOWED:
            continue
        assert name in ref, name
        for field in ("summary", "since", "group"):
            if ours[name].get(field) != ref[name].get(field):
                mismatches.append((name, field, ours[name].get(field), ref[name].get(field)))
        assert set(ours[name]) <= set(ref[name]) | {"subcommands"}, name
    assert mismatches == []


def key_taking(table):
    return sorted(n for n, e in table.items() if e[3] > 0 or "movablekeys" in e[2])


def test_samples_cover_every_key_taking_command(vigil, redis_ref):
    ours, ref = command_table(vigil), command_table(redis_ref)
    uncovered = [n for n in key_taking(ref) if n in ours and n not in SAMPLES]
    assert uncovered == [], "add a sample invocation to SAMPLES"
    stale = [n for n in SAMPLES if n not in ours or n not in ref]
    assert stale == []


def test_getkeys_matches_redis(vigil, redis_ref):
    ours = command_table(vigil)
    mismatches = []
    for name in sorted(n for n in SAMPLES if n in ours):
        argv = sample_argv(name)
        mine = reply_or_error(vigil, "COMMAND", "GETKEYS", *argv)
        theirs = reply_or_error(redis_ref, "COMMAND", "GETKEYS", *argv)
        assert not str(theirs).startswith("ERROR"), (name, theirs)
        if mine != theirs:
            mismatches.append((name, mine, theirs))
    assert mismatches == []


@pytest.mark.parametrize("line", GETKEYS_EDGES)
def test_getkeys_edge_cases_match_redis(vigil, redis_ref, line):
    args = ["COMMAND", "GETKEYS"] + line.split()
    assert reply_or_error(vigil, *args) == reply_or_error(redis_ref, *args)


def restrict(c):
    """A user that may run anything on keys starting with k only."""
    c.execute_command("ACL", "SETUSER", "meta", "on", "nopass", "+@all", "~k*", "&*")


def test_acl_dryrun_sees_every_key(vigil, redis_ref):
    ours = command_table(vigil)
    restrict(vigil)
    restrict(redis_ref)
    mismatches = []
    for name in sorted(n for n in SAMPLES if n in ours):
        argv = sample_argv(name)
        keys = set(redis_ref.execute_command("COMMAND", "GETKEYS", *argv))
        variants = [argv] + [[("secret" if a == k else a) for a in argv] for k in sorted(keys)]
        for v in variants:
            mine = reply_or_error(vigil, "ACL", "DRYRUN", "meta", *v)
            theirs = reply_or_error(redis_ref, "ACL", "DRYRUN", "meta", *v)
            if mine != theirs:
                mismatches.append((v, mine, theirs))
    assert mismatches == []


def test_acl_read_write_selectors_follow_key_specs(vigil, redis_ref):
    """Each key asks what its Redis key spec asks: COPY reads its source and
    writes its destination, INCR needs both, EXISTS only a matching pattern."""
    ours = command_table(vigil)
    mismatches = []
    for c in (vigil, redis_ref):
        c.execute_command("ACL", "SETUSER", "reader", "on", "nopass", "+@all", "%R~*")
        c.execute_command("ACL", "SETUSER", "writer", "on", "nopass", "+@all", "%W~*")
    for name in sorted(n for n in SAMPLES if n in ours):
        for user in ("reader", "writer"):
            argv = ["ACL", "DRYRUN", user] + sample_argv(name)
            mine, theirs = reply_or_error(vigil, *argv), reply_or_error(redis_ref, *argv)
            if mine != theirs:
                mismatches.append((user, name, mine, theirs))
    assert mismatches == []


def test_acl_each_key_needs_what_its_key_spec_says(vigil, redis_ref):
    """Key by key: the key under test ("t") may only be read (user tr) or
    only be written (user tw), the others ("o...") allow both. LMOVE's
    source needs both and its destination only write; COPY's the reverse."""
    ours = command_table(vigil)
    for c in (vigil, redis_ref):
        c.execute_command("ACL", "SETUSER", "tr", "on", "nopass", "+@all", "~o*", "%R~t")
        c.execute_command("ACL", "SETUSER", "tw", "on", "nopass", "+@all", "~o*", "%W~t")
    extra = [["set", "k1", "v"], ["set", "k1", "v", "NX", "get"], ["set", "k1", "GET"]]
    mismatches = []
    for argv in [sample_argv(n) for n in sorted(SAMPLES) if n in ours] + extra:
        keys = redis_ref.execute_command("COMMAND", "GETKEYS", *argv)
        positions = [i for i, a in enumerate(argv) if a in keys]
        for pos in positions:
            v = [("t" if i == pos else "o%d" % i) if i in positions else a
                 for i, a in enumerate(argv)]
            for user in ("tr", "tw"):
                mine = reply_or_error(vigil, "ACL", "DRYRUN", user, *v)
                theirs = reply_or_error(redis_ref, "ACL", "DRYRUN", user, *v)
                if mine != theirs:
                    mismatches.append((user, v, mine, theirs))
    assert mismatches == []


NUMKEYS_RUNS = [
    "sintercard 2 k1 secret",
    "zunionstore k1 2 k2 secret",
    "zunionstore secret 1 k2",
    "zinterstore k1 2 secret k2",
    "zdiffstore k1 2 k2 secret",
    "zunion 2 k1 secret",
    "zinter 2 secret k1",
    "zdiff 2 k1 secret",
    "zintercard 2 k1 secret",
    "lmpop 2 k1 secret LEFT",
    "zmpop 2 secret k1 MIN",
    "blmpop 0.01 2 k1 secret LEFT",
    "bzmpop 0.01 2 k1 secret MIN",
    "blpop k1 secret 0.01",
    "mset k1 v secret v",
    "zunionstore secret 3 k1 k2",
    "lmpop 5 secret LEFT",
    "sintercard 0 secret",
]


@pytest.mark.parametrize("line", NUMKEYS_RUNS)
def test_acl_key_check_on_real_calls(node, redis_ref, line):
    """The restricted user runs the command for real: same NOPERM, or the
    same syntax error when numkeys is malformed (then no key is checked)."""
    admin = plain_client(node.port)
    restrict(admin)
    restrict(redis_ref)
    ref_port = redis_ref.connection_pool.connection_kwargs["port"]
    mine_c = plain_client(node.port, username="meta", password="x")
    theirs_c = plain_client(ref_port, username="meta", password="x")
    try:
        mine = reply_or_error(mine_c, *line.split())
        theirs = reply_or_error(theirs_c, *line.split())
        assert mine == theirs
    finally:
        mine_c.close()
        theirs_c.close()
        admin.close()
