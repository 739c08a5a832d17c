"""Fixtures that run real server processes: Cairn (the binary under test) and Debian's redis-server
(the reference). Tests talk to them over TCP with redis-py or with raw sockets (cairn_helpers).

Environment:
  CAIRN_SERVER   path of the cairn-server binary (default <repo>/.build/release/cairn-server)
  REDIS_SERVER   path of the reference redis-server (default: redis-server on PATH)
  CAIRN_EXTRA_ARGS    extra arguments for every cairn-server (shell-split), e.g. to self-check the
                      suite with CAIRN_SERVER=/usr/bin/redis-server CAIRN_EXTRA_ARGS="--enable-debug-command yes"
  CAIRN_IT_LOG_LINES  how many lines of a server log to attach to a failing test (default 60)
"""

import atexit
import os
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from cairn_helpers import RawConn, decode, encode, raw as _raw

REPO = Path(__file__).resolve().parents[2]
CAIRN_SERVER = os.environ.get("CAIRN_SERVER") or str(REPO / ".build" / "release" / "cairn-server")
REDIS_SERVER = os.environ.get("REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"
CAIRN_EXTRA_ARGS = shlex.split(os.environ.get("CAIRN_EXTRA_ARGS", ""))
LOG_LINES = int(os.environ.get("CAIRN_IT_LOG_LINES", "60"))
KNOWN_FAILURES = Path(__file__).with_name("known_failures.txt")

# 1,000 concurrent connections need descriptors in this process and in the servers it starts.
try:
    _soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    _want = 65536 if _hard == resource.RLIM_INFINITY else min(_hard, 65536)
    if _soft != resource.RLIM_INFINITY and _soft < _want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (_want, _hard))
except (ValueError, OSError):
    pass


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 (and, where IPv6 exists, on ::1) right now."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
                s6.bind(("::1", port))
        except OSError as e:
            if e.errno in (98,):  # EADDRINUSE on ::1: try another
                continue
        return port
    raise RuntimeError("no free port found")


class ServerProcess:
    """One server process in its own directory, with its output captured to a log file."""

    def __init__(self, name, binary, workdir: Path, extra_args=(), config_text=None):
        self.name = name
        self.binary = binary
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.extra_args = list(extra_args)
        self.config_text = config_text
        self.proc = None
        self.port = None
        self.log_path = self.dir / f"{name}.log"
        self.starts = 0
        self.exit_notes = []  # "exited with code N" notes from earlier runs (crashes seen)
        self._clients = []

    # -- argv -------------------------------------------------------------------------------
    def argv(self, port):
        raise NotImplementedError

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self, timeout=15.0):
        if not os.path.exists(self.binary):
            pytest.exit(f"{self.name}: binary not found at {self.binary} (build it, or set "
                        f"{'CAIRN_SERVER' if self.name.startswith('cairn') else 'REDIS_SERVER'})", 3)
        last_error = None
        for _attempt in range(3):
            self.port = free_port()
            logf = open(self.log_path, "ab")
            logf.write(f"\n===== start #{self.starts + 1}: {' '.join(self.argv(self.port))}\n".encode())
            logf.flush()
            self.proc = subprocess.Popen(self.argv(self.port), cwd=self.dir, stdout=logf,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
            logf.close()
            self.starts += 1
            try:
                self.wait_ready(timeout)
                return self
            except RuntimeError as e:
                last_error = e
                self.stop()
                # Retry only when the port was taken between choosing it and binding it.
                if "Address already in use" not in self.log_tail(20):
                    break
        raise RuntimeError(f"{self.name} did not start: {last_error}\n--- log ---\n{self.log_tail()}")

    def wait_ready(self, timeout=15.0):
        # A replica started with --replicaof may already be loading its primary's dataset when the first PING
        # arrives (a loaded machine, a held RDB): -LOADING means it is up, as Redis answers while it loads.
        replica = "--replicaof" in self.argv(self.port) or "replicaof" in (self.config_text or "")
        ready = (b"+PONG\r\n", b"-LOADING") if replica else (b"+PONG\r\n",)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode} during startup")
            try:
                with RawConn(self.port, timeout=1.0) as c:
                    if c.cmd("PING").startswith(ready):
                        return
            except Exception:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer PING within {timeout}s")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def healthy(self) -> bool:
        """Alive and answering PING within 2 s on a new connection."""
        if not self.alive():
            return False
        try:
            with RawConn(self.port, timeout=2.0) as c:
                return c.cmd("PING") == b"+PONG\r\n"
        except Exception:
            return False

    def ensure_healthy(self):
        """Restarts the server if it died or stopped answering (noted for the failure report)."""
        if self.healthy():
            return
        if self.proc is not None:
            if self.proc.poll() is None:
                self.exit_notes.append("stopped answering PING; killed and restarted")
            else:
                self.exit_notes.append(f"exited with code {self.proc.returncode}; restarted")
        self.stop()
        self.start()

    def stop(self, timeout=5.0):
        for c in self._clients:
            try:
                c.close()
            except Exception:
                pass
        self._clients.clear()
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout)
            except ProcessLookupError:
                pass

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    # -- talking to it -------------------------------------------------------------------------
    def client(self, protocol=2, **kw) -> redis.Redis:
        """A redis-py client (RESP2 unless protocol=3); closed when the server fixture ends."""
        kw.setdefault("socket_timeout", 10)
        kw.setdefault("socket_connect_timeout", 5)
        c = redis.Redis(host="127.0.0.1", port=self.port, protocol=protocol, **kw)
        self._clients.append(c)
        return c

    def conn(self, timeout=10.0) -> RawConn:
        c = RawConn(self.port, timeout=timeout)
        self._clients.append(c)
        return c

    def raw(self, data: bytes, replies=1, timeout=10.0) -> bytes:
        return _raw(self.port, data, replies, timeout)

    def call(self, *args):
        """One command on a fresh raw connection; the decoded reply."""
        with RawConn(self.port) as c:
            return c.call(*args)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n=LOG_LINES) -> str:
        return "\n".join(self.log_text().splitlines()[-n:])

    def start_refused(self, timeout=5.0) -> str:
        """Starts the server expecting it to give up during startup (bad config, bad data file); its log."""
        with pytest.raises(RuntimeError):
            self.start(timeout=timeout)
        assert self.proc.returncode not in (None, 0)
        return self.log_text()


