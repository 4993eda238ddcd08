"""The results store: atomic files, manifest checks, corrupt and foreign folders, the lock."""

from __future__ import annotations

import hashlib
import json
import os
import socket

import pandas as pd
import pytest

from model.atomic import atomic_write, atomic_write_all
from model.errors import InputError
from model.experiments.integrity import read_sidecar, sidecar_path
from model.experiments.store import FORMAT_VERSION, ResultsStore, run_key


def new_store(tmp_path, name="exp"):
    store = ResultsStore.create(tmp_path / "out", {"name": name})
    return store


def frame(key: str, n: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {"scenario": "a", "replicate": 0, "year": range(n), "x": [1.5] * n, "run_key": key}
    )


def put(store: ResultsStore, key: str) -> None:
    store.write_plan(pd.DataFrame({"run_key": [key], "scenario": ["a"], "replicate": [0]}))
    store.write_run(key, {"county_yearly": frame(key)}, {"scenario": "a", "replicate": 0})


def temporaries(root) -> list:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_write_and_read_back(tmp_path):
    store = new_store(tmp_path)
    key = "ab" + "0" * 18
    put(store, key)
    assert store.done_keys() == {key}
    assert store.run_path(key).parent.name == "ab"
    pd.testing.assert_frame_equal(store.load(), frame(key))
    assert store.read_meta(key)["scenario"] == "a"
    assert temporaries(store.root) == []


def test_failed_write_leaves_neither_final_nor_temporary_file(tmp_path):
    target = tmp_path / "f.parquet"

    def writer(path):
        path.write_bytes(b"half a file")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, writer, durable=True)
    assert list(tmp_path.iterdir()) == []


def test_missing_folders_are_made_and_a_temporary_name_in_use_is_skipped(tmp_path, monkeypatch):
    import itertools

    import model.atomic

    target = tmp_path / "a" / "b" / "c.json"
    atomic_write(target, "first")  # the folders are missing: made on the way
    assert target.read_text() == "first"
    monkeypatch.setattr(model.atomic, "_NUMBERS", itertools.count(7))
    left = target.with_name(f".c.json.{os.getpid()}.7.tmp")  # a killed process's, same id
    left.write_text("left behind")
    atomic_write(target, "second")
    assert target.read_text() == "second"
    assert left.read_text() == "left behind"
    assert sorted(p.name for p in target.parent.iterdir()) == [left.name, "c.json"]


