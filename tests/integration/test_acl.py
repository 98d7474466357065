"""ACL: users, rules, selectors, AUTH/HELLO, NOPERM errors, ACL LOG, aclfile."""
import os
import re

import pytest
import redis

from resp import RespConn, RespError


def user_client(node, user, password, **kw):
    return node.client(username=user, password=password, **kw)


def test_default_user_listed(r):
    assert r.execute_command("ACL", "LIST") == ["user default on nopass ~* &* +@all"]
    assert r.execute_command("ACL", "WHOAMI") == "default"
    assert r.execute_command("ACL", "USERS") == ["default"]


def test_setuser_getuser_describes_rules_like_redis(r):
    assert r.execute_command("ACL", "SETUSER", "alice", "on", ">pw", "~cache:*", "%R~ro:*",
                             "&chan*", "+get", "+@hash", "-hdel", "+config|get") == "OK"
    info = r.execute_command("ACL", "GETUSER", "alice")
    d = dict(zip(info[::2], info[1::2]))
    assert d["flags"] == ["on"]
    assert d["passwords"] == ["30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"]
    # Rebuilt from the bitmap as Redis does; single commands in name order
    # (Redis prints them in its hash table's order).
    assert d["commands"] == "-@all +@hash +config|get +get -hdel"
    assert d["keys"] == "~cache:* %R~ro:*"
    assert d["channels"] == "&chan*"
    assert d["selectors"] == []
    assert "user alice on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 " \
           "~cache:* %R~ro:* resetchannels &chan* -@all +@hash +config|get +get -hdel" \
           in r.execute_command("ACL", "LIST")
    assert r.execute_command("ACL", "GETUSER", "nobody") is None


def test_command_rules_allow_and_deny(node, r):
    r.execute_command("ACL", "SETUSER", "alice", "on", ">pw", "~*", "+get", "+config|get")
    a = user_client(node, "alice", "pw")
    assert a.get("x") is None
    assert a.config_get("port")["port"] == str(node.port)
    with pytest.raises(redis.exceptions.NoPermissionError) as e:
        a.set("x", "1")
    assert str(e.value) == "this user has no permissions to run the 'set' command"
    with pytest.raises(redis.exceptions.NoPermissionError) as e:
        a.config_set("port", "1")
    assert "'config|set' command" in str(e.value)


def test_category_rules(node, r):
    r.execute_command("ACL", "SETUSER", "reader", "on", ">pw", "~*", "+@read", "-@dangerous")
    c = user_client(node, "reader", "pw")
    r.set("k", "v")
    assert c.get("k") == "v"
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.set("k", "w")
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.execute_command("KEYS", "*")  # @read but also @dangerous


def test_key_patterns_read_write(node, r):
    r.execute_command("ACL", "SETUSER", "kp", "on", ">pw", "+@all", "~cache:*", "%R~ro:*", "%W~wo:*")
    c = user_client(node, "kp", "pw")
    assert c.set("cache:1", "x")
    assert c.get("cache:1") == "x"
    r.set("ro:1", "y")
    assert c.get("ro:1") == "y"
    with pytest.raises(redis.exceptions.NoPermissionError) as e:
        c.set("ro:1", "z")
    assert "keys used as arguments" in str(e.value)
    assert c.set("wo:1", "z")
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.get("wo:1")
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.get("other")
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.mset({"cache:2": "a", "other": "b"})


def test_resetkeys_and_allkeys(node, r):
    r.execute_command("ACL", "SETUSER", "k2", "on", ">pw", "+@all", "allkeys")
    c = user_client(node, "k2", "pw")
    assert c.set("anything", "1")
    r.execute_command("ACL", "SETUSER", "k2", "resetkeys", "~only:*")
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.get("anything")
    assert c.get("only:1") is None


def test_channel_patterns(node, r):
    r.execute_command("ACL", "SETUSER", "pub", "on", ">pw", "+@all", "~*", "&news.*")
    c = user_client(node, "pub", "pw")
    assert c.publish("news.sport", "hi") == 0
    with pytest.raises(redis.exceptions.NoPermissionError) as e:
        c.publish("secret", "x")
    assert "channels used as arguments" in str(e.value)
    raw = RespConn(node.port)
    assert raw.call("AUTH", "pub", "pw") == "OK"
    reply = raw.call("PSUBSCRIBE", "secret*")
    assert isinstance(reply, RespError) and "channels" in str(reply)
    assert raw.call("PSUBSCRIBE", "news.*") == ["psubscribe", "news.*", 1]
    raw.close()


