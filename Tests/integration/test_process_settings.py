"""What the server asks of the kernel and of glibc for its latency (README, "Persistence"), read back from /proc:
the event loop's scheduler slice, and the malloc settings (csystem_tune_allocator) under which its heap grows in
64 MB steps and blocks up to 32 MB come from the heap rather than from a mapping of their own, so that growing
and shrinking memory seldom takes the address space's lock for writing."""
import os
import time

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


def cpus_allowed(pid, tid):
    with open(f"/proc/{pid}/task/{tid}/status") as f:
        return next(line.split(":", 1)[1].strip() for line in f if line.startswith("Cpus_allowed_list:"))


def threads_named(pid, name):
    found = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if f.read().strip() == name:
                    found.append(tid)
        except FileNotFoundError:
            pass            # the thread ended meanwhile
    return found


def cpus_of_job_thread(s, start, name):
    """Starts a background job with `start` until its thread is caught running, then its CPUs (on a loaded
    machine a save of 1M keys lasts long enough; each try waits for the job to end)."""
    c = s.client()
    for _ in range(20):
        start(c)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for tid in threads_named(s.proc.pid, name):
                try:
                    return cpus_allowed(s.proc.pid, tid)
                except (FileNotFoundError, StopIteration):
                    pass
            if not threads_named(s.proc.pid, name) and not busy(c):
                break
            time.sleep(0.001)
    raise AssertionError(f"never saw a {name} thread")


def busy(c):
    info = c.info("persistence")
    return info["rdb_bgsave_in_progress"] or info["aof_rewrite_in_progress"]


def test_threads_run_on_their_configured_cpus(cairn_factory):
    """server_cpulist, bio_cpulist, bgsave_cpulist and aof_rewrite_cpulist place the event loop, the AOF writer,
    BGSAVE's thread and an AOF rewrite's thread, as Redis places its main thread, bio threads and children."""
    if len(os.sched_getaffinity(0)) < 2 or os.cpu_count() < 2:
        pytest.skip("needs two CPUs")
    s = cairn_factory("--save", "", "--appendonly", "yes", "--server_cpulist", "0", "--bio_cpulist", "1",
                      "--bgsave_cpulist", "1", "--aof_rewrite_cpulist", "0-1:2")
    c = s.client()
    assert c.ping()
    assert cpus_allowed(s.proc.pid, s.proc.pid) == "0"
    [writer] = threads_named(s.proc.pid, "aof-writer")
    assert cpus_allowed(s.proc.pid, writer) == "1"
    c.execute_command("DEBUG", "POPULATE", "1000000")
    assert cpus_of_job_thread(s, lambda c: c.bgsave(), "cairn-bgsave") == "1"
    assert cpus_of_job_thread(s, lambda c: c.bgrewriteaof(), "aof-rewrite") == "0"
    assert c.config_get("*cpulist*") == {"server_cpulist": "0", "bio_cpulist": "1", "bgsave_cpulist": "1",
                                         "aof_rewrite_cpulist": "0-1:2"}


def test_cpulists_read_and_refused_as_redis_does(both):
    both.script("""
        ~CONFIG GET *cpulist*
        CONFIG SET server_cpulist 0
        CONFIG SET bio_cpulist ""
    """)


def test_malformed_cpulist_stops_startup(cairn_factory):
    s = cairn_factory("--bgsave_cpulist", "0-3:0", start=False)
    assert "Invalid CPU list '0-3:0'" in s.start_refused()


def test_cpulist_naming_no_present_cpu_is_ignored_with_a_warning(cairn_factory):
    s = cairn_factory("--save", "", "--server_cpulist", "1000-1023")
    assert s.client().ping()
    assert "server_cpulist 1000-1023 names no CPU of this machine" in s.log_text()
    assert os.sched_getaffinity(s.proc.pid) == os.sched_getaffinity(0)
