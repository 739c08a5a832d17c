"""A BGSAVE that runs out of disk (ENOSPC on a small tmpfs) fails cleanly: the error is logged with its
reason, the previous dump and nothing else stays in the directory, and writes get MISCONF while
stop-writes-on-bgsave-error is on, as in Redis."""

import os
import subprocess
import time

import pytest

MISCONF = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. "
           "Commands that may modify the data set are disabled, because this instance is configured to report "
           "errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check "
           "the Redis logs for details about the RDB error.")


@pytest.fixture
def small_fs(tmp_path):
    """A 1 MB tmpfs (needs the right to mount: root or CAP_SYS_ADMIN)."""
    d = tmp_path / "small-fs"
    d.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(d)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield d
    subprocess.run(["umount", "-l", str(d)], capture_output=True)


def info(c):
    return c.info("persistence")


def test_bgsave_on_a_full_filesystem_fails_cleanly(cairn_factory, small_fs):
    s = cairn_factory("--save", "3600 1", "--dir", str(small_fs))
    c = s.client()
    c.set("before", "the old dump")
    assert c.save() is True
    old = (small_fs / "dump.rdb").read_bytes()

    # Incompressible values twice the filesystem's size: the snapshot's writes hit ENOSPC part way.
    p = c.pipeline(transaction=False)
    for i in range(500):
        p.set(f"big:{i}", os.urandom(4096))
    p.execute()
    assert c.bgsave()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and info(c)["rdb_bgsave_in_progress"]:
        time.sleep(0.02)
    i = info(c)
    assert i["rdb_bgsave_in_progress"] == 0 and i["rdb_last_bgsave_status"] == "err"

    assert "No space left on device" in s.log_text()
    assert sorted(os.listdir(small_fs)) == ["dump.rdb"]
    assert (small_fs / "dump.rdb").read_bytes() == old

    with pytest.raises(Exception, match="^" + MISCONF.replace("(", r"\(").replace(")", r"\)") + "$"):
        c.set("after", 1)
    assert c.get("before") == b"the old dump"
    assert c.dbsize() == 501

    # The setting takes effect at once both ways, as Redis checks it on every write.
    c.config_set("stop-writes-on-bgsave-error", "no")
    assert c.set("after", 1) is True
    c.delete(*[f"big:{i}" for i in range(500)])
    c.config_set("stop-writes-on-bgsave-error", "yes")
    with pytest.raises(Exception, match="^MISCONF"):
        c.set("after", 2)
    assert c.bgsave()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and info(c)["rdb_bgsave_in_progress"]:
        time.sleep(0.02)
    assert info(c)["rdb_last_bgsave_status"] == "ok"
    assert c.set("after", 2) is True
    s.stop()
