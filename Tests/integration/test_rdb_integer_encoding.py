"""Which strings an RDB stores as integers: a string value (the 1/2/4-byte forms, at most 11 characters) and a
listpack element (the listpack integer forms, at most 20 characters) must be chosen exactly as Redis chooses
them, or a replica and a dump differ from Redis's byte for byte. Compared through DUMP with the reference
redis-server: the payload without its RDB version and checksum (Redis 7.0 stamps 10, Cairn 11; the value
encodings compared here are the same in both)."""

from cairn_helpers import decode

# Around every width change (int8/16/32, the 18-digit unchecked parse, 19-20 checked digits, Int64's edges) and
# the text string2ll refuses (leading zeros, "-0", a sign, spaces, other characters).
VALUES = [
    "0", "-0", "+1", " 1", "1 ", "01", "-01", "-", "", "1a", "1.0",
    "127", "-128", "128", "-129", "32767", "-32768", "32768", "2147483647", "-2147483648", "2147483648",
    "12345678901", "-1234567890", "123456789012345678", "-123456789012345678", "999999999999999999",
    "1000000000000000000", "-1000000000000000000", "9223372036854775807", "-9223372036854775808",
    "9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    "99999999999999999999", "-99999999999999999999", "12345678901234567a",
]


def payload(reply):
    return decode(reply)[:-10]


def test_string_values_dump_as_redis(both):
    for i, v in enumerate(VALUES):
        both("SET", f"s{i}", v)
        assert payload(both.cairn_only("DUMP", f"s{i}")) == payload(both.ref_only("DUMP", f"s{i}")), repr(v)


def test_listpack_elements_dump_as_redis(both):
    both("HSET", "h", *[x for i, v in enumerate(VALUES) for x in (f"f{i}", v)])
    both("HSET", "hf", *[x for i, v in enumerate(VALUES) for x in (v, str(i))])
    both("RPUSH", "l", *VALUES)
    both("ZADD", "z", *[x for i, v in enumerate(VALUES) for x in (str(i), v)])
    for key in ("h", "hf", "l", "z"):
        assert payload(both.cairn_only("DUMP", key)) == payload(both.ref_only("DUMP", key)), key
