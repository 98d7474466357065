"""test_persist_config.py -- the `save` parameter as Redis 7.0.15 has it.

Owns: the vigil-nodes and the one redis-server each test starts (free
loopback ports, own temporary directories, killed by pid). The default is
Redis' "3600 1 300 100 60 10000", CONFIG GET prints the parsed points the
way Redis prints them, bad values are refused with Redis' text, and the
nodes conftest starts get `save ""` unless a test asks for points.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import free_port, node_binary

REDIS_SERVER = "/usr/bin/redis-server"
DEFAULT = "3600 1 300 100 60 10000"


def start(cmd, d):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=d)
    port = int(cmd[cmd.index("--port") + 1])
    deadline = time.time() + 10
    while True:
        try:
            c = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
            c.ping()
            return proc, c
        except redis.ConnectionError:
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail("%s did not start" % cmd[0])
            time.sleep(0.05)


@pytest.fixture
def both():
    """A vigil-node and a redis-server started with no `save` argument."""
    if not os.path.exists(REDIS_SERVER):
        pytest.fail("%s is missing: install Debian's redis-server" % REDIS_SERVER)
    dirs = [tempfile.mkdtemp(prefix="vigil-save-") for _ in range(2)]
    procs, clients = [], []
    for binary, d in ((node_binary(), dirs[0]), (REDIS_SERVER, dirs[1])):
        cmd = [binary, "--port", str(free_port()), "--bind", "127.0.0.1", "--dir", d]
        if binary == REDIS_SERVER:
            cmd += ["--daemonize", "no", "--appendonly", "no"]
        p, c = start(cmd, d)
        procs.append(p)
        clients.append(c)
    yield clients
    for p in procs:
        p.send_signal(signal.SIGKILL)
        p.wait()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


def test_default_is_redis_default(both):
    for c in both:
        assert c.config_get("save") == {"save": DEFAULT}


@pytest.mark.parametrize("value,shown", [
    ("900 1", "900 1"),
    ("900 1 300 10 60 10000", "900 1 300 10 60 10000"),
    ("+5 -0", "5 0"),
    ("", ""),
])
def test_config_set_save_prints_like_redis(both, value, shown):
    for c in both:
        assert c.config_set("save", value)
        assert c.config_get("save") == {"save": shown}
        assert "save" in c.config_get("*")


@pytest.mark.parametrize("value", ["0 1", "1", "a b", "10 -1", "1 2 3"])
def test_bad_save_is_refused_like_redis(both, value):
    for c in both:
        c.config_set("save", "900 1")
        with pytest.raises(redis.ResponseError) as e:
            c.config_set("save", value)
        assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'save') - "
                                "Invalid save parameters")
        assert c.config_get("save") == {"save": "900 1"}


def test_test_nodes_do_not_snapshot(node):
    c = node.client()
    assert c.config_get("save") == {"save": ""}


@pytest.mark.node_args("--save", "60 5")
def test_test_nodes_take_points_when_asked(node):
    assert node.client().config_get("save") == {"save": "60 5"}


def test_repeated_file_lines_add_points(make_node):
    n = make_node(config_text="[persistence]\nsave = 900 1\nsave = 300 10\n")
    assert n.client().config_get("save") == {"save": "900 1 300 10"}


def test_flushall_with_save_points_saves_the_empty_dataset(both):
    """As Redis: with save points, FLUSHALL writes the empty dump at once, so
    a restart cannot bring the flushed keys back."""
    seen = []
    for c in both:
        c.set("k", "v")
        c.save()
        c.set("k2", "v")
        before = c.info("persistence")["rdb_saves"]
        c.flushall()
        info = c.info("persistence")
        seen.append((info["rdb_changes_since_last_save"], info["rdb_saves"] - before,
                     info["rdb_last_bgsave_status"]))
        c.config_set("save", "")
        c.set("k3", "v")
        c.flushall()
        info = c.info("persistence")
        seen.append((info["rdb_changes_since_last_save"] > 0, info["rdb_saves"] - before))
    assert seen[0] == seen[2] and seen[1] == seen[3]
    assert seen[0][0] == 0 and seen[1][0] is True
