"""What the server asks of the kernel and of glibc for its latency (README, "Persistence"), read back from /proc:
the event loop's scheduler slice, and the malloc settings (csystem_tune_allocator) under which its heap grows in
64 MB steps and blocks up to 32 MB come from the heap rather than from a mapping of their own, so that growing
and shrinking memory seldom takes the address space's lock for writing."""
import os

import pytest


def test_event_loop_asks_for_a_short_slice(cairn_factory):
    release = tuple(int(x) for x in os.uname().release.split("-")[0].split(".")[:2])
    if release < (6, 12):
        pytest.skip("the kernel ignores a fair task's sched_runtime before 6.12")
    s = cairn_factory("--save", "")
    assert s.client().ping()
    # The loop runs on the main thread, whose task id is the process id.
    with open(f"/proc/{s.proc.pid}/task/{s.proc.pid}/sched") as f:
        fields = dict(map(str.strip, line.split(":", 1)) for line in f if line.count(":") == 1)
    assert int(fields["policy"]) == 0
    assert int(fields["se.slice"]) == 100_000


def heap_mapping(pid):
    """(size, resident bytes) of the process's [heap] mapping, (0, 0) without one."""
    size = rss = 0
    in_heap = False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            first = line.split()[0]
            if "-" in first and not first.endswith(":"):
                in_heap = line.rstrip().endswith("[heap]")
            elif in_heap and first == "Size:":
                size = int(line.split()[1]) * 1024
            elif in_heap and first == "Rss:":
                rss = int(line.split()[1]) * 1024
    return size, rss


def test_heap_grows_in_large_steps_and_keeps_large_blocks(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    value = b"v" * (16 << 20)
    c.set("big", value)
    assert c.strlen("big") == len(value)
    size, rss = heap_mapping(s.proc.pid)
    # glibc's defaults would map a 16 MB block apart (its threshold starts at 128 KB) and grow the heap in
    # 128 KB steps: an idle server's heap is then a few megabytes.
    assert rss >= len(value), f"the 16 MB value is not in the heap: {rss} resident bytes of {size}"
    assert size >= 64 << 20, f"heap of {size} bytes: not grown with a 64 MB pad"
