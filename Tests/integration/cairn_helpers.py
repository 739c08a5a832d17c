"""Raw-socket RESP helpers shared by the integration tests.

Everything here works on exact bytes: `RawConn.read_reply()` returns the bytes of one complete
RESP2/RESP3 reply exactly as the server wrote them, so two servers' answers can be compared
byte for byte. `decode()` turns such bytes into Python values when a test needs structure.
"""

import socket
import time

DEFAULT_TIMEOUT = 10.0


def encode(*args) -> bytes:
    """Encodes one command as a RESP multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, bytes):
            b = a
        elif isinstance(a, (bytearray, memoryview)):
            b = bytes(a)
        elif isinstance(a, str):
            b = a.encode()
        elif isinstance(a, (int, float)):
            b = repr(a).encode() if isinstance(a, float) else str(a).encode()
        else:
            raise TypeError(f"cannot encode {type(a)}")
        out.append(b"$%d\r\n" % len(b))
        out.append(b)
        out.append(b"\r\n")
    return b"".join(out)


class ConnectionClosed(Exception):
    """The server closed the connection before a full reply arrived."""


class RawConn:
    """A plain TCP connection that sends bytes and reads whole RESP replies."""

    def __init__(self, port, host="127.0.0.1", timeout=DEFAULT_TIMEOUT):
        self.port = port
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    # -- sending ---------------------------------------------------------------------------
    def send(self, data: bytes):
        self.sock.sendall(data)

    def cmd(self, *args) -> bytes:
        """Sends one command and returns the raw bytes of its reply."""
        self.send(encode(*args))
        return self.read_reply()

    def call(self, *args):
        """Sends one command and returns its decoded reply."""
        return decode(self.cmd(*args))

    # -- reading ---------------------------------------------------------------------------
    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionClosed(f"connection closed; unparsed bytes: {bytes(self.buf[self.pos:])[:200]!r}")
        self.buf += chunk

    def _line(self) -> bytes:
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n:
            self._fill()
        self.pos += n

    def _skip_reply(self):
        line = self._line()
        if not line:
            raise ValueError("empty reply line")
        t = line[:1]
        if t in b"+-:_,#(":
            return
        if t in b"$!=":
            n = int(line[1:])
            if n >= 0:
                self._exact(n + 2)
            return
        if t in b"*~>":
            n = int(line[1:])
            for _ in range(max(n, 0)):
                self._skip_reply()
            return
        if t == b"%":
            for _ in range(2 * int(line[1:])):
                self._skip_reply()
            return
        if t == b"|":  # attribute: a map, then the reply it describes
            for _ in range(2 * int(line[1:])):
                self._skip_reply()
            self._skip_reply()
            return
        raise ValueError(f"unknown RESP type byte in {line[:80]!r}")

    def read_reply(self) -> bytes:
        """Returns the exact bytes of the next complete reply."""
        start = self.pos
        try:
            self._skip_reply()
        except Exception:
            self.pos = start
            raise
        out = bytes(self.buf[start:self.pos])
        if self.pos > (1 << 20):
            del self.buf[:self.pos]
            self.pos = 0
        return out

    def read_replies(self, n) -> bytes:
        return b"".join(self.read_reply() for _ in range(n))

    def read_until_close(self, timeout=DEFAULT_TIMEOUT) -> bytes:
        """Reads everything until the server closes the connection; raises on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(1 << 20)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                out = bytes(self.buf[self.pos:])
                self.pos = len(self.buf)
                return out
            self.buf += chunk

    def pending(self, wait=0.2) -> bytes:
        """Returns whatever arrives within `wait` seconds (b'' if nothing); never raises on timeout."""
        old = self.sock.gettimeout()
        self.sock.settimeout(wait)
        try:
            chunk = self.sock.recv(1 << 20)
            self.buf += chunk
        except (socket.timeout, BlockingIOError):
            pass
        finally:
            self.sock.settimeout(old)
        out = bytes(self.buf[self.pos:])
        self.pos = len(self.buf)
        return out

    def is_closed(self, wait=2.0) -> bool:
        """True when the server has closed the connection (EOF or reset) within `wait` seconds."""
        old = self.sock.gettimeout()
        self.sock.settimeout(wait)
        try:
            chunk = self.sock.recv(1 << 16)
            if chunk:
                self.buf += chunk
                return False
            return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(old)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def raw(port, data: bytes, replies=1, timeout=DEFAULT_TIMEOUT) -> bytes:
    """Sends `data` on a new connection and returns the exact bytes of `replies` complete replies.

    With replies=None it reads until the server closes the connection.
    """
    with RawConn(port, timeout=timeout) as c:
        c.send(data)
        if replies is None:
            return c.read_until_close(timeout)
        return c.read_replies(replies)


# -- decoding ----------------------------------------------------------------------------------

class Err(str):
    """A decoded error reply (the text after '-' or the '!' blob)."""


class Status(bytes):
    """A decoded simple-string reply."""


