"""Transactions: MULTI EXEC DISCARD WATCH UNWATCH, EXECABORT, WATCH races."""
import threading
import time

import pytest
import redis

from resp import RespConn, RespError


def test_exec_runs_queued_commands_in_order(r):
    p = r.pipeline(transaction=True)
    p.set("a", "1").incr("a").get("a").echo("x")
    assert p.execute() == [True, 2, "2", "x"]


def test_queued_replies_and_raw_exec(node):
    c = RespConn(node.port)
    assert c.call("MULTI") == "OK"
    assert c.call("SET", "k", "v") == "QUEUED"
    assert c.call("GET", "k") == "QUEUED"
    assert c.call("EXEC") == ["OK", "v"]
    c.close()


def test_errors_without_multi(node):
    c = RespConn(node.port)
    assert str(c.call("EXEC")) == "ERR EXEC without MULTI"
    assert str(c.call("DISCARD")) == "ERR DISCARD without MULTI"
    assert c.call("MULTI") == "OK"
    assert str(c.call("MULTI")) == "ERR MULTI calls can not be nested"
    assert str(c.call("WATCH", "x")) == "ERR WATCH inside MULTI is not allowed"
    assert c.call("DISCARD") == "OK"
    c.close()


def test_execabort_after_queuing_error(node):
    c = RespConn(node.port)
    c.call("MULTI")
    assert c.call("SET", "a", "1") == "QUEUED"
    err = c.call("NOSUCHCOMMAND")
    assert isinstance(err, RespError)
    err = c.call("GET")
    assert str(err) == "ERR wrong number of arguments for 'get' command"
    assert str(c.call("EXEC")) == "EXECABORT Transaction discarded because of previous errors."
    assert c.call("GET", "a") is None
    c.close()


def test_runtime_error_does_not_abort_others(r):
    r.set("s", "text")
    p = r.pipeline(transaction=True)
    p.incr("s").set("t", "1")
    res = p.execute(raise_on_error=False)
    assert isinstance(res[0], redis.exceptions.ResponseError)
    assert res[1] is True
    assert r.get("t") == "1"


def test_discard_drops_queue(node):
    c = RespConn(node.port)
    c.call("MULTI")
    c.call("SET", "d", "1")
    assert c.call("DISCARD") == "OK"
    assert c.call("GET", "d") is None
    c.close()


def test_watch_broken_by_other_client_write(node, r):
    r.set("w", "1")
    c = RespConn(node.port)
    assert c.call("WATCH", "w") == "OK"
    r.set("w", "2")
    c.call("MULTI")
    c.call("SET", "w", "3")
    assert c.call("EXEC") is None
    assert r.get("w") == "2"
    c.close()


def test_watch_not_broken_when_untouched(node, r):
    r.set("w", "1")
    c = RespConn(node.port)
    c.call("WATCH", "w")
    r.set("other", "x")
    c.call("MULTI")
    c.call("SET", "w", "3")
    assert c.call("EXEC") == ["OK"]
    c.close()


def test_unwatch_forgets(node, r):
    c = RespConn(node.port)
    c.call("WATCH", "w")
    assert c.call("UNWATCH") == "OK"
    r.set("w", "x")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == ["PONG"]
    c.close()


def test_watch_broken_by_expiry(node, r):
    r.set("e", "1", px=100)
    c = RespConn(node.port)
    c.call("WATCH", "e")
    time.sleep(0.25)
    c.call("MULTI")
    c.call("SET", "x", "1")
    assert c.call("EXEC") is None
    c.close()


@pytest.mark.parametrize("breaker", [["FLUSHDB"], ["FLUSHALL"], ["SWAPDB", "0", "1"]])
def test_watch_broken_by_flush_and_swapdb(node, r, breaker):
    r.set("f", "1")
    c = RespConn(node.port)
    c.call("WATCH", "f")
    r.execute_command(*breaker)
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") is None
    c.close()


def test_watch_in_other_db_not_confused(node, r):
    c = RespConn(node.port)
    c.call("SELECT", "3")
    c.call("WATCH", "k")
    r.set("k", "db0")  # db 0: a different key
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == ["PONG"]
    c.close()


def test_optimistic_lock_counter_race(node):
    """Many clients increment through WATCH/MULTI; no update is lost."""
    n_threads, per_thread = 4, 50

    def worker():
        c = node.client()
        done = 0
        while done < per_thread:
            with c.pipeline() as p:
                try:
                    p.watch("ctr")
                    v = int(p.get("ctr") or 0)
                    p.multi()
                    p.set("ctr", v + 1)
                    p.execute()
                    done += 1
                except redis.WatchError:
                    continue

    ts = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert int(node.client().get("ctr")) == n_threads * per_thread


def test_exec_inside_multi_after_disconnect_cleans_up(node, r):
    c = RespConn(node.port)
    c.call("WATCH", "z")
    c.call("MULTI")
    c.call("SET", "z", "1")
    c.close()
    time.sleep(0.1)
    r.set("z", "2")  # touching a key watched by a gone client must be harmless
    assert r.get("z") == "2"