def test_subcommand_rules(node, r):
    r.execute_command("ACL", "SETUSER", "sub", "on", ">pw", "-@all", "+client|id", "+client|getname")
    c = user_client(node, "sub", "pw")
    assert isinstance(c.client_id(), int)
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.client_list()


def test_selectors(node, r):
    r.execute_command("ACL", "SETUSER", "bob", "on", ">x", "(~k* +get)", "(%R~r* +@read)")
    listed = [l for l in r.execute_command("ACL", "LIST") if l.startswith("user bob")][0]
    assert listed.endswith("resetchannels -@all (~k* resetchannels -@all +get) (%R~r* resetchannels -@all +@read)")
    c = user_client(node, "bob", "x")
    assert c.get("k1") is None
    assert c.get("r1") is None
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.get("z1")
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.set("k1", "v")
    assert r.execute_command("ACL", "DRYRUN", "bob", "get", "zz") == \
        "This user has no permissions to access the 'zz' key"
    assert r.execute_command("ACL", "DRYRUN", "bob", "get", "k9") == "OK"


def test_setuser_errors(r):
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("ACL", "SETUSER", "x", "+foo")
    assert str(e.value) == "Error in ACL SETUSER modifier '+foo': Unknown command or category name in ACL"
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("ACL", "SETUSER", "x", "+@nosuch")
    assert "Unknown command or category name" in str(e.value)
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("ACL", "SETUSER", "x", "bogus")
    assert str(e.value) == "Error in ACL SETUSER modifier 'bogus': Syntax error"
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("ACL", "SETUSER", "x", "(")
    assert str(e.value) == "Unmatched parenthesis in acl selector starting at '('."
    # a failed SETUSER changes nothing
    assert r.execute_command("ACL", "GETUSER", "x") is None


def test_off_user_and_wrong_password(node, r):
    r.execute_command("ACL", "SETUSER", "carol", "off", ">pw", "+@all", "~*")
    with pytest.raises(redis.exceptions.ResponseError, match="WRONGPASS|NOAUTH"):
        user_client(node, "carol", "pw").ping()
    r.execute_command("ACL", "SETUSER", "carol", "on")
    assert user_client(node, "carol", "pw").ping()
    with pytest.raises(redis.exceptions.ResponseError, match="WRONGPASS|NOAUTH"):
        user_client(node, "carol", "bad").ping()


def test_acl_log_records_denials_and_failed_auth(node, r):
    r.execute_command("ACL", "LOG", "RESET")
    r.execute_command("ACL", "SETUSER", "dan", "on", ">pw", "~*", "+get")
    d = user_client(node, "dan", "pw")
    with pytest.raises(redis.exceptions.NoPermissionError):
        d.set("a", "b")
    with pytest.raises(redis.exceptions.ResponseError, match="WRONGPASS|NOAUTH"):
        user_client(node, "dan", "wrong").ping()
    log = r.execute_command("ACL", "LOG")
    entries = [dict(zip(e[::2], e[1::2])) for e in log]
    reasons = {(e["reason"], e["object"], e["username"]) for e in entries}
    assert ("command", "set", "dan") in reasons
    assert ("auth", "AUTH", "dan") in reasons
    assert all(e["context"] == "toplevel" for e in entries)
    assert "client-info" in entries[0] and "age-seconds" in entries[0]
    with pytest.raises(redis.exceptions.NoPermissionError):
        d.set("a", "b")
    log = [dict(zip(e[::2], e[1::2])) for e in r.execute_command("ACL", "LOG")]
    assert [e["count"] for e in log if e["object"] == "set"] == [2]
    assert r.execute_command("ACL", "LOG", "RESET") == "OK"
    assert r.execute_command("ACL", "LOG") == []


def test_deluser_disconnects_and_default_cannot_go(node, r):
    r.execute_command("ACL", "SETUSER", "eve", "on", ">pw", "+@all", "~*")
    e = user_client(node, "eve", "pw")
    assert e.ping()
    assert r.execute_command("ACL", "DELUSER", "eve", "ghost") == 1
    # redis-py either sees the close on the ping or, when the close arrived
    # first, reconnects and is refused: eve no longer exists either way.
    with pytest.raises((redis.exceptions.ConnectionError, redis.exceptions.ResponseError)) as err:
        e.ping()
    assert isinstance(err.value, redis.exceptions.ConnectionError) or \
        str(err.value).startswith("WRONGPASS")
    with pytest.raises(redis.exceptions.ResponseError) as err:
        r.execute_command("ACL", "DELUSER", "default")
    assert str(err.value) == "The 'default' user cannot be removed"