class Verbatim(bytes):
    """A decoded RESP3 verbatim string; .format holds its three-letter type."""
    format = b""


class Push(list):
    """A decoded RESP3 push message."""


class Double(float):
    """A decoded RESP3 double."""


class Attributed:
    def __init__(self, attrs, value):
        self.attrs, self.value = attrs, value

    def __repr__(self):
        return f"Attributed({self.attrs!r}, {self.value!r})"


def _decode_at(b: bytes, i: int):
    j = b.index(b"\r\n", i)
    t, rest = b[i:i + 1], b[i + 1:j]
    i = j + 2
    if t == b"+":
        return Status(rest), i
    if t == b"-":
        return Err(rest.decode("latin-1")), i
    if t == b":":
        return int(rest), i
    if t == b"(":
        return int(rest), i
    if t == b"_":
        return None, i
    if t == b"#":
        return rest == b"t", i
    if t == b",":
        return Double(float(rest)), i
    if t in (b"$", b"!", b"="):
        n = int(rest)
        if n < 0:
            return None, i
        data = b[i:i + n]
        i += n + 2
        if t == b"!":
            return Err(data.decode("latin-1")), i
        if t == b"=":
            v = Verbatim(data[4:])
            v.format = data[:3]
            return v, i
        return data, i
    if t in (b"*", b"~", b">"):
        n = int(rest)
        if n < 0:
            return None, i
        items = []
        for _ in range(n):
            v, i = _decode_at(b, i)
            items.append(v)
        if t == b"~":
            return set(_hashable(x) for x in items), i
        if t == b">":
            return Push(items), i
        return items, i
    if t in (b"%", b"|"):
        n = int(rest)
        pairs = []
        for _ in range(n):
            k, i = _decode_at(b, i)
            v, i = _decode_at(b, i)
            pairs.append((_hashable(k), v))
        d = dict(pairs)
        if t == b"|":
            v, i = _decode_at(b, i)
            return Attributed(d, v), i
        return d, i
    raise ValueError(f"unknown RESP type {t!r} at {i}")


def _hashable(x):
    if isinstance(x, list):
        return tuple(_hashable(y) for y in x)
    if isinstance(x, (set, dict)):
        return repr(x)
    return x


def decode(b: bytes):
    """Decodes exactly one complete reply (as returned by RawConn.read_reply)."""
    v, i = _decode_at(b, 0)
    if i != len(b):
        raise ValueError(f"trailing bytes after reply: {b[i:i + 80]!r}")
    return v


def decode_all(b: bytes):
    out, i = [], 0
    while i < len(b):
        v, i = _decode_at(b, i)
        out.append(v)
    return out


def parse_info(text) -> dict:
    """Parses INFO output into {section: {field: value}} (section names lower-cased)."""
    if isinstance(text, bytes):
        text = text.decode()
    sections, cur = {}, None
    for line in text.split("\r\n"):
        if not line:
            continue
        if line.startswith("# "):
            cur = sections.setdefault(line[2:].strip().lower(), {})
            continue
        k, _, v = line.partition(":")
        if cur is None:
            cur = sections.setdefault("", {})
        cur[k] = v
    return sections


def parse_client_line(line) -> dict:
    """Parses one CLIENT LIST / CLIENT INFO line into an ordered {field: value} dict."""
    if isinstance(line, bytes):
        line = line.decode()
    out = {}
    for part in line.strip().split(" "):
        k, _, v = part.partition("=")
        out[k] = v
    return out


def redis_contents(c, db):
    """Every key of one database of a live server with its type, content and absolute deadline, in the form
    test_cairn_dump's `normalize` gives a dump's records (streams: entries and metadata)."""
    c.execute_command("SELECT", db)
    out = {}
    for k in c.scan_iter(count=1000):
        t = c.type(k).decode()
        if t == "string":
            v = c.get(k)
        elif t == "list":
            v = c.lrange(k, 0, -1)
        elif t == "set":
            v = sorted(c.smembers(k))
        elif t == "hash":
            v = c.hgetall(k)
        elif t == "zset":
            v = dict(c.zrange(k, 0, -1, withscores=True))
        else:
            info = c.xinfo_stream(k)
            groups = c.xinfo_groups(k)
            v = ([(i.decode(), [x for kv in fields.items() for x in kv]) for i, fields in c.xrange(k)],
                 info["last-generated-id"].decode(), info["entries-added"], info["max-deleted-entry-id"].decode(),
                 sorted((g["name"].decode(), g["last-delivered-id"].decode(), g["entries-read"], g["pending"],
                         sorted(x["name"].decode() for x in c.xinfo_consumers(k, g["name"]))) for g in groups))
        exp = c.execute_command("PEXPIRETIME", k)
        out[(db, k)] = (t, v, exp if exp >= 0 else None)
    return out


def server_contents(c):
    """`redis_contents` of all 16 databases."""
    out = {}
    for db in range(16):
        out.update(redis_contents(c, db))
    c.execute_command("SELECT", 0)
    return out
