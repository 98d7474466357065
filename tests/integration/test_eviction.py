"""maxmemory and every maxmemory-policy: eviction happens, -OOM under noeviction."""
import pytest
import redis


def info_stat(r, field):
    return int(r.info("stats")[field])


def fill(r, n, prefix="k", ttl=None, size=200):
    p = r.pipeline(transaction=False)
    for i in range(n):
        if ttl:
            p.set("%s%d" % (prefix, i), "v" * size, ex=ttl)
        else:
            p.set("%s%d" % (prefix, i), "v" * size)
        if i % 1000 == 999:
            p.execute()
    p.execute()


def used(r):
    return int(r.info("memory")["used_memory"])


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu", "allkeys-random"])
def test_allkeys_policies_keep_memory_bounded(node, r, policy):
    base = used(r)
    limit = base + 2 * 1024 * 1024
    r.config_set("maxmemory-policy", policy)
    r.config_set("maxmemory", str(limit))
    fill(r, 30000)
    assert used(r) <= limit + 64 * 1024
    assert info_stat(r, "evicted_keys") > 0
    assert 0 < r.dbsize() < 30000


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"])
def test_volatile_policies_evict_only_keys_with_ttl(node, r, policy):
    r.config_set("maxmemory-policy", policy)
    fill(r, 2000, prefix="keep")
    base = used(r)
    r.config_set("maxmemory", str(base + 1024 * 1024))
    fill(r, 30000, prefix="tmp", ttl=3600)
    assert info_stat(r, "evicted_keys") > 0
    # persistent keys are never chosen
    assert all(r.exists("keep%d" % i) for i in range(0, 2000, 97))


def test_noeviction_returns_oom(node, r):
    base = used(r)
    r.config_set("maxmemory-policy", "noeviction")
    r.config_set("maxmemory", str(base + 512 * 1024))
    with pytest.raises(redis.exceptions.ResponseError) as e:
        fill(r, 20000)
    assert str(e.value).endswith("OOM command not allowed when used memory > 'maxmemory'.")
    assert r.get("k0") is not None  # reads still work
    assert r.delete("k0") == 1  # so do deletes


def test_volatile_without_ttl_keys_is_oom(node, r):
    base = used(r)
    r.config_set("maxmemory-policy", "volatile-lru")
    r.config_set("maxmemory", str(base + 512 * 1024))
    with pytest.raises(redis.exceptions.ResponseError, match="OOM"):
        fill(r, 20000)


def test_lru_keeps_recently_used_keys(node, r):
    """Keys read after the cold ones were written outlive them under allkeys-lru."""
    import time
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.config_set("maxmemory-samples", "10")
    fill(r, 500, prefix="hot")
    r.config_set("maxmemory", str(used(r) + 3 * 1024 * 1024))
    fill(r, 6000, prefix="coldA")  # about 2 MB, still under the limit
    assert info_stat(r, "evicted_keys") == 0
    time.sleep(1.2)  # the LRU clock ticks in seconds, as Redis'
    p = r.pipeline(transaction=False)
    for i in range(500):
        p.get("hot%d" % i)
    p.execute()
    fill(r, 6000, prefix="coldB")  # forces about 1 MB of evictions
    assert info_stat(r, "evicted_keys") > 0
    hot_alive = sum(1 for i in range(500) if r.exists("hot%d" % i))
    assert hot_alive >= 475
    assert sum(1 for i in range(0, 6000, 10) if r.exists("coldA%d" % i)) < 600


def test_object_freq_under_lfu(r):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.set("f", "1")
    for _ in range(200):
        r.get("f")
    assert int(r.object("freq", "f")) > 5
