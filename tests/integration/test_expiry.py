"""test_expiry.py -- TTLs observed over time through a real client.

EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL EXPIRETIME
PEXPIRETIME PERSIST; lazy expiry (a dead key vanishes when accessed) and the
active cycle (dead keys nobody reads are reclaimed). Waits poll for a state
with a generous deadline; nothing asserts on speed.
Expected replies and error texts are Redis 7.0.15's.
"""
import time

import pytest
import redis


def err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def wait_until(pred, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def info_field(r, name):
    info = r.info()
    assert name in info, "INFO must report %s" % name
    return info[name]


# ---- lazy expiry ---------------------------------------------------------------------------

def test_px_key_vanishes_on_access(r):
    r.set("k", "v", px=100)
    assert r.get("k") == "v"
    time.sleep(0.15)
    assert r.get("k") is None
    assert r.exists("k") == 0
    assert r.ttl("k") == -2


# What each read answers for a missing key (Redis 7.0.15).
@pytest.mark.parametrize("probe,absent", [("GET", None), ("EXISTS", 0), ("TYPE", "none"),
                                          ("TTL", -2), ("PTTL", -2), ("STRLEN", 0)])
def test_every_read_hides_expired(r, probe, absent):
    r.set("k", "v", px=50)
    time.sleep(0.1)
    assert r.execute_command(probe, "k") == absent


def test_expired_key_can_be_recreated(r):
    r.set("k", "old", px=30)
    time.sleep(0.06)
    assert r.set("k", "new", nx=True) is True
    assert r.get("k") == "new"
    assert r.ttl("k") == -1


def test_lazy_expiry_counts_in_info(r):
    before = info_field(r, "expired_keys")
    for i in range(5):
        r.set("k%d" % i, "v", px=20)
    time.sleep(0.05)
    for i in range(5):
        r.get("k%d" % i)
    assert info_field(r, "expired_keys") >= before + 5


# ---- active expiry ---------------------------------------------------------------------------

def test_active_cycle_reclaims_untouched_keys(r):
    pipe = r.pipeline(transaction=False)
    for i in range(10000):
        pipe.set("short:%d" % i, "v", px=300)
    for i in range(100):
        pipe.set("keep:%d" % i, "v")
    pipe.execute()
    assert r.dbsize() == 10100
    # Nothing reads the keys: only the active cycle can bring DBSIZE down.
    assert wait_until(lambda: r.dbsize() == 100, timeout=20), \
        "DBSIZE stuck at %d" % r.dbsize()
    assert all(r.exists("keep:%d" % i) for i in range(0, 100, 10))
    assert info_field(r, "expired_keys") >= 10000


def test_active_cycle_in_other_dbs(node):
    c = node.client(db=9)
    pipe = c.pipeline(transaction=False)
    for i in range(2000):
        pipe.set("k%d" % i, "v", px=200)
    pipe.execute()
    assert wait_until(lambda: c.dbsize() == 0, timeout=20)


def test_active_cycle_leaves_live_volatile_keys(r):
    pipe = r.pipeline(transaction=False)
    for i in range(1000):
        pipe.set("dead:%d" % i, "v", px=100)
        pipe.set("live:%d" % i, "v", ex=1000)
    pipe.execute()
    assert wait_until(lambda: r.dbsize() == 1000, timeout=20)
    assert set(r.keys("*")) == {"live:%d" % i for i in range(1000)}


# ---- TTL PTTL EXPIRETIME PEXPIRETIME -------------------------------------------------------------

def test_ttl_minus_two_and_minus_one(r):
    assert r.ttl("nokey") == -2
    assert r.pttl("nokey") == -2
    assert r.expiretime("nokey") == -2
    assert r.execute_command("PEXPIRETIME", "nokey") == -2
    r.set("k", "v")
    assert r.ttl("k") == -1
    assert r.pttl("k") == -1
    assert r.expiretime("k") == -1
    assert r.execute_command("PEXPIRETIME", "k") == -1


def test_ttl_values(r):
    r.set("k", "v")
    assert r.expire("k", 100) is True
    assert r.ttl("k") == 100
    assert 99000 < r.pttl("k") <= 100000
    assert r.pexpire("k", 1500) is True
    assert r.ttl("k") in (1, 2)  # rounded to the nearest second
    at = int(time.time()) + 1000
    assert r.expireat("k", at) is True
    assert r.expiretime("k") == at
    assert r.execute_command("PEXPIRETIME", "k") == at * 1000
    r.execute_command("PEXPIREAT", "k", at * 1000 + 400)
    assert r.expiretime("k") == at  # rounded
    assert r.execute_command("PEXPIRETIME", "k") == at * 1000 + 400


def test_set_without_keepttl_clears_ttl(r):
    r.set("k", "v", ex=100)
    r.set("k", "w")
    assert r.ttl("k") == -1
    r.set("k", "v", ex=100)
    r.set("k", "x", keepttl=True)
    assert 0 < r.ttl("k") <= 100
    assert r.get("k") == "x"


def test_persist(r):
    r.set("k", "v", ex=100)
    assert r.persist("k") is True
    assert r.ttl("k") == -1
    assert r.persist("k") is False
    assert r.persist("nokey") is False
    r.set("k", "v", px=100)
    r.persist("k")
    time.sleep(0.15)
    assert r.get("k") == "v"


# ---- EXPIRE family ----------------------------------------------------------------------------

def test_expire_missing_key(r):
    for cmd in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
        assert r.execute_command(cmd, "nokey", "100") == 0
    assert r.exists("nokey") == 0


@pytest.mark.parametrize("cmd,arg", [
    ("EXPIRE", "-1"), ("PEXPIRE", "-100"), ("EXPIREAT", "1"), ("PEXPIREAT", "1000"),
    ("EXPIRE", "0"), ("PEXPIREAT", "-9223372036854775808"),
])
def test_past_time_deletes(r, cmd, arg):
    r.set("k", "v")
    assert r.execute_command(cmd, "k", arg) == 1
    assert r.exists("k") == 0
    assert r.dbsize() == 0


def test_past_time_deletes_with_lazyfree_expire(make_node):
    n = make_node(["--lazyfree-lazy-expire", "yes"])
    c = n.client()
    c.set("k", "x" * 10000)
    assert c.expire("k", -1) is True
    assert c.exists("k") == 0


def test_expire_options(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", "100", "XX") == 0  # no TTL yet
    assert r.execute_command("EXPIRE", "k", "100", "GT") == 0  # none counts as infinite
    assert r.execute_command("EXPIRE", "k", "100", "NX") == 1
    assert r.execute_command("EXPIRE", "k", "200", "NX") == 0
    assert r.ttl("k") == 100
    # Absolute times so that "equal" does not depend on the clock moving.
    at = int(time.time() * 1000) + 100000
    assert r.execute_command("PEXPIREAT", "k", at) == 1
    assert r.execute_command("PEXPIREAT", "k", at - 1, "GT") == 0
    assert r.execute_command("PEXPIREAT", "k", at, "GT") == 0  # equal is not greater
    assert r.execute_command("PEXPIREAT", "k", at + 1000, "GT") == 1
    assert r.execute_command("PEXPIREAT", "k", at + 2000, "LT") == 0
    assert r.execute_command("PEXPIREAT", "k", at + 1000, "LT") == 0  # equal is not less
    assert r.execute_command("PEXPIREAT", "k", at + 500, "lt") == 1
    assert r.execute_command("PEXPIRETIME", "k") == at + 500
    assert r.execute_command("PEXPIREAT", "k", at + 600, "XX", "GT") == 1
    assert r.execute_command("PEXPIRETIME", "k") == at + 600
    assert r.execute_command("EXPIRE", "k", "100", "xx") == 1
    assert r.ttl("k") == 100
    r.persist("k")
    assert r.execute_command("EXPIRE", "k", "100", "LT") == 1  # infinite is greater
    assert r.execute_command("EXPIRE", "k", "100", "NX", "NX") == 0  # repeats allowed


def test_expire_options_with_past_time(r):
    r.set("k", "v", ex=100)
    assert r.execute_command("EXPIRE", "k", "-1", "GT") == 0
    assert r.exists("k") == 1
    assert r.execute_command("EXPIRE", "k", "-1", "LT") == 1
    assert r.exists("k") == 0


@pytest.mark.parametrize("opts,msg", [
    (["NX", "XX"], "NX and XX, GT or LT options at the same time are not compatible"),
    (["NX", "GT"], "NX and XX, GT or LT options at the same time are not compatible"),
    (["lt", "nx"], "NX and XX, GT or LT options at the same time are not compatible"),
    (["GT", "LT"], "GT and LT options at the same time are not compatible"),
    (["XX", "GT", "LT"], "GT and LT options at the same time are not compatible"),
    (["foo"], "Unsupported option foo"),
    (["NX", "bar"], "Unsupported option bar"),
])
@pytest.mark.parametrize("cmd", ["EXPIRE", "PEXPIREAT"])
def test_expire_option_errors(r, cmd, opts, msg):
    r.set("k", "v")
    assert err(r, cmd, "k", "100", *opts) == msg
    assert r.ttl("k") == -1


def test_options_checked_before_number(r):
    assert err(r, "EXPIRE", "k", "abc", "foo") == "Unsupported option foo"
    assert err(r, "EXPIRE", "k", "abc") == "value is not an integer or out of range"
    assert err(r, "EXPIRE", "k", "1.5") == "value is not an integer or out of range"


@pytest.mark.parametrize("cmd,arg", [
    ("expire", "9223372036854775807"), ("expire", "-9223372036854775808"),
    ("expire", "9223372036854775"), ("pexpire", "9223372036854775807"),
    ("expireat", "9223372036854776"), ("expireat", "-9223372036854776"),
])
def test_expire_overflow(r, cmd, arg):
    r.set("k", "v")
    assert err(r, cmd.upper(), "k", arg) == "invalid expire time in '%s' command" % cmd
    assert r.get("k") == "v"


def test_expire_far_future_ok(r):
    r.set("k", "v")
    assert r.execute_command("EXPIREAT", "k", "9223372036854775") == 1
    assert r.execute_command("PEXPIREAT", "k", "9223372036854775807") == 1
    assert r.execute_command("PEXPIRETIME", "k") == 9223372036854775807
    assert r.exists("k") == 1


def test_expire_on_overwritten_value_types(r):
    r.set("k", "12345")
    r.expire("k", 100)
    r.incr("k")
    assert 0 < r.ttl("k") <= 100  # in-place changes keep the TTL
    r.append("k", "x" * 50)
    assert 0 < r.ttl("k") <= 100


def test_getex_and_setex_interplay(r):
    r.setex("k", 100, "v")
    assert r.ttl("k") == 100
    r.psetex("p", 100000, "v")
    assert 99000 < r.pttl("p") <= 100000


# ---- extremes: INT64 bounds, products and sums that overflow -------------------------------
# Replies are redis-server 7.0.15's for the same arguments. A far-future
# margin of a day keeps "overflows when added to now" true whatever the
# clock of the node reads while the test runs.

INT64_MAX = 9223372036854775807
INT64_MIN = -9223372036854775808
DAY_MS = 86400 * 1000


def now_ms():
    return int(time.time() * 1000)


@pytest.mark.parametrize("setter", [
    ("PEXPIREAT", "k", str(INT64_MAX)),
    ("SET", "k", "v", "PXAT", str(INT64_MAX)),
    ("GETEX", "k", "PXAT", str(INT64_MAX)),
])
def test_ttl_replies_at_the_largest_expire(r, setter):
    # Rounding INT64_MAX ms to seconds overflowed and aborted a sanitized node.
    r.set("k", "v")
    r.execute_command(*setter)
    assert r.execute_command("PEXPIRETIME", "k") == INT64_MAX
    assert r.execute_command("EXPIRETIME", "k") == 9223372036854776
    left = INT64_MAX - now_ms()
    assert abs(left - r.pttl("k")) < DAY_MS
    assert abs(left // 1000 - r.ttl("k")) < DAY_MS // 1000
    assert r.get("k") == "v"


@pytest.mark.parametrize("at,secs", [
    (9223372036854775499, 9223372036854775), (9223372036854775500, 9223372036854776),
    (4102444800499, 4102444800), (4102444800500, 4102444801),
])
def test_expiretime_rounds_half_up(r, at, secs):
    r.set("k", "v")
    assert r.execute_command("PEXPIREAT", "k", at) == 1
    assert r.execute_command("EXPIRETIME", "k") == secs


def overflowing_args():
    """Arguments whose unit product or sum with now leaves int64, per command."""
    ms_past_max = str(INT64_MAX - now_ms() + DAY_MS)
    s_past_max = str(INT64_MAX // 1000 - now_ms() // 1000 + DAY_MS // 1000)
    cases = []
    for cmd, name in (("SET", "set"), ("GETEX", "getex")):
        pre = ("SET", "k", "v") if cmd == "SET" else ("GETEX", "k")
        for opt, value in (("EX", str(INT64_MAX)), ("EX", "9223372036854776"), ("EX", s_past_max),
                           ("PX", ms_past_max), ("PX", str(INT64_MAX)), ("EXAT", "9223372036854776"),
                           ("EX", str(INT64_MIN)), ("PX", str(INT64_MIN)), ("EXAT", str(INT64_MIN)),
                           ("PXAT", str(INT64_MIN)), ("PXAT", "0")):
            cases.append((pre + (opt, value), name))
    cases += [(("SETEX", "k", s_past_max, "v"), "setex"),
              (("SETEX", "k", str(INT64_MIN), "v"), "setex"),
              (("PSETEX", "k", ms_past_max, "v"), "psetex"),
              (("PSETEX", "k", str(INT64_MIN), "v"), "psetex"),
              (("EXPIRE", "k", s_past_max), "expire"),
              (("EXPIRE", "k", "-9223372036854776"), "expire"),
              (("PEXPIRE", "k", ms_past_max), "pexpire"),
              (("PEXPIRE", "k", ms_past_max, "GT"), "pexpire"),
              (("EXPIREAT", "k", str(INT64_MIN)), "expireat"),
              (("EXPIREAT", "k", str(INT64_MIN), "NX"), "expireat")]
    return cases


def test_expire_arithmetic_overflow_is_refused(r):
    for args, name in overflowing_args():
        r.set("k", "v", px=DAY_MS)
        assert err(r, *args) == "invalid expire time in '%s' command" % name, args
        assert r.get("k") == "v", args
        assert 0 < r.pttl("k") <= DAY_MS, args  # the old TTL stands


@pytest.mark.parametrize("args", [
    ("PEXPIRE", "k", str(INT64_MIN)), ("PEXPIREAT", "k", str(INT64_MIN)),
    ("PEXPIRE", "k", str(INT64_MIN), "LT"), ("EXPIRE", "k", "-9223372036854775"),
    ("EXPIREAT", "k", "-9223372036854775"),
])
def test_most_negative_expire_deletes(r, args):
    r.set("k", "v")
    assert r.execute_command(*args) == 1
    assert r.exists("k") == 0


def test_largest_fitting_expires_are_kept(r):
    ms_left = INT64_MAX - now_ms() - DAY_MS
    for args in (("PEXPIRE", "k", ms_left), ("SET", "k", "v", "PX", ms_left),
                 ("GETEX", "k", "PX", ms_left), ("PSETEX", "k", ms_left, "v")):
        r.set("k", "v")
        r.execute_command(*args)
        assert INT64_MAX - 2 * DAY_MS < r.execute_command("PEXPIRETIME", "k") < INT64_MAX, args
        assert r.ttl("k") > (ms_left - DAY_MS) // 1000, args
    r.set("k", "v")
    assert r.execute_command("EXPIREAT", "k", INT64_MAX // 1000) == 1
    assert r.execute_command("EXPIRETIME", "k") == INT64_MAX // 1000
    assert r.execute_command("PEXPIRETIME", "k") == INT64_MAX // 1000 * 1000
