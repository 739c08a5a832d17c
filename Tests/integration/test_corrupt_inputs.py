"""The offline tools on hostile input: the committed corpus (Fixtures/corrupt, tools/make-corrupt-fixtures) and
thousands of damaged copies of the real fixtures made here with a fixed seed (bits flipped, random bytes,
truncations at every region). Every run must end with exit status 0 (a harmless mutation) or 1 with a message:
never a signal, never a hang, never a large allocation (address space capped, peak RSS bounded).

To cover another tool, add a line to TOOLS: its executable name and how it is given a file."""
import glob
import os
import random
import resource
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import CAIRN_SERVER

BUILD = os.path.dirname(CAIRN_SERVER)
REPO = Path(__file__).resolve().parents[2]
CORRUPT = REPO / "Fixtures" / "corrupt"
SHARED = REPO.parent / "shared" / "fixtures"

# name -> (argv after the executable, with {} for the file; the kinds of file it reads)
TOOLS = {
    "cairn-check-rdb": (["{}"], {"rdb"}),
    "cairn-check-aof": (["{}"], {"aof"}),
    "cairn-dump": (["info", "{}"], {"rdb", "aof"}),
}
# The exit statuses each tool gives a file it refuses (README: cairn-dump's 3 is bad input, 4 a file it cannot
# open, such as a part a damaged manifest names).
REFUSED = {"cairn-check-rdb": {1}, "cairn-check-aof": {1}, "cairn-dump": {3, 4}}
# The tool whose verdict EXPECT states, per kind of file.
CHECKER = {"rdb": "cairn-check-rdb", "aof": "cairn-check-aof"}
TIMEOUT = 20
MAX_RSS_MB = 200
ADDRESS_SPACE = 4 << 30


def tools_for(kind):
    found = [(n, argv) for n, (argv, kinds) in TOOLS.items() if kind in kinds and os.path.exists(os.path.join(BUILD, n))]
    assert found or kind != "rdb", f"no tool built in {BUILD}"
    return found


def cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(tool, argv, path):
    """(exit status, or -signal, or "timeout"; output; peak RSS in MB from the child's own rusage)."""
    proc = subprocess.Popen([os.path.join(BUILD, tool)] + [a.replace("{}", str(path)) for a in argv],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            preexec_fn=cap_memory)
    watchdog = threading.Timer(TIMEOUT, proc.kill)
    watchdog.start()
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    timed_out = not watchdog.is_alive()
    watchdog.cancel()
    return ("timeout" if timed_out else proc.returncode), out, usage.ru_maxrss / 1024


def verdict_problem(tool, path, status, out, peak_mb):
    if status == "timeout":
        return f"{tool} {path}: no answer within {TIMEOUT} s"
    if status != 0 and status not in REFUSED[tool]:
        return f"{tool} {path}: exit status {status}\n{out[-400:].decode(errors='replace')}"
    if status != 0 and not out.strip():
        return f"{tool} {path}: failed without a message"
    if peak_mb > MAX_RSS_MB:
        return f"{tool} {path}: peak RSS {peak_mb:.0f} MB"
    return None


def seeds(kind):
    if kind == "rdb":
        files = glob.glob(str(SHARED / "valkey8" / "*.rdb")) + glob.glob(str(SHARED / "valkey-assets" / "*.rdb"))
        files += glob.glob(str(REPO / "Fixtures" / "aof" / "*" / "appendonlydir" / "*.rdb"))
    else:
        files = glob.glob(str(REPO / "Fixtures" / "aof" / "*" / "appendonlydir" / "*.aof"))
        files += glob.glob(str(SHARED / "valkey-assets" / "*.aof"))
    return sorted(f for f in files if os.path.getsize(f) > 16)