def test_cat_genpass_dryrun(r):
    cats = r.execute_command("ACL", "CAT")
    for c in ("keyspace", "read", "write", "string", "dangerous", "admin", "connection"):
        assert c in cats
    assert "get" in r.execute_command("ACL", "CAT", "string")
    assert "config|set" in r.execute_command("ACL", "CAT", "dangerous")
    p = r.execute_command("ACL", "GENPASS")
    assert re.fullmatch(r"[0-9a-f]{64}", p), p
    assert len(r.execute_command("ACL", "GENPASS", "5")) == 2
    assert r.execute_command("ACL", "GENPASS") != p
    with pytest.raises(redis.exceptions.ResponseError):
        r.execute_command("ACL", "DRYRUN", "nobody", "get", "x")
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("ACL", "DRYRUN", "default", "nocmd")
    assert str(e.value) == "Command 'nocmd' not found"


def test_requirepass_maps_to_default_user(make_node):
    n = make_node(password="s3cret")
    c = n.client(password=None)
    with pytest.raises(redis.exceptions.AuthenticationError, match="Authentication required"):
        c.ping()
    assert n.client().ping()
    assert n.client(username="default", password="s3cret").ping()
    with pytest.raises(redis.exceptions.ResponseError, match="WRONGPASS|NOAUTH"):
        n.client(password="wrong").ping()
    listed = n.client().execute_command("ACL", "LIST")[0]
    assert listed.startswith("user default on #")
    # AUTH error wording
    raw = RespConn(n.port)
    assert str(raw.call("GET", "x")) == "NOAUTH Authentication required."
    assert str(raw.call("AUTH", "nope")) == "WRONGPASS invalid username-password pair or user is disabled."
    assert raw.call("AUTH", "s3cret") == "OK"
    raw.close()
    # redis-cli with -a works, without it gets NOAUTH
    assert n.cli("PING") == "PONG"
    assert "NOAUTH" in n.cli("PING", auth=False)


def test_hello_auth(node, r):
    r.execute_command("ACL", "SETUSER", "hx", "on", ">pw", "+@all", "~*")
    raw = RespConn(node.port)
    m = raw.call("HELLO", "3", "AUTH", "hx", "pw", "SETNAME", "cli1")
    assert m["proto"] == 3
    assert raw.call("ACL", "WHOAMI") == "hx"
    assert str(raw.call("HELLO", "3", "AUTH", "hx", "bad")).startswith("WRONGPASS")
    raw.close()


def test_aclfile_save_and_load(make_node, tmp_path):
    path = tmp_path / "users.acl"
    path.write_text("user default on nopass ~* &* +@all\nuser fred on >pw ~f:* +@string\n")
    n = make_node(args=["--aclfile", str(path)])
    r = n.client()
    assert "fred" in r.execute_command("ACL", "USERS")
    f = n.client(username="fred", password="pw")
    assert f.set("f:1", "x")
    r.execute_command("ACL", "SETUSER", "gina", "on", ">pw2", "+@all", "~*")
    assert r.execute_command("ACL", "SAVE") == "OK"
    saved = path.read_text()
    assert "user gina on #" in saved and "user fred on #" in saved
    path.write_text(saved + "user bad on +nosuchcommand\n")
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("ACL", "LOAD")
    assert ":3:" in str(e.value) or ":4:" in str(e.value)
    assert "gina" in r.execute_command("ACL", "USERS")  # unchanged after a failed load
    path.write_text("user default on nopass ~* &* +@all\n")
    assert r.execute_command("ACL", "LOAD") == "OK"
    assert r.execute_command("ACL", "USERS") == ["default"]


def test_acl_save_without_file(r):
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("ACL", "SAVE")
    assert "not configured to use an ACL file" in str(e.value)


def test_users_from_config_lines(make_node):
    n = make_node(config_text="[node]\nuser = ivan on >pw ~i:* +@all\n")
    c = n.client(username="ivan", password="pw")
    assert c.set("i:1", "v")
    with pytest.raises(redis.exceptions.NoPermissionError):
        c.set("j:1", "v")


def test_acl_checked_again_inside_exec(node, r):
    r.execute_command("ACL", "SETUSER", "tx", "on", ">pw", "+@all", "~*")
    c = user_client(node, "tx", "pw")
    p = c.pipeline(transaction=True)
    p.set("a", "1")
    p.get("a")
    assert p.execute() == [True, "1"]


