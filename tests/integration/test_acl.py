"""ACL: users, rules, selectors, AUTH/HELLO, NOPERM errors, ACL LOG, aclfile."""
import os

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
    assert d["commands"] == "-@all +@hash +get -hdel +config|get"
    assert d["keys"] == "~cache:* %R~ro:*"
    assert d["channels"] == "&chan*"
    assert d["selectors"] == []
    assert "user alice on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 " \
           "~cache:* %R~ro:* resetchannels &chan* -@all +@hash +get -hdel +config|get" \
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
    with pytest.raises(redis.exceptions.ConnectionError):
        e.ping()
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
    assert len(p) == 64 and int(p, 16) >= 0
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