def mutate(data, i, rnd):
    """Mutation i of a file: bits flipped, a run of random bytes, a truncation (walking the whole file over
    the iterations, so every region is cut somewhere), or one byte set to a value that means 'long length',
    'LZF', 'EOF' or 'select db'."""
    d = bytearray(data)
    kind = i % 4
    if kind == 0:
        for _ in range(rnd.randint(1, 4)):
            p = rnd.randrange(len(d))
            d[p] ^= 1 << rnd.randrange(8)
    elif kind == 1:
        p = rnd.randrange(len(d))
        n = rnd.randint(1, 16)
        d[p:p + n] = rnd.randbytes(n)
    elif kind == 2:
        cut = (i // 4 * 7919) % len(d)
        d = d[:cut]
    else:
        p = rnd.randrange(len(d))
        d[p:p + 1] = rnd.choice([b"\xff", b"\x00", b"\x80", b"\x81", b"\xc3", b"\xfe", b"\xfa"])
    return bytes(d)


def check_all(jobs, checker=None, expect_invalid=()):
    """Runs (tool, argv, path) jobs two at a time; every problem found, including a zero exit status from
    `checker` on a file in `expect_invalid`."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda j: (j, run(*j)), jobs))
    problems = []
    for (tool, _, path), (status, out, peak_mb) in results:
        if p := verdict_problem(tool, path, status, out, peak_mb):
            problems.append(p)
        elif tool == checker and path in expect_invalid and status != 1:
            problems.append(f"{tool} {path}: exit {status} on a file that is invalid by construction")
    return problems


def corpus_files(kind):
    """The corpus's files of one kind; a multi-part directory is given by its manifest."""
    d = CORRUPT / kind
    return sorted(p for p in d.iterdir() if p.is_file()) + sorted(d.glob("*/appendonly.aof.manifest"))


@pytest.mark.parametrize("kind", ["rdb", "aof"])
def test_committed_corpus(kind):
    invalid = {CORRUPT / line.split()[0] for line in (CORRUPT / "EXPECT").read_text().splitlines()
               if line.split()[1:] == ["invalid"]}
    jobs = [(tool, argv, path) for path in corpus_files(kind) for tool, argv in tools_for(kind)]
    assert len(jobs) >= 10
    problems = check_all(jobs, CHECKER[kind], invalid)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("kind, count", [("rdb", 1400), ("aof", 400)])
def test_mutated_fixtures(tmp_path, kind, count):
    rnd = random.Random(20261126)
    sources = seeds(kind)
    assert sources
    jobs = []
    for i in range(count):
        src = sources[i % len(sources)]
        path = tmp_path / f"m{i:05d}-{os.path.basename(src)}"
        path.write_bytes(mutate(open(src, "rb").read(), i // len(sources), rnd))
        jobs += [(tool, argv, path) for tool, argv in tools_for(kind)]
    problems = check_all(jobs)
    assert not problems, f"{len(problems)} of {len(jobs)} runs went wrong:\n" + "\n".join(problems[:20])


def test_mutated_multi_part_directories(tmp_path):
    """Damage inside a multi-part AOF directory (its RDB base, its incr file, its manifest), checked through the
    manifest."""
    rnd = random.Random(7)
    src = REPO / "Fixtures" / "aof" / "redis7-rdb-preamble" / "appendonlydir"
    names = sorted(os.listdir(src))
    jobs = []
    for i in range(100):
        d = tmp_path / f"d{i}"
        d.mkdir()
        for n in names:
            (d / n).write_bytes((src / n).read_bytes())
        victim = d / names[i % len(names)]
        victim.write_bytes(mutate(victim.read_bytes(), i // len(names), rnd))
        jobs += [(tool, argv, d / "appendonly.aof.manifest") for tool, argv in tools_for("aof")]
    problems = check_all(jobs)
    assert not problems, "\n".join(problems[:20])


def test_server_refuses_damaged_dumps_without_crashing(tmp_path):
    """cairn-server started on each crafted dump (and a sample of the mutated ones) exits with status 1 and a
    log line, or starts when the damage is harmless: never a signal or a hang."""
    from conftest import free_port
    files = sorted((CORRUPT / "rdb").glob("crafted-*.rdb")) + sorted((CORRUPT / "rdb").glob("mutated-*.rdb"))[::4]
    problems = []
    for f in files:
        d = tmp_path / f.stem
        d.mkdir()
        (d / "dump.rdb").write_bytes(f.read_bytes())
        port = free_port()
        proc = subprocess.Popen([CAIRN_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(d),
                                 "--dbfilename", "dump.rdb", "--save", ""],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        serving = answers_ping(proc, port)
        if serving:
            proc.terminate()
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            problems.append(f"{f.name}: neither loaded nor refused in 10 s\n{out[-300:]!r}")
            continue
        if not serving and (proc.returncode != 1 or b"Fatal error loading the DB" not in out):
            problems.append(f"{f.name}: exit {proc.returncode}\n{out[-300:]!r}")
    assert not problems, "\n".join(problems[:10])


def answers_ping(proc, port, timeout=10):
    """True once the server answers PING (its dump loaded); False when it exits first or the time runs out."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    return True
        except OSError:
            time.sleep(0.02)
    return False