# Redis 7 asks each key what its key spec needs: read for data it returns,
# write for data it changes, both for read-modify-write, and only a matching
# pattern for metadata (EXISTS, TYPE, STRLEN ...). "o:" keys allow both,
# "r:" only read, "w:" only write.
@pytest.fixture
def ks(node, r):
    r.execute_command("ACL", "SETUSER", "ks", "on", ">pw", "+@all", "~o:*", "%R~r:*", "%W~w:*")
    r.execute_command("ACL", "LOG", "RESET")
    c = user_client(node, "ks", "pw")
    yield c
    c.close()


def denied_keys(r):
    return [dict(zip(e[::2], e[1::2]))["object"] for e in r.execute_command("ACL", "LOG")]


def deny(c, *argv):
    with pytest.raises(redis.exceptions.NoPermissionError) as e:
        c.execute_command(*argv)
    assert str(e.value) == "this user has no permissions to access one of the keys used as arguments"


def test_key_specs_lmove_source_needs_read_and_write(ks, r):
    r.rpush("o:src", "a", "b")
    r.rpush("r:src", "a")
    assert ks.execute_command("LMOVE", "o:src", "w:dst", "LEFT", "RIGHT") == "a"
    assert r.lrange("w:dst", 0, -1) == ["a"]
    deny(ks, "LMOVE", "r:src", "o:dst", "LEFT", "RIGHT")
    deny(ks, "LMOVE", "w:dst", "o:dst", "LEFT", "RIGHT")
    deny(ks, "LMOVE", "o:src", "r:dst", "LEFT", "RIGHT")
    assert ks.execute_command("RPOPLPUSH", "o:src", "w:dst") == "b"
    deny(ks, "RPOPLPUSH", "w:dst", "o:src")
    # ACL LOG folds the repeated denial of w:dst into one entry.
    assert denied_keys(r) == ["w:dst", "r:dst", "r:src"]
    assert r.lrange("r:src", 0, -1) == ["a"]


def test_key_specs_copy_reads_source_writes_destination(ks, r):
    r.set("r:a", "1")
    assert ks.execute_command("COPY", "r:a", "w:b") == 1
    assert r.get("w:b") == "1"
    deny(ks, "COPY", "w:b", "w:c")
    deny(ks, "COPY", "r:a", "r:c")
    assert ks.execute_command("RENAME", "o:x", "w:y") if r.set("o:x", "v") else False
    deny(ks, "RENAME", "r:a", "w:z")
    assert denied_keys(r) == ["r:a", "r:c", "w:b"]


def test_key_specs_store_commands_write_first_read_rest(ks, r):
    r.set("r:a", "\x0f")
    r.set("r:b", "\x3c")
    assert ks.execute_command("BITOP", "AND", "w:d", "r:a", "r:b") == 1
    assert r.get("w:d") == "\x0c"
    deny(ks, "BITOP", "AND", "r:d", "r:a")
    deny(ks, "BITOP", "AND", "w:d", "w:d")
    r.sadd("r:s1", "x", "y")
    r.sadd("r:s2", "y")
    assert ks.execute_command("SINTERSTORE", "w:i", "r:s1", "r:s2") == 1
    assert ks.execute_command("SUNIONSTORE", "w:u", "r:s1", "o:none") == 2
    deny(ks, "SDIFFSTORE", "w:i", "r:s1", "w:u")
    r.zadd("r:z", {"m": 1})
    assert ks.execute_command("ZUNIONSTORE", "w:zd", "2", "r:z", "o:z") == 1
    deny(ks, "ZINTERSTORE", "w:zd", "2", "r:z", "w:zd")
    deny(ks, "ZRANGESTORE", "r:z", "r:z", "0", "-1")
    assert ks.execute_command("ZRANGESTORE", "w:zr", "r:z", "0", "-1") == 1
    assert denied_keys(r) == ["r:z", "w:zd", "w:u", "w:d", "r:d"]


def test_key_specs_read_modify_write_needs_both(ks, r):
    assert ks.incr("o:n") == 1
    for cmd in (["INCR", "w:n"], ["INCR", "r:n"], ["GETDEL", "w:n"], ["LPOP", "w:l"],
                ["HINCRBY", "w:h", "f", "1"], ["ZPOPMIN", "r:z"], ["SPOP", "w:s"],
                ["LMPOP", "2", "o:l", "w:l", "LEFT"], ["BLPOP", "o:l", "r:l", "0.01"],
                ["MOVE", "w:n", "1"], ["SETBIT", "w:b", "1", "1"]):
        deny(ks, *cmd)
    assert denied_keys(r)[0] == "w:b"
    assert ks.execute_command("LMPOP", "2", "o:l", "o:m", "LEFT") is None


