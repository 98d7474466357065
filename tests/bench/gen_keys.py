#!/usr/bin/env python3
"""gen_keys.py -- RESP2 SET commands for keys key:0 .. key:N-1, on stdout.

Owns: nothing. Feeds `redis-cli --pipe` in tests/bench/bench.sh so both
servers load exactly the same keys. Values are VALUE_LEN bytes and never
look like integers ("v-00000042"), so neither server can store them in an
integer encoding and the memory comparison stays about strings.

Usage: gen_keys.py COUNT [VALUE_LEN]   (VALUE_LEN defaults to 10)
"""
import sys


def main():
    count = int(sys.argv[1])
    value_len = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    digits = value_len - 2
    if digits < 1:
        sys.exit("VALUE_LEN must be at least 3")
    out = sys.stdout.buffer
    chunk = []
    for i in range(count):
        key = b"key:%d" % i
        value = b"v-%0*d" % (digits, i % (10 ** digits))
        chunk.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                     % (len(key), key, len(value), value))
        if len(chunk) == 10000:
            out.write(b"".join(chunk))
            chunk = []
    out.write(b"".join(chunk))
    out.flush()


if __name__ == "__main__":
    main()
