"""SORT and SORT_RO: every option, compared byte for byte with the reference redis-server."""


def test_numeric_alpha_limit_and_order(both):
    both.script("""
RPUSH nums 3 1 2 10 -5 2.5 1e2 0x10 " 7"
SORT nums
SORT nums DESC
SORT nums LIMIT 1 3
SORT nums LIMIT 2 -1
SORT nums LIMIT -5 2
SORT nums LIMIT 100 5
SORT nums LIMIT 0 0
SORT nums DESC LIMIT 0 2
SORT nums ALPHA
SORT nums ALPHA DESC LIMIT 1 4
SORT_RO nums
SORT_RO nums DESC ALPHA
RPUSH words banana apple cherry 10 2
SORT words
SORT words ALPHA
SORT missing
SORT missing ALPHA DESC LIMIT 0 1
SADD iset 5 3 9 1
SORT iset
SORT iset DESC
ZADD zs 3 a 1 b 2 c
SORT zs ALPHA
RPUSH dup 2 1 2 1 b a b
SORT dup ALPHA
RPUSH inf inf -inf 1
SORT inf
RPUSH bad 1 nan
SORT bad
RPUSH big 1e400
SORT big
""")


def test_by_and_get_patterns(both):
    both.script("""
RPUSH ids 1 2 3 4
MSET w_1 40 w_2 10 w_3 30 w_4 20
MSET name_1 one name_2 two name_3 three
HSET obj_1 f 9 label x
HSET obj_2 f 7 label y
HSET obj_3 f 8
SORT ids BY w_*
SORT ids BY w_* DESC
SORT ids BY w_* GET name_*
SORT ids BY w_* GET # GET name_* GET nothing_*
SORT ids BY obj_*->f
SORT ids BY obj_*->f GET obj_*->label GET #
SORT ids BY obj_*->
SORT ids BY w_* LIMIT 1 2 GET #
SORT ids BY nosort
SORT ids BY nosort DESC
SORT ids BY nosort LIMIT 1 2
SORT ids BY nosort DESC LIMIT 1 2
SORT ids BY name_* ALPHA
SORT ids BY name_* ALPHA DESC
SORT ids GET fixedkey
SORT ids BY w_* GET
SET notanumber_1 abc
SORT ids BY notanumber_*
ZADD zz 1 c 2 a 3 b
SORT zz BY nosort
SORT zz BY nosort DESC
SORT zz BY nosort LIMIT 1 1
SORT zz BY nosort DESC LIMIT 1 5
SADD smallset 3 1 2
SORT smallset BY nosort
""")


def test_store(both):
    both.script("""
RPUSH src 3 1 2
SORT src STORE dst
LRANGE dst 0 -1
TYPE dst
SET w_1 a
SORT src GET w_* STORE dst2
LRANGE dst2 0 -1
SORT src STORE src
LRANGE src 0 -1
SORT missing STORE dst
EXISTS dst
SADD sset c a b
SORT sset BY nosort STORE out
LRANGE out 0 -1
SET str x
SORT str STORE out
SORT src STORE
SORT_RO src STORE dst
""")


def test_store_large_result_encoding(both):
    both("RPUSH", "many", *[str(i) for i in range(200)])
    both("SORT", "many", "STORE", "sorted")
    both("LRANGE", "sorted", "0", "5")
    both("RPUSH", "long", *[("x" * 100) + str(i) for i in range(100)])
    both("RPUSH", "medium", *[("x" * 100) + str(i) for i in range(70)])
    both("SORT", "medium", "ALPHA", "STORE", "sortedmedium")
    both("SORT", "long", "ALPHA", "STORE", "sortedlong")
    both("LRANGE", "sortedlong", "0", "-1")
    # Redis 7.0 stores every list as a quicklist; 7.2 / Valkey 8 convert a result that fits one node (8kB at
    # the default fill) to a listpack.
    both("SORT", "src3", "STORE", "tiny")
    both.cairn_only("RPUSH", "src3", "b", "a")
    both.cairn_only("SORT", "src3", "ALPHA", "STORE", "tiny")
    assert both.cairn_only("OBJECT", "ENCODING", "tiny") == b"$8\r\nlistpack\r\n"
    assert both.cairn_only("OBJECT", "ENCODING", "sorted") == b"$8\r\nlistpack\r\n"
    assert both.cairn_only("OBJECT", "ENCODING", "sortedmedium") == b"$8\r\nlistpack\r\n"
    assert both.cairn_only("OBJECT", "ENCODING", "sortedlong") == b"$9\r\nquicklist\r\n"


def test_errors(both):
    both.script("""
SET s v
SORT s
SORT s LIMIT
SORT s LIMIT 1
SORT s LIMIT a b
SORT nokey LIMIT 1 x
SORT nokey BOGUS
SORT nokey BY
SORT nokey GET
SORT_RO nokey STORE x
HSET h f v
SORT h
SORT
""")


def test_sort_in_transaction_and_watch(both):
    both.script("""
RPUSH l 2 1
WATCH out
MULTI
SORT l STORE out
EXEC
LRANGE out 0 -1
""")


def test_command_getkeys(both):
    both.script("""
COMMAND GETKEYS SORT a
COMMAND GETKEYSANDFLAGS SORT a LIMIT 0 1 STORE b GET c STORE d
COMMAND GETKEYS SORT a BY store GET store STORE x
COMMAND GETKEYS SORT_RO a BY x
""")