class CairnProcess(ServerProcess):
    """cairn-server [cairn.conf] --port N [--enable-debug-command yes] [extra args...]

    DEBUG is enabled like on the reference server (Redis 7 refuses it by default); a server built
    before the config parser existed simply ignores the directive."""

    debug = True

    def argv(self, port):
        args = [self.binary]
        if self.config_text is not None:
            conf = self.dir / "cairn.conf"
            if not conf.exists():
                conf.write_text(self.config_text)
            args.append(str(conf))
        args += ["--port", str(port)]
        if self.debug:
            args += ["--enable-debug-command", "yes"]
        return args + CAIRN_EXTRA_ARGS + self.extra_args


class RedisProcess(ServerProcess):
    def argv(self, port):
        return [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no",
                "--enable-debug-command", "yes", "--logfile", ""] + self.extra_args


_ACTIVE = []  # ServerProcess objects started by fixtures, newest last


def _kill_leftovers():
    for s in list(_ACTIVE):
        try:
            s.kill()
        except Exception:
            pass


def _sigterm(signum, frame):
    # tools/test stops a run that overruns with SIGTERM: unwind through pytest so fixtures stop
    # their servers (and atexit kills whatever is left).
    raise KeyboardInterrupt(f"signal {signum}")


atexit.register(_kill_leftovers)
signal.signal(signal.SIGTERM, _sigterm)


# ---------------------------------------------------------------------------------------------
# Failure reporting: attach the tail of every involved server's log to a failing test's report.



@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "setup":
        item._cairn_notes_before = {id(s): len(s.exit_notes) for s in _ACTIVE}
    if not rep.failed:
        return
    seen = set()
    for s in list(_ACTIVE):
        if id(s) in seen or not isinstance(s, ServerProcess):
            continue
        seen.add(id(s))
        if s.name.startswith("redis") and rep.when == "call":
            continue  # the reference server's log is rarely interesting
        before = getattr(item, "_cairn_notes_before", {}).get(id(s), 0)
        notes = s.exit_notes[before:]
        if s.proc is not None and s.proc.poll() is not None:
            notes = notes + [f"process has exited with code {s.proc.returncode}"]
        header = f"{s.name} log tail ({s.log_path})"
        if notes:
            header += " — " + "; ".join(notes)
        rep.sections.append((header, s.log_tail()))


