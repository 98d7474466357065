"""test_dump_restore.py -- DUMP and RESTORE against Debian's redis-server 7.0.15.

Owns: one redis-server and one vigil-node per module, each on a free
loopback port, killed by pid when the module ends (the node is checked for
sanitizer reports then). Every type in every encoding is dumped on one
server and restored on the other, both ways, with identical values and
OBJECT ENCODING; payloads of the same data are compared byte for byte
(with rdbcompression off every one matches except hashtable sets and
hashes, whose member order is each process' hash order; with it on, LZF
output may differ because our compressor is not liblzf's); every error
path is compared with Redis' reply; corrupted payloads (with a recomputed
CRC, so they reach the loader) never crash the node; keyspace events and
the propagated stream match Redis'. A missing redis-server fails the
module.
"""
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import Node, assert_no_sanitizer_report, free_port
from resp import RespConn
from test_propagate import RedisAof, VigilStream, parse_stream

REDIS_SERVER = "/usr/bin/redis-server"


class RedisServer:
    def __init__(self):
        if not os.path.exists(REDIS_SERVER):
            pytest.fail("%s is missing: install Debian's redis-server" % REDIS_SERVER)
        self.dir = tempfile.mkdtemp(prefix="vigil-dump-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", self.dir, "--logfile", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.time() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def servers():
    ref = RedisServer()
    node = Node()
    try:
        yield redis.Redis(port=ref.port), redis.Redis(port=node.port), node
    finally:
        alive = node.alive()
        node.stop()
        ref.stop()
    assert_no_sanitizer_report([node])
    assert alive, "vigil-node died during the module"


@pytest.fixture
def pair(servers):
    ref, vig, node = servers
    for c in (ref, vig):
        c.flushall()
        c.config_set("rdbcompression", "yes")
        c.config_set("maxmemory-policy", "noeviction")
    return ref, vig


# ---- CRC-64 (Jones, reflected), as Redis' crc64.c computes it ---------------------------------

def _crc_table():
    poly, table = 0x95AC9329AC4BC9B5, []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc64(data):
    crc = 0
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def frame(body, version=10):
    """A payload: body (type byte + value), version, CRC-64, all little endian."""
    head = body + version.to_bytes(2, "little")
    return head + crc64(head).to_bytes(8, "little")


def test_crc64_check_value():
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA


# ---- data in every encoding -------------------------------------------------------------------

def populate(c):
    """Key -> expected OBJECT ENCODING."""
    c.set("str:int", 12345)
    c.set("str:neg", -7)
    c.set("str:bigint", 123456789012345)
    c.set("str:embstr", "hello")
    c.set("str:raw", "x-" + "".join(chr(97 + i % 26) for i in range(60)))
    c.set("str:lzf", "abc" * 500)
    c.set("str:bin", b"\x00\xff\x01binary")
    c.rpush("list:small", "a", "b", 1, 2, -3, 2 ** 40)
    c.rpush("list:big", *range(5000))
    c.rpush("list:plain", "y" * 9000, "z")
    c.hset("hash:lp", mapping={"f": "v", "n": 1, "neg": -99})
    c.hset("hash:ht", mapping={"f%d" % i: i for i in range(600)})
    c.hset("hash:longval", mapping={"f": "v" * 100})
    c.sadd("set:intset", 1, 2, 3, -5, 100000, 2 ** 40)
    c.sadd("set:ht", "a", "b", "c")
    c.sadd("set:bigint", *range(600))
    c.zadd("zset:lp", {"a": 1, "b": 2.5, "c": -3, "d": float("inf"), "e": float("-inf")})
    c.zadd("zset:sl", {"m%d" % i: i * 1.5 for i in range(200)})
    c.zadd("zset:longmember", {"m" * 100: 1})
    return {
        "str:int": "int", "str:neg": "int", "str:bigint": "int", "str:embstr": "embstr",
        "str:raw": "raw", "str:lzf": "raw", "str:bin": "embstr",
        "list:small": "quicklist", "list:big": "quicklist", "list:plain": "quicklist",
        "hash:lp": "listpack", "hash:ht": "hashtable", "hash:longval": "hashtable",
        "set:intset": "intset", "set:ht": "hashtable", "set:bigint": "hashtable",
        "zset:lp": "listpack", "zset:sl": "skiplist", "zset:longmember": "skiplist",
    }


def value(c, k):
    t = c.type(k).decode()
    if t == "string":
        v = c.get(k)
    elif t == "list":
        v = c.lrange(k, 0, -1)
    elif t == "hash":
        v = c.hgetall(k)
    elif t == "set":
        v = sorted(c.smembers(k))
    else:
        v = c.zrange(k, 0, -1, withscores=True)
    return t, c.object("encoding", k).decode(), v


def check_moves(src, dst):
    want = populate(src)
    for k, enc in want.items():
        payload = src.dump(k)
        assert dst.restore(k, 0, payload) == b"OK", k
        got = value(dst, k)
        assert got == value(src, k), k
        assert got[1] == enc, k


def test_redis_payloads_restore_on_vigil(pair):
    ref, vig = pair
    check_moves(ref, vig)


def test_vigil_payloads_restore_on_redis(pair):
    ref, vig = pair
    check_moves(vig, ref)


def test_vigil_payloads_pass_redis_deep_sanitization(pair):
    ref, vig = pair
    ref.config_set("sanitize-dump-payload", "yes")
    try:
        check_moves(vig, ref)
    finally:
        ref.config_set("sanitize-dump-payload", "no")


# Member order of a hashtable is each process' own hash order.
ORDER_DEPENDENT = {"hash:ht", "set:ht", "set:bigint"}


def test_payloads_byte_identical_without_compression(pair):
    ref, vig = pair
    for c in (ref, vig):
        c.config_set("rdbcompression", "no")
    keys = populate(ref)
    populate(vig)
    differ = sorted(k for k in keys if ref.dump(k) != vig.dump(k))
    # list:big spans two quicklist nodes: they split where Redis' split.
    assert set(differ) <= ORDER_DEPENDENT, differ


def test_payloads_with_compression(pair):
    """LZF output may differ (our compressor is not liblzf); the values are the same."""
    ref, vig = pair
    keys = populate(ref)
    populate(vig)
    differ = sorted(k for k in keys if ref.dump(k) != vig.dump(k))
    print("\npayloads that differ with rdbcompression yes:", differ)
    # Nothing short enough to stay uncompressed may differ.
    assert not set(differ) & {"str:int", "str:neg", "str:bigint", "str:embstr", "str:bin",
                              "list:small", "hash:lp", "set:intset", "zset:lp"}
    assert vig.dump("str:lzf") != vig.dump("str:raw")
    assert len(vig.dump("str:lzf")) < 100  # compressed: 1500 bytes of "abc"


def test_dump_missing_key_and_arity(pair):
    for c in pair:
        assert c.dump("nope") is None
    assert_same_replies(pair, [("DUMP",), ("DUMP", "a", "b"), ("RESTORE", "k", "0")])


def test_dump_of_a_key_with_ttl_carries_no_ttl(pair):
    ref, vig = pair
    for c in pair:
        c.set("k", "v", ex=100)
    assert ref.dump("k") == vig.dump("k") == frame(b"\x00\x01v")


# ---- errors, compared with Redis' replies ------------------------------------------------------

def reply(c, *args):
    try:
        return c.execute_command(*args)
    except redis.exceptions.ResponseError as e:
        return "ERR: %s" % e


def assert_same_replies(pair, cmds):
    ref, vig = pair
    diffs = []
    for cmd in cmds:
        want, got = reply(ref, *cmd), reply(vig, *cmd)
        if want != got:
            diffs.append((cmd[:3], want, got))
    assert diffs == []


GOOD = frame(b"\x00\x05hello")


def bad_payloads():
    """name -> payload; each is refused by Redis too."""
    empty_list = frame(bytes([18, 0]))  # quicklist with no nodes
    return {
        "empty": b"",
        "nine_bytes": GOOD[-9:],
        "footer_only": frame(b"")[-10:],
        "bad_crc": GOOD[:-1] + bytes([GOOD[-1] ^ 1]),
        "newer_version": frame(b"\x00\x05hello", version=11),
        "far_version": frame(b"\x00\x05hello", version=0x0100),
        "unknown_type": frame(b"\x08\x05hello"),
        "type_200": frame(b"\xc8\x05hello"),
        "empty_list": empty_list,
        "bad_len_encoding": frame(b"\x00\xc7abc"),
        "bad_intset": frame(b"\x0b\x03abc"),
        "bad_listpack": frame(b"\x10\x07\x07\x00\x00\x00\x00\x00\xff"),
    }


def test_restore_accepts_its_own_and_older_versions(pair):
    for c in pair:
        assert c.restore("a", 0, GOOD) == b"OK"
        assert c.restore("b", 0, frame(b"\x00\x05hello", version=9)) == b"OK"
        assert c.restore("c", 0, frame(b"\x00\x05hello", version=0)) == b"OK"
        assert c.get("a") == c.get("b") == c.get("c") == b"hello"


@pytest.mark.parametrize("name", sorted(bad_payloads()))
def test_bad_payload_refused_as_redis_does(pair, name):
    p = bad_payloads()[name]
    assert_same_replies(pair, [("RESTORE", "k", "0", p), ("EXISTS", "k"),
                               ("RESTORE", "k", "0", p, "REPLACE"), ("EXISTS", "k")])


def test_value_may_not_reach_into_the_footer(pair):
    """Redis reads a short value on into the footer's bytes and accepts
    "hel" + footer as "hel\\n\\x00"; we read only what comes before the
    footer and refuse it."""
    ref, vig = pair
    p = frame(b"\x00\x05hel")
    assert ref.restore("k", 0, p) == b"OK"
    assert ref.get("k") == b"hel\n\x00"
    with pytest.raises(redis.exceptions.ResponseError, match="^Bad data format$"):
        vig.restore("k", 0, p)
    assert vig.exists("k") == 0


def test_option_and_ttl_errors_match_redis(pair):
    for c in pair:
        c.set("exists", "old")
    cmds = [
        ("RESTORE", "exists", "0", GOOD),
        ("RESTORE", "exists", "-1", GOOD),  # BUSYKEY comes before the TTL check
        ("RESTORE", "exists", "0", b"junk"),
        ("RESTORE", "k", "-1", GOOD),
        ("RESTORE", "k", "abc", GOOD),
        ("RESTORE", "k", "1.5", GOOD),
        ("RESTORE", "k", "-1", b"junk"),  # the TTL before the payload
        ("RESTORE", "k", "abc", b"junk"),
        ("RESTORE", "k", "0", GOOD, "IDLETIME", "-1"),
        ("RESTORE", "k", "0", GOOD, "IDLETIME", "x"),
        ("RESTORE", "k", "0", GOOD, "IDLETIME"),
        ("RESTORE", "k", "0", GOOD, "FREQ", "256"),
        ("RESTORE", "k", "0", GOOD, "FREQ", "-1"),
        ("RESTORE", "k", "0", GOOD, "FREQ", "x"),
        ("RESTORE", "k", "0", GOOD, "FREQ"),
        ("RESTORE", "k", "0", GOOD, "IDLETIME", "1", "FREQ", "1"),
        ("RESTORE", "k", "0", GOOD, "FREQ", "1", "IDLETIME", "1"),
        ("RESTORE", "k", "0", GOOD, "NOPE"),
        ("RESTORE", "k", "0", GOOD, "REPLACE", "REPLACE", "ABSTTL", "absttl"),
        ("RESTORE", "exists", "0", GOOD, "FREQ", "300"),  # options before BUSYKEY
        ("RESTORE", "exists", "0", GOOD, "NOPE"),
        ("RESTORE", "exists", "-5", GOOD, "replace"),
        ("RESTORE", "exists", "0", b"junk", "replace"),
        ("GET", "exists"),
        ("RESTORE-ASKING", "exists", "0", GOOD),
        ("RESTORE-ASKING", "k2", "0", GOOD, "FREQ", "1"),
        ("GET", "k2"),
    ]
    assert_same_replies(pair, cmds)


def test_replace_and_past_ttls(pair):
    for c in pair:
        c.set("old", "1")
        c.set("old2", "1")
        c.set("old3", "1")
    cmds = [
        ("RESTORE", "old", "0", GOOD, "REPLACE"), ("GET", "old"), ("TTL", "old"),
        # An absolute time already past: nothing is created ...
        ("RESTORE", "new", "1", GOOD, "ABSTTL"), ("EXISTS", "new"),
        # ... and with REPLACE the old value is gone too.
        ("RESTORE", "old2", "1", GOOD, "ABSTTL", "REPLACE"), ("EXISTS", "old2"),
        # A relative TTL that overflows the clock is past as well.
        ("RESTORE", "huge", "9223372036854775807", GOOD), ("EXISTS", "huge"),
        ("RESTORE", "huge2", "9223372036854775807", GOOD, "ABSTTL"), ("EXISTS", "huge2"),
        ("RESTORE", "old3", "4102444800000", GOOD, "ABSTTL", "REPLACE"),
        ("PEXPIRETIME", "old3"), ("GET", "old3"),
    ]
    assert_same_replies(pair, cmds)
    for c in pair:
        assert c.restore("rel", 100000, GOOD) == b"OK"
        assert 95000 < c.pttl("rel") <= 100000


def test_idletime_and_freq(pair):
    for c in pair:
        assert c.restore("i", 0, GOOD, idletime=1000) == b"OK"
        assert 1000 <= c.object("idletime", "i") < 1010
        c.config_set("maxmemory-policy", "allkeys-lfu")
        assert c.restore("f", 0, GOOD, frequency=77) == b"OK"
        assert c.object("freq", "f") == 77
        # FREQ means nothing under an LRU policy, IDLETIME nothing under LFU.
        assert c.restore("f2", 0, GOOD, idletime=5000) == b"OK"
        assert c.object("freq", "f2") == 5
        c.config_set("maxmemory-policy", "allkeys-lru")
        assert c.restore("i2", 0, GOOD, frequency=9) == b"OK"
        assert c.object("idletime", "i2") < 10
        c.config_set("maxmemory-policy", "noeviction")


def test_keyspace_events_match_redis(pair):
    def events(c):
        port = c.connection_pool.connection_kwargs["port"]
        c.config_set("notify-keyspace-events", "KEA")
        s = RespConn(port)
        s.call("PSUBSCRIBE", "__keyevent@0__:*")
        c.set("old", "1")
        c.set("old2", "1")
        c.restore("k", 0, GOOD)
        c.restore("old", 0, GOOD, replace=True)
        c.restore("gone", 1, GOOD, absttl=True)
        c.restore("old2", 1, GOOD, absttl=True, replace=True)
        reply(c, "RESTORE", "k", 0, GOOD)
        c.publish("__keyevent@0__:end", "end")
        got = []
        while True:
            msg = s.read()
            ev = msg[2].split(":", 1)[1]
            if ev == "end":
                break
            got.append((ev, msg[3]))
        s.close()
        c.config_set("notify-keyspace-events", "")
        return got

    ref, vig = pair
    want = events(ref)
    assert want == [("set", "old"), ("set", "old2"), ("restore", "k"), ("restore", "old"),
                    ("del", "old2")]
    assert events(vig) == want


def test_watch_sees_restore(pair):
    for c in pair:
        c.set("w", "1")
        p = c.pipeline()
        p.watch("w")
        c.restore("w", 0, GOOD, replace=True)
        p.multi()
        p.set("w", "2")
        with pytest.raises(redis.exceptions.WatchError):
            p.execute()
        assert c.get("w") == b"hello"


def test_acl_needs_write_on_the_key(pair):
    for c in pair:
        c.acl_setuser("dr", enabled=True, nopass=True, commands=["+dump", "+restore"],
                      keys=["%R~r*", "%W~w*"])
    cmds = [("ACL", "DRYRUN", "dr", "DUMP", "r1"), ("ACL", "DRYRUN", "dr", "DUMP", "w1"),
            ("ACL", "DRYRUN", "dr", "RESTORE", "w1", "0", GOOD),
            ("ACL", "DRYRUN", "dr", "RESTORE", "r1", "0", GOOD),
            ("ACL", "CAT", "dangerous")]
    ref, vig = pair
    assert reply(ref, *cmds[0]) == reply(vig, *cmds[0]) == b"OK"
    assert_same_replies(pair, cmds[1:4])
    assert b"restore" in reply(vig, *cmds[4]) and b"dump" not in reply(vig, *cmds[4])
    for c in pair:
        c.acl_deluser("dr")


# ---- corrupted payloads never crash the node --------------------------------------------------

def mutate(rng, body):
    b = bytearray(body)
    kind = rng.randrange(4)
    if kind == 0 or len(b) < 2:
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif kind == 1:
        b[rng.randrange(len(b))] = rng.choice([0, 0xFF, 0x7F, 0x80, 0xC0, 0xC3, 0x40])
    elif kind == 2:
        del b[rng.randrange(1, len(b)):]
    else:
        i = rng.randrange(len(b))
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(b)


def test_corrupted_payloads_never_crash(pair, servers):
    ref, vig = pair
    node = servers[2]
    keys = populate(vig)
    bodies = [vig.dump(k)[:-10] for k in keys if k not in ("list:big", "set:bigint")]
    rng = random.Random(20260)
    accepted = refused = 0
    for i in range(2500):
        body = mutate(rng, rng.choice(bodies))
        payload = frame(body) if rng.random() < 0.9 else body + GOOD[-10:]
        try:
            assert vig.restore("fz", 0, payload, replace=True) == b"OK"
        except redis.exceptions.ResponseError as e:
            assert str(e) in ("Bad data format", "DUMP payload version or checksum are wrong")
            refused += 1
            continue
        accepted += 1
        # A value that loaded is a whole value: every read works and it dumps again.
        t = vig.type("fz").decode()
        assert t in ("string", "list", "hash", "set", "zset")
        value(vig, "fz")
        again = vig.dump("fz")
        assert vig.restore("fz2", 0, again, replace=True) == b"OK"
        assert value(vig, "fz2") == value(vig, "fz")
    print("\ncorrupted payloads: %d accepted, %d refused" % (accepted, refused))
    assert node.alive() and vig.ping()
    assert accepted > 50 and refused > 500, (accepted, refused)


# ---- propagation, compared with Redis' AOF ----------------------------------------------------

def normalise_restore(cmds, t0_ms):
    out = []
    for args in cmds:
        args = [a for a in args]
        if args[0].upper() in (b"RESTORE", b"RESTORE-ASKING") and b"ABSTTL" in [a.upper() for a in args[4:]]:
            ms = int(args[2])
            if abs(ms - t0_ms) < 86400 * 1000:
                args[2] = b"REL%d" % round((ms - t0_ms) / 1000)
        out.append(tuple(args))
    return out


def test_propagation_matches_redis():
    def scenario(c):
        c.set("old", "1")
        c.set("old2", "1")
        c.restore("k", 0, GOOD)
        c.restore("rel", 100000, GOOD)
        c.restore("abs", 4102444800000, GOOD, absttl=True)
        c.restore("old", 0, GOOD, replace=True, idletime=5)
        c.restore("gone", 1, GOOD, absttl=True)
        c.restore("old2", 1, GOOD, absttl=True, replace=True)
        reply(c, "RESTORE", "k", 0, GOOD)
        c.execute_command("RESTORE-ASKING", "ra", 50000, GOOD, "FREQ", 3)
        c.dump("k")

    streams = []
    for srv in (RedisAof(), VigilStream()):
        try:
            t0 = time.time() * 1000
            scenario(redis.Redis(port=srv.port))
            time.sleep(0.05)
            streams.append(normalise_restore(parse_stream(srv.stream()), t0))
        finally:
            srv.stop()
    want, got = streams
    assert (b"RESTORE", b"rel", b"REL100", GOOD, b"ABSTTL") in want
    assert (b"DEL", b"old2") in want
    assert got == want