def test_key_specs_metadata_needs_only_a_matching_pattern(ks, r):
    r.set("r:k", "abc")
    r.set("w:k", "abcd")
    assert ks.exists("r:k", "w:k", "o:k") == 2
    assert ks.type("w:k") == "string"
    assert ks.strlen("w:k") == 4
    assert ks.object("ENCODING", "w:k") == "embstr"
    assert ks.touch("r:k", "w:k") == 2
    assert ks.execute_command("MEMORY", "USAGE", "w:k") > 0
    assert ks.execute_command("WATCH", "r:k", "w:k") is True
    deny(ks, "EXISTS", "w:k", "other")
    deny(ks, "STRLEN", "other")
    with pytest.raises(redis.exceptions.NoPermissionError):
        ks.get("w:k")
    assert denied_keys(r) == ["w:k", "other"]  # the two denials of other fold into one


def test_key_specs_set_needs_read_only_with_get(ks, r):
    assert ks.set("w:k", "1") is True
    deny(ks, "SET", "w:k", "2", "GET")
    deny(ks, "SET", "w:k", "2", "EX", "10", "get")
    assert ks.execute_command("SET", "w:k", "GET") is True  # GET as the value
    assert ks.set("o:k", "2", get=True) is None
    assert ks.set("o:k", "3", nx=True, get=True) == "2"
    deny(ks, "SET", "r:k", "1")
    assert r.get("w:k") == "GET"


def test_key_specs_dryrun_agrees_with_the_command(ks, r):
    cases = [(["LMOVE", "r:a", "w:b", "LEFT", "LEFT"], "r:a"),
             (["COPY", "r:a", "w:b"], None),
             (["COPY", "w:a", "w:b"], "w:a"),
             (["ZUNIONSTORE", "w:d", "2", "r:a", "w:b"], "w:b"),
             (["ZDIFFSTORE", "w:d", "1", "r:a"], None),
             (["SET", "w:a", "v", "GET"], "w:a"),
             (["SET", "w:a", "v"], None),
             (["HSTRLEN", "w:a", "f"], None),
             (["BZMPOP", "0", "2", "o:a", "r:b", "MIN"], "r:b")]
    for argv, bad in cases:
        dry = r.execute_command("ACL", "DRYRUN", "ks", *argv)
        if bad is None:
            assert dry == "OK", argv
        else:
            assert dry == "This user has no permissions to access the '%s' key" % bad, argv
            r.execute_command("ACL", "LOG", "RESET")
            deny(ks, *argv)
            assert denied_keys(r) == [bad]


def test_key_specs_selectors_each_need_one_pattern(node, r):
    r.execute_command("ACL", "SETUSER", "sel", "on", ">pw", "+@all", "%R~*", "(+@all %W~*)")
    c = user_client(node, "sel", "pw")
    r.rpush("l", "a")
    # One selector must allow every key: neither reads and writes, and
    # COPY's read of l and write of m would need both of them.
    deny(c, "LMOVE", "l", "m", "LEFT", "LEFT")
    deny(c, "COPY", "l", "m")
    assert c.execute_command("LRANGE", "l", "0", "-1") == ["a"]
    assert c.execute_command("RPUSH", "l", "b") == 2
    assert c.execute_command("SET", "n", "1") is True
    deny(c, "SET", "n", "1", "GET")
    assert c.execute_command("EXISTS", "l", "n") == 2


def test_password_rules_and_their_errors(node, r):
    h = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"  # sha256("password")
    assert r.execute_command("ACL", "SETUSER", "pw", "on", "#" + h, "+@all", "~*") == "OK"
    assert node.client(username="pw", password="password").ping()
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("ACL", "SETUSER", "pw", "#" + h.upper())
    assert "must be exactly 64 characters and contain only lowercase hexadecimal" in str(e.value)
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("ACL", "SETUSER", "pw", "<other")
    assert str(e.value).endswith("The password you are trying to remove from the user does not exist")
    assert r.execute_command("ACL", "SETUSER", "pw", "<password") == "OK"
    with pytest.raises(redis.exceptions.ResponseError, match="WRONGPASS"):
        node.client(username="pw", password="password").ping()