def pytest_collection_modifyitems(config, items):
    """Tests listed in known_failures.txt (node ids, '#' comments) run as non-strict xfail."""
    if not KNOWN_FAILURES.exists():
        return
    known = set()
    for line in KNOWN_FAILURES.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            known.add(line)
    if not known:
        return
    for item in items:
        nodeid = item.nodeid
        short = nodeid.split("Tests/integration/")[-1]
        if nodeid in known or short in known:
            item.add_marker(pytest.mark.xfail(reason="listed in known_failures.txt", strict=False))


# ---------------------------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """Debian's redis-server, once per session, on its own port and directory."""
    s = RedisProcess("redis-ref", REDIS_SERVER, tmp_path_factory.mktemp("redis-ref"))
    s.start()
    _ACTIVE.append(s)
    yield s
    s.stop()
    _ACTIVE.remove(s)


@pytest.fixture(scope="module")
def cairn_module(tmp_path_factory, request):
    """One cairn-server per test module (cwd = its own temp dir)."""
    mod = request.module.__name__.rsplit(".", 1)[-1]
    s = CairnProcess(f"cairn-{mod}", CAIRN_SERVER, tmp_path_factory.mktemp(f"cairn-{mod}"))
    s.start()
    _ACTIVE.append(s)
    yield s
    s.stop()
    _ACTIVE.remove(s)


@pytest.fixture
def cairn(cairn_module):
    """The module's cairn-server, restarted first if an earlier test crashed or hung it."""
    cairn_module.ensure_healthy()
    return cairn_module


@pytest.fixture
def cairn_factory(tmp_path_factory):
    """Starts extra cairn-servers with their own arguments/config file; all stopped at test end.

    factory(*args, config=None, debug=True, start=True) -> CairnProcess
    (args follow `--port N`; config is the text of a config file passed as the first argument;
    start=False returns the unstarted process, for tests of startup failures)
    """
    started = []

    def make(*args, config=None, name="cairn-own", debug=True, start=True):
        s = CairnProcess(name, CAIRN_SERVER, tmp_path_factory.mktemp(name), extra_args=args,
                         config_text=config)
        s.debug = debug
        started.append(s)
        _ACTIVE.append(s)
        if start:
            s.start()
        return s

    yield make
    for s in started:
        s.stop()
        if s in _ACTIVE:
            _ACTIVE.remove(s)


@pytest.fixture
def r(cairn):
    """A RESP2 redis-py client on the module's Cairn, database flushed."""
    c = cairn.client()
    c.flushall()
    return c


@pytest.fixture
def raw(cairn):
    """raw(bytes, replies=1) -> exact reply bytes from the module's Cairn on a new connection."""
    return cairn.raw