def test_a_group_of_files_is_renamed_in_order_only_after_all_are_written(tmp_path, monkeypatch):
    renamed = []
    real_replace = os.replace

    def replace(src, dst):
        # Every file of the group is on disk (as a temporary) before the first rename.
        assert len(temporaries(tmp_path)) == 3 - len(renamed)
        renamed.append(os.path.basename(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    files = [(tmp_path / "sub" / "c", "3"), (tmp_path / "a", b"1"), (tmp_path / "b", "2")]
    atomic_write_all(files, durable=True)
    assert renamed == ["c", "a", "b"]
    assert [path.read_text() for path, _ in files] == ["3", "1", "2"]
    assert temporaries(tmp_path) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="names open files via /proc")
def test_a_durable_group_is_flushed_file_by_file_before_the_first_rename(tmp_path, monkeypatch):
    flushed, renamed = [], []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        flushed.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    def replace(src, dst):
        assert len(flushed) == 6, "a file was renamed before every file was flushed"
        renamed.append(str(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    files = [(tmp_path / f"d{i % 2}" / f"f{i}", str(i)) for i in range(6)]
    atomic_write_all(files, durable=True)
    assert sorted(flushed) == sorted(renamed)  # each temporary flushed once, then renamed
    assert [path.read_text() for path, _ in files] == [str(i) for i in range(6)]


def test_a_group_interrupted_while_renaming_leaves_whole_files_and_no_temporaries(
    tmp_path, monkeypatch
):
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    files = [(tmp_path / name, name * 4) for name in "abc"]
    with pytest.raises(KeyboardInterrupt):
        atomic_write_all(files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]  # the first, complete
    assert (tmp_path / "a").read_text() == "aaaa"


def test_a_group_of_runs_is_stored_each_in_its_own_files(tmp_path):
    store = new_store(tmp_path)
    keys = ["ab" + str(i) * 18 for i in range(3)]
    store.write_failure(keys[1], {"error": "ValueError: x"})
    store.write_runs(
        [(key, {"county_yearly": frame(key), "villages": frame(key, 2)}, None) for key in keys]
    )
    assert store.done_keys() == set(keys)
    assert store.failures() == {}
    for key in keys:
        pd.testing.assert_frame_equal(store.load(keys=[key]), frame(key))
        assert set(read_sidecar(store.root, key)) == {"county_yearly", "villages"}
    assert store.check_runs(checksum=True) == []
    assert temporaries(store.root) == []


def test_success_clears_an_earlier_failure(tmp_path):
    store = new_store(tmp_path)
    key = "cd" + "1" * 18
    store.write_failure(key, {"error": "ValueError: x"})
    assert set(store.failures()) == {key}
    put(store, key)
    assert store.failures() == {}


def test_continue_same_experiment_refuses_another(tmp_path):
    new_store(tmp_path, "exp")
    assert ResultsStore.create(tmp_path / "out", {"name": "exp"}).manifest["experiment"]
    with pytest.raises(InputError) as err:
        ResultsStore.create(tmp_path / "out", {"name": "other"})
    assert "experiment 'exp'" in err.value.message and "--out" in err.value.message


def test_foreign_folder_is_refused(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8")
    for call in (ResultsStore.open, lambda p: ResultsStore.create(p, {"name": "exp"})):
        with pytest.raises(InputError) as err:
            call(folder)
        assert "not a jointvillage results folder" in err.value.message
    assert [p.name for p in folder.iterdir()] == ["holiday.jpg"]  # nothing written


def test_foreign_manifest_is_refused(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(InputError) as err:
        ResultsStore.open(folder)
    assert "not a jointvillage results manifest" in err.value.message


def test_unreadable_manifest_is_reported(tmp_path):
    store = new_store(tmp_path)
    (store.root / "manifest.json").write_text("{not json")
    with pytest.raises(InputError) as err:
        ResultsStore.open(store.root)
    assert "corrupt manifest" in err.value.message


def test_newer_format_is_refused(tmp_path):
    store = new_store(tmp_path)
    store.manifest["format_version"] = FORMAT_VERSION + 1
    store.write_manifest()
    with pytest.raises(InputError) as err:
        ResultsStore.open(store.root)
    assert "upgrade" in err.value.message


def test_missing_folder(tmp_path):
    with pytest.raises(InputError) as err:
        ResultsStore.open(tmp_path / "nope")
    assert "not found" in err.value.message


def test_corrupt_run_file_is_named_and_verify_sets_it_aside(tmp_path):
    store = new_store(tmp_path)
    key = "ef" + "2" * 18
    put(store, key)
    store.run_path(key).write_bytes(b"PAR1 garbage")
    with pytest.raises(InputError) as err:
        store.load()
    text = err.value.message
    assert str(store.run_path(key)) in text and "corrupt" in text and "--verify" in text
    assert store.verify() == [key]
    assert store.done_keys() == set()
    assert len(list((store.root / "corrupt").iterdir())) == 1


def test_file_of_another_run_is_corrupt(tmp_path):
    store = new_store(tmp_path)
    key, other = "aa" + "3" * 18, "aa" + "4" * 18
    put(store, key)
    os.replace(store.run_path(key), store.run_path(other))
    with pytest.raises(InputError) as err:
        store.load(keys=[other])
    assert "holds run" in err.value.message


def test_lock_refuses_a_second_writer_and_takes_over_a_dead_one(tmp_path):
    store = new_store(tmp_path)
    with store.lock(), pytest.raises(InputError) as err, store.lock():
        pass
    assert "another batch" in err.value.message
    assert not (store.root / ".lock").exists()
    # A lock left by a process that is gone is taken over.
    (store.root / ".lock").write_text(
        json.dumps({"pid": 2**22 + 12345, "host": socket.gethostname(), "since": "x"})
    )
    with store.lock():
        assert json.loads((store.root / ".lock").read_text())["pid"] == os.getpid()


def test_run_key_depends_on_scenario_replicate_and_version():
    data = {"name": "a", "seed": 1, "description": "x"}
    key = run_key(data, 0, "1.0")
    assert key == run_key({**data, "description": "y"}, 0, "1.0")
    assert (
        len(
            {
                key,
                run_key(data, 1, "1.0"),
                run_key(data, 0, "1.1"),
                run_key({**data, "seed": 2}, 0, "1.0"),
            }
        )
        == 4
    )


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_store_files_honour_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        store = new_store(tmp_path)
        put(store, "ab" + "5" * 18)
        store.write_run("ab" + "5" * 18, {"county_yearly": frame("x"), "villages": frame("y")})
        store.write_failure("cd" + "6" * 18, {"error": "ValueError: x"})
        store.write_counts(2, 1, 1)
    finally:
        os.umask(old)
    files = [p for p in store.root.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"manifest.json", "plan.parquet", "ab" + "5" * 18 + ".json"} <= names
    assert len([p for p in files if p.suffix == ".parquet"]) == 3  # plan, run, table
    modes = {p.relative_to(store.root).as_posix(): oct(p.stat().st_mode & 0o777) for p in files}
    assert modes == dict.fromkeys(modes, oct(mode))


def test_sidecar_holds_each_files_size_and_sha256(tmp_path):
    store = new_store(tmp_path)
    key = "ab" + "7" * 18
    store.write_run(key, {"county_yearly": frame(key), "villages": frame(key, 5)})
    files = read_sidecar(store.root, key)
    assert sorted(files) == ["county_yearly", "villages"]
    for table, recorded in files.items():
        data = store.run_path(key, table).read_bytes()
        assert recorded == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert store.manifest["integrity"]["algorithm"] == "sha256"
    assert store.manifest["format_version"] == FORMAT_VERSION == 3


def test_size_check_finds_truncated_and_missing_files_checksum_only_same_size_ones(tmp_path):
    """Sizes catch truncation, emptying and a lost table; only the checksum catches flips."""
    store = new_store(tmp_path)
    keys = [c * 2 + "8" * 18 for c in "abcd"]
    for key in keys:
        store.write_run(key, {"county_yearly": frame(key), "villages": frame(key)})
    truncated, emptied, lost, flipped = keys
    path = store.run_path(truncated)
    path.write_bytes(path.read_bytes()[:-10])
    store.run_path(emptied, "villages").write_bytes(b"")
    store.run_path(lost, "villages").unlink()
    path = store.run_path(flipped)
    data = bytearray(path.read_bytes())
    data[40] ^= 0xFF
    path.write_bytes(bytes(data))
    assert store.check_runs() == [truncated, emptied, lost]
    assert not sidecar_path(store.root, truncated).exists()
    assert store.done_keys() == {flipped}
    assert store.check_runs() == []
    assert store.verify() == [flipped]
    assert store.done_keys() == set()


def test_runs_of_layout_1_are_checked_by_footer_and_given_a_sidecar(tmp_path):
    store = new_store(tmp_path)
    good, bad = "ab" + "9" * 18, "ac" + "9" * 18
    for key in (good, bad):
        store.write_run(key, {"county_yearly": frame(key)})
        sidecar_path(store.root, key).unlink()
    store.run_path(bad).write_bytes(b"PAR1 garbage")
    assert store.check_runs() == [bad]
    assert read_sidecar(store.root, good)["county_yearly"]["size"] > 0
    assert store.check_runs(checksum=True) == []