class Both:
    """Runs the same commands on Cairn and on the reference redis-server and compares raw replies.

    Each Both starts from FLUSHALL on both servers and fresh connections (db 0, RESP2).
    Connections are named: both(..., conn="b") uses a second pair, created on first use.
    """

    def __init__(self, cairn, ref):
        self.cairn, self.ref = cairn, ref
        self.pairs = {}
        for s in (cairn, ref):
            with RawConn(s.port) as c:
                assert c.cmd("FLUSHALL") == b"+OK\r\n", f"FLUSHALL failed on {s.name}"

    def pair(self, conn="a"):
        if conn not in self.pairs:
            self.pairs[conn] = (RawConn(self.cairn.port), RawConn(self.ref.port))
        return self.pairs[conn]

    def send_both(self, data: bytes, conn="a"):
        c, r = self.pair(conn)
        c.send(data)
        r.send(data)

    def read_both(self, conn="a"):
        c, r = self.pair(conn)
        return c.read_reply(), r.read_reply()

    def __call__(self, *args, conn="a", compare=True, sort=False):
        """Runs one command on both; asserts identical reply bytes; returns Cairn's reply bytes.

        sort=True compares the replies as decoded arrays with their elements sorted (KEYS...).
        """
        c, r = self.pair(conn)
        r.send(encode(*args))
        ref = r.read_reply()
        c.send(encode(*args))
        got = c.read_reply()
        if compare:
            if sort:
                dg, dr = decode(got), decode(ref)
                if isinstance(dg, list) and isinstance(dr, list):
                    assert sorted(map(repr, dg)) == sorted(map(repr, dr)), _diff(args, got, ref)
                else:
                    assert got == ref, _diff(args, got, ref)
            else:
                assert got == ref or _same_but_score_texts(got, ref), _diff(args, got, ref)
        return got

    def ref_only(self, *args, conn="a"):
        return self.pair(conn)[1].cmd(*args)

    def cairn_only(self, *args, conn="a"):
        return self.pair(conn)[0].cmd(*args)

    def script(self, text):
        """Runs a script: one command per line, split like a shell line (quotes, \\xHH escapes).

        Line prefixes:  '!' run on both without comparing;  '~' compare with array elements sorted.
        Blank lines and lines starting with '#' are skipped.
        """
        for lineno, line in enumerate(text.strip("\n").splitlines(), 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            mode = ""
            if s[0] in "!~":
                mode, s = s[0], s[1:].strip()
            args = split_args(s)
            self(*args, compare=(mode != "!"), sort=(mode == "~"))

    def close(self):
        for c, r in self.pairs.values():
            c.close()
            r.close()


def _frames(b: bytes):
    """A reply's frames in order: (type byte, payload) for bulk strings, (type byte, line) for the rest."""
    out, i = [], 0
    while i < len(b):
        end = b.index(b"\r\n", i)
        kind, line = b[i:i + 1], b[i + 1:end]
        i = end + 2
        if kind in (b"$", b"=", b"!") and int(line) >= 0:
            n = int(line)
            out.append((kind, b[i:i + n]))
            i += n + 2
        else:
            out.append((kind, line))
    return out


def _same_but_score_texts(got: bytes, ref: bytes) -> bool:
    """Whether two replies differ only in how doubles are printed: Redis 7.0 prints %.17g, while Redis 7.2,
    Valkey 8 and Cairn print Grisu2's shortest digits (exact texts are checked by ShortestDoubleTests and
    test_sets_zsets's Valkey 8 cases). Only texts that are exactly %.17g of a double Cairn printed another way
    are let through."""
    a, b = _frames(got), _frames(ref)
    if len(a) != len(b):
        return False
    for (ka, va), (kb, vb) in zip(a, b):
        if (ka, va) == (kb, vb):
            continue
        if ka != kb or ka not in (b"$", b","):
            return False
        try:
            mine, theirs = float(va), float(vb)
        except ValueError:
            return False
        if mine != theirs or vb.decode() != "%.17g" % theirs:
            return False
    return True


def _diff(args, got, ref):
    shown = [a if not isinstance(a, (bytes, str)) or len(a) < 80 else (a[:77] + (b"..." if isinstance(a, bytes) else "...")) for a in args]
    return f"command {shown!r}\n  cairn: {got[:600]!r}\n  redis: {ref[:600]!r}"


def split_args(line: str):
    """Splits a script line into arguments: whitespace-separated, "double quotes" with \\n \\r \\t
    \\\\ \\" \\xHH escapes, 'single quotes' literal. Returns bytes."""
    out, i, n = [], 0, len(line)
    while i < n:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            break
        cur = bytearray()
        if line[i] == '"':
            i += 1
            while line[i] != '"':
                ch = line[i]
                if ch == "\\":
                    nx = line[i + 1]
                    if nx == "x":
                        cur.append(int(line[i + 2:i + 4], 16))
                        i += 4
                        continue
                    cur += {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0"}.get(nx, nx.encode())
                    i += 2
                    continue
                cur += ch.encode()
                i += 1
            i += 1
        elif line[i] == "'":
            j = line.index("'", i + 1)
            cur += line[i + 1:j].encode()
            i = j + 1
        else:
            while i < n and not line[i].isspace():
                cur += line[i].encode()
                i += 1
        out.append(bytes(cur))
    return out


@pytest.fixture
def both(cairn, redis_server):
    b = Both(cairn, redis_server)
    yield b
    b.close()
