"""Tests for mcusim.machine.semihosting against a fake bytearray-backed guest memory."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from mcusim.machine.semihosting import (
    ADP_STOPPED_APPLICATION_EXIT,
    ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN,
    EACCES,
    EBADF,
    EFAULT,
    EINVAL,
    EMFILE,
    ENAMETOOLONG,
    ENOENT,
    ENOSYS,
    MAX_OPEN,
    HeapInfo,
    Semihosting,
    SemihostingExit,
)

BASE = 0x2000_0000
SIZE = 0x1_0000
BLOCK = BASE + 0x100  # parameter blocks
TEXT = BASE + 0x1000  # strings and buffers
TEXT2 = BASE + 0x2000
UNMAPPED = 0x6000_0000

SYS_OPEN, SYS_CLOSE, SYS_WRITEC, SYS_WRITE0, SYS_WRITE, SYS_READ = 1, 2, 3, 4, 5, 6
SYS_READC, SYS_ISERROR, SYS_ISTTY, SYS_SEEK, SYS_FLEN, SYS_TMPNAM = 7, 8, 9, 0xA, 0xC, 0xD
SYS_REMOVE, SYS_RENAME, SYS_CLOCK, SYS_TIME = 0xE, 0xF, 0x10, 0x11
SYS_SYSTEM, SYS_ERRNO = 0x12, 0x13
SYS_GET_CMDLINE, SYS_HEAPINFO, SYS_EXIT, SYS_EXIT_EXTENDED = 0x15, 0x16, 0x18, 0x20
SYS_ELAPSED, SYS_TICKFREQ = 0x30, 0x31


class FakeMemory:
    """One RAM region; anything outside raises, as an unmapped Unicorn access would."""

    def __init__(self) -> None:
        self.ram = bytearray(SIZE)

    def _offset(self, address: int, size: int) -> int:
        if address < BASE or address + size > BASE + SIZE:
            raise RuntimeError(f"unmapped 0x{address:08X}")
        return address - BASE

    def read(self, address: int, size: int) -> bytes:
        offset = self._offset(address, size)
        return bytes(self.ram[offset : offset + size])

    def write(self, address: int, data: bytes) -> None:
        offset = self._offset(address, len(data))
        self.ram[offset : offset + len(data)] = data

    def words(self, address: int, count: int) -> tuple[int, ...]:
        return struct.unpack(f"<{count}I", self.read(address, 4 * count))


class Rig:
    """A Semihosting instance plus its fake memory, console log and a settable clock."""

    def __init__(
        self, root: Path | None = None, stdin_data: bytes | None = None, cmdline: str = "app --n 3"
    ) -> None:
        self.memory = FakeMemory()
        self.out: list[tuple[bytes, int]] = []
        self.seconds = 0.0
        self._stdin = bytearray(stdin_data or b"")

        def read_stdin(n: int) -> bytes:
            data = bytes(self._stdin[:n])
            del self._stdin[:n]
            return data

        self.sh = Semihosting(
            self.memory,
            console=lambda data, fd: self.out.append((data, fd)),
            stdin=read_stdin if stdin_data is not None else None,
            root=root,
            cmdline=cmdline,
            clock_seconds=lambda: self.seconds,
            tick_hz=1_000_000,
            heap_info=HeapInfo(0x2000_1000, 0x2001_0000, 0x2004_0000, 0x2003_0000),
            start_epoch_s=1_700_000_000,
        )

    def block(self, *words: int) -> int:
        self.memory.write(BLOCK, struct.pack(f"<{len(words)}I", *words))
        return BLOCK

    def string(self, text: bytes, address: int = TEXT) -> int:
        self.memory.write(address, text + b"\0")
        return address

    def open(self, name: bytes, mode: int) -> int:
        return self.sh.call(SYS_OPEN, self.block(self.string(name), mode, len(name)))

    def write(self, handle: int, data: bytes) -> int:
        return self.sh.call(SYS_WRITE, self.block(handle, self.string(data, TEXT2), len(data)))

    def read(self, handle: int, length: int) -> tuple[int, bytes]:
        self.memory.write(TEXT2, bytes(length))
        result = self.sh.call(SYS_READ, self.block(handle, TEXT2, length))
        return result, self.memory.read(TEXT2, length)


@pytest.fixture
def rig() -> Rig:
    return Rig()


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    (root / "data.bin").write_bytes(b"0123456789")
    (tmp_path / "secret.txt").write_bytes(b"top secret")
    return root


# ---- console ---------------------------------------------------------------------------------


def test_tt_opens_give_stdin_a_table_handle_and_stdout_stderr_reserved_ones(rig: Rig) -> None:
    assert rig.open(b":tt", 0) == 3
    assert rig.open(b":tt", 4) == 1
    assert rig.open(b":tt", 8) == 2
    assert rig.sh.counts["SYS_OPEN"] == 3


def test_write_to_stdout_and_stderr_reaches_the_console_with_its_fd(rig: Rig) -> None:
    assert rig.write(rig.open(b":tt", 5), b"hello\n") == 0
    assert rig.write(rig.open(b":tt", 9), b"oops\n") == 0
    assert rig.out == [(b"hello\n", 1), (b"oops\n", 2)]


def test_writec_and_write0_print_to_stdout(rig: Rig) -> None:
    rig.memory.write(TEXT, b"A")
    assert rig.sh.call(SYS_WRITEC, TEXT) == 0
    assert rig.sh.call(SYS_WRITE0, rig.string(b"line of text", TEXT + 63)) == 0
    assert rig.out == [(b"A", 1), (b"line of text", 1)]


def test_write0_stops_at_the_nul_right_before_unmapped_memory(rig: Rig) -> None:
    end = BASE + SIZE
    rig.memory.write(end - 4, b"abc\0")
    assert rig.sh.call(SYS_WRITE0, end - 4) == 0
    assert rig.out == [(b"abc", 1)]


def test_read_from_console_returns_bytes_not_read() -> None:
    rig = Rig(stdin_data=b"xy")
    handle = rig.open(b":tt", 0)
    assert rig.read(handle, 5) == (3, b"xy\0\0\0")
    assert rig.read(handle, 5)[0] == 5  # EOF: nothing read


def test_readc_returns_one_console_byte_then_minus_one_at_eof() -> None:
    rig = Rig(stdin_data=b"Q")
    assert rig.sh.call(SYS_READC, 0) == ord("Q")
    assert rig.sh.call(SYS_READC, 0) == -1


def test_console_input_without_a_stdin_callback_is_eof(rig: Rig) -> None:
    assert rig.read(rig.open(b":tt", 0), 4)[0] == 4


def test_istty_is_one_for_console_handles_and_minus_one_for_unknown(rig: Rig) -> None:
    stdin = rig.open(b":tt", 0)
    assert rig.sh.call(SYS_ISTTY, rig.block(stdin)) == 1
    assert rig.sh.call(SYS_ISTTY, rig.block(1)) == 1
    assert rig.sh.call(SYS_ISTTY, rig.block(rig.open(b":semihosting-features", 0))) == 0
    assert rig.sh.call(SYS_ISTTY, rig.block(40)) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == EBADF


def test_close_frees_a_handle_and_closing_it_again_fails(rig: Rig) -> None:
    handle = rig.open(b":tt", 0)
    assert rig.sh.call(SYS_CLOSE, rig.block(handle)) == 0
    assert rig.sh.call(SYS_CLOSE, rig.block(handle)) == -1
    assert rig.sh.call(SYS_CLOSE, rig.block(1)) == 0  # stdout stays usable
    assert rig.write(1, b"still here") == 0


def test_iserror_flags_negative_status_words(rig: Rig) -> None:
    assert rig.sh.call(SYS_ISERROR, rig.block(0xFFFFFFFF)) == 1
    assert rig.sh.call(SYS_ISERROR, rig.block(0)) == 0
    assert rig.sh.call(SYS_ISERROR, rig.block(17)) == 0


# ---- features pseudo-file ----------------------------------------------------------------------


def test_features_file_holds_shfb_and_exit_extended_plus_stdout_stderr_bits(rig: Rig) -> None:
    handle = rig.open(b":semihosting-features", 0)
    assert handle >= 3
    assert rig.sh.call(SYS_FLEN, rig.block(handle)) == 5
    assert rig.read(handle, 8) == (3, b"SHFB\x03\0\0\0")
    assert rig.sh.call(SYS_SEEK, rig.block(handle, 4)) == 0
    assert rig.read(handle, 1) == (0, b"\x03")
    assert rig.sh.call(SYS_CLOSE, rig.block(handle)) == 0


def test_features_file_opens_twice_at_once_but_never_for_writing(rig: Rig) -> None:
    first = rig.open(b":semihosting-features", 1)
    second = rig.open(b":semihosting-features", 0)
    assert first != second
    assert rig.open(b":semihosting-features", 4) == -1
    assert rig.write(first, b"x") == 1  # one byte not written
    assert rig.sh.call(SYS_SEEK, rig.block(first, 6)) == -1


# ---- environment and time ----------------------------------------------------------------------


def test_get_cmdline_writes_the_string_with_nul_and_its_length(rig: Rig) -> None:
    assert rig.sh.call(SYS_GET_CMDLINE, rig.block(TEXT2, 80)) == 0
    assert rig.memory.read(TEXT2, 10) == b"app --n 3\0"
    assert rig.memory.words(BLOCK, 2) == (TEXT2, 9)


def test_get_cmdline_fails_when_the_buffer_is_too_small(rig: Rig) -> None:
    assert rig.sh.call(SYS_GET_CMDLINE, rig.block(TEXT2, 9)) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == EINVAL


def test_heapinfo_fills_the_block_the_parameter_points_at_with_four_le_words(rig: Rig) -> None:
    rig.memory.write(TEXT, struct.pack("<I", TEXT2))
    assert rig.sh.call(SYS_HEAPINFO, TEXT) == 0
    assert rig.memory.read(TEXT2, 4) == bytes.fromhex("00100020")
    assert rig.memory.words(TEXT2, 4) == (0x2000_1000, 0x2001_0000, 0x2004_0000, 0x2003_0000)


def test_clock_time_elapsed_and_tickfreq_follow_modelled_time(rig: Rig) -> None:
    rig.seconds = 2.29
    assert rig.sh.call(SYS_CLOCK, 0) == 229
    assert rig.sh.call(SYS_TIME, 0) == 1_700_000_002
    assert rig.sh.call(SYS_TICKFREQ, 0) == 1_000_000
    assert rig.sh.call(SYS_ELAPSED, TEXT) == 0
    assert rig.memory.words(TEXT, 2) == (2_290_000, 0)


def test_elapsed_splits_a_large_tick_count_low_word_first(rig: Rig) -> None:
    rig.seconds = 5000.0  # 5e9 ticks at 1 MHz, above 32 bits
    assert rig.sh.call(SYS_ELAPSED, TEXT) == 0
    low, high = rig.memory.words(TEXT, 2)
    assert (high << 32) | low == 5_000_000_000
    assert high == 1


def test_counts_record_calls_per_operation_name(rig: Rig) -> None:
    rig.sh.call(SYS_CLOCK, 0)
    rig.sh.call(SYS_CLOCK, 0)
    rig.sh.call(SYS_TICKFREQ, 0)
    assert rig.sh.counts == {"SYS_CLOCK": 2, "SYS_TICKFREQ": 1}


# ---- exit ----------------------------------------------------------------------------------------


def test_exit_with_application_exit_reason_is_exit_code_zero(rig: Rig) -> None:
    with pytest.raises(SemihostingExit) as info:
        rig.sh.call(SYS_EXIT, ADP_STOPPED_APPLICATION_EXIT)
    assert (info.value.code, info.value.reason) == (0, 0x20026)


def test_exit_with_run_time_error_reason_is_exit_code_one(rig: Rig) -> None:
    with pytest.raises(SemihostingExit) as info:
        rig.sh.call(SYS_EXIT, ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN)
    assert (info.value.code, info.value.reason) == (1, 0x20023)


def test_exit_extended_returns_the_subcode_as_exit_code(rig: Rig) -> None:
    with pytest.raises(SemihostingExit) as info:
        rig.sh.call(SYS_EXIT_EXTENDED, rig.block(ADP_STOPPED_APPLICATION_EXIT, 3))
    assert info.value.code == 3
    with pytest.raises(SemihostingExit) as negative:
        rig.sh.call(SYS_EXIT_EXTENDED, rig.block(ADP_STOPPED_APPLICATION_EXIT, 0xFFFFFFFF))
    assert negative.value.code == -1


def test_exit_extended_with_another_reason_is_exit_code_one(rig: Rig) -> None:
    with pytest.raises(SemihostingExit) as info:
        rig.sh.call(SYS_EXIT_EXTENDED, rig.block(ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN, 6))
    assert (info.value.code, info.value.reason) == (1, 0x20023)


def test_exit_extended_with_a_bad_pointer_returns_minus_one(rig: Rig) -> None:
    assert rig.sh.call(SYS_EXIT_EXTENDED, UNMAPPED) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == EFAULT


# ---- refusals and bounds ----------------------------------------------------------------------


def test_system_is_always_refused_and_runs_nothing(rig: Rig, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    command = f"touch {marker}".encode()
    assert rig.sh.call(SYS_SYSTEM, rig.block(rig.string(command), len(command))) == -1
    assert not marker.exists()
    assert rig.sh.call(SYS_ERRNO, 0) == EACCES
    assert "never run" in rig.sh.refused[-1]


def test_tmpnam_is_refused(rig: Rig) -> None:
    assert rig.sh.call(SYS_TMPNAM, rig.block(TEXT2, 1, 64)) == -1
    assert rig.sh.refused[-1].startswith("SYS_TMPNAM")


def test_unknown_operation_returns_minus_one_sets_errno_and_is_recorded(rig: Rig) -> None:
    assert rig.sh.call(0x17, 0) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == ENOSYS
    assert rig.sh.refused == ["UNKNOWN operation 0x17: not a semihosting operation"]
    assert rig.sh.counts["UNKNOWN"] == 1


def test_bad_pointers_return_minus_one_with_efault_and_never_raise(rig: Rig) -> None:
    assert rig.sh.call(SYS_WRITE0, UNMAPPED) == -1
    assert rig.sh.call(SYS_WRITEC, UNMAPPED) == -1
    assert rig.sh.call(SYS_OPEN, UNMAPPED) == -1
    rig.memory.write(TEXT, struct.pack("<I", 0))  # HEAPINFO block at address 0
    assert rig.sh.call(SYS_HEAPINFO, TEXT) == -1
    assert rig.sh.call(SYS_WRITE, rig.block(1, UNMAPPED, 4)) == -1
    features = rig.open(b":semihosting-features", 0)
    assert rig.sh.call(SYS_READ, rig.block(features, UNMAPPED, 4)) == -1
    assert rig.sh.call(SYS_ELAPSED, UNMAPPED) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == EFAULT
    assert rig.out == []
    assert len(rig.sh.refused) == 7


def test_write0_without_a_nul_runs_into_unmapped_memory_and_fails(rig: Rig) -> None:
    rig.memory.write(BASE + SIZE - 8, b"x" * 8)
    assert rig.sh.call(SYS_WRITE0, BASE + SIZE - 8) == -1
    assert rig.out == []


def test_oversize_lengths_are_refused_before_touching_memory(rig: Rig) -> None:
    assert rig.sh.call(SYS_WRITE, rig.block(1, TEXT, 16 * 1024 * 1024 + 1)) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == EINVAL
    assert rig.sh.call(SYS_READ, rig.block(rig.open(b":tt", 0), TEXT, 0x8000_0000)) == -1
    assert rig.sh.call(SYS_OPEN, rig.block(TEXT, 0, 4097)) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == ENAMETOOLONG
    assert rig.sh.call(SYS_GET_CMDLINE, rig.block(TEXT, 0xFFFFFFFF)) == -1
    assert len(rig.sh.refused) == 4


def test_open_with_mode_outside_the_table_is_refused(rig: Rig) -> None:
    assert rig.open(b":tt", 12) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == EINVAL


def test_no_root_means_no_host_files_at_all(rig: Rig) -> None:
    assert rig.open(b"/etc/passwd", 0) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == 13
    assert rig.sh.refused == [
        "SYS_OPEN '/etc/passwd': host files are not enabled (no sandbox root)"
    ]
    name = b"data.bin"
    assert rig.sh.call(SYS_REMOVE, rig.block(rig.string(name), len(name))) == -1


def test_at_most_64_handles_are_open_at_once(rig: Rig) -> None:
    handles = [rig.open(b":tt", 0) for _ in range(MAX_OPEN)]
    assert handles == list(range(3, 3 + MAX_OPEN))
    assert rig.open(b":tt", 0) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == EMFILE
    assert rig.sh.call(SYS_CLOSE, rig.block(10)) == 0
    assert rig.open(b":tt", 0) == 10


def test_refused_list_is_capped_but_every_refusal_is_counted(rig: Rig) -> None:
    for _ in range(1100):
        rig.sh.call(SYS_SYSTEM, 0)
    assert len(rig.sh.refused) == 1001
    assert rig.sh.refused_total == 1100
    assert rig.sh.counts["SYS_SYSTEM"] == 1100


# ---- sandboxed host files ----------------------------------------------------------------------


def test_host_file_read_seek_and_flen_inside_the_root(sandbox: Path) -> None:
    rig = Rig(root=sandbox)
    handle = rig.open(b"data.bin", 1)
    assert handle == 3
    assert rig.sh.call(SYS_ISTTY, rig.block(handle)) == 0
    assert rig.sh.call(SYS_FLEN, rig.block(handle)) == 10
    assert rig.read(handle, 4) == (0, b"0123")
    assert rig.sh.call(SYS_SEEK, rig.block(handle, 8)) == 0
    assert rig.read(handle, 4) == (2, b"89\0\0")
    assert rig.write(handle, b"no") == -1  # opened read-only
    assert rig.sh.call(SYS_ERRNO, 0) == EBADF
    rig.sh.close()
    assert rig.sh.call(SYS_FLEN, rig.block(handle)) == -1


def test_host_file_write_append_and_truncate_modes(sandbox: Path) -> None:
    rig = Rig(root=sandbox)
    out = rig.open(b"out.txt", 4)
    assert rig.write(out, b"first") == 0
    assert rig.sh.call(SYS_CLOSE, rig.block(out)) == 0
    log = rig.open(b"out.txt", 8)
    assert rig.write(log, b"+more") == 0
    assert rig.sh.call(SYS_CLOSE, rig.block(log)) == 0
    assert (sandbox / "out.txt").read_bytes() == b"first+more"
    both = rig.open(b"out.txt", 6)  # w+: truncates
    assert rig.sh.call(SYS_FLEN, rig.block(both)) == 0
    rig.sh.close()


def test_missing_host_file_fails_with_enoent_without_a_refusal(sandbox: Path) -> None:
    rig = Rig(root=sandbox)
    assert rig.open(b"missing.bin", 0) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == ENOENT
    assert rig.sh.refused == []


def test_absolute_paths_are_refused_even_inside_the_root(sandbox: Path) -> None:
    rig = Rig(root=sandbox)
    assert rig.open(str(sandbox / "data.bin").encode(), 0) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == EACCES
    assert "absolute paths are refused" in rig.sh.refused[-1]


def test_dot_dot_components_are_refused(sandbox: Path) -> None:
    rig = Rig(root=sandbox)
    assert rig.open(b"../secret.txt", 0) == -1
    assert rig.open(b"sub/../data.bin", 0) == -1
    assert all("'..' components" in entry for entry in rig.sh.refused)
    assert len(rig.sh.refused) == 2


def test_symlinks_that_escape_the_root_are_refused(sandbox: Path) -> None:
    os.symlink(sandbox.parent / "secret.txt", sandbox / "link.txt")
    os.symlink(sandbox.parent, sandbox / "up")
    rig = Rig(root=sandbox)
    assert rig.open(b"link.txt", 0) == -1
    assert rig.open(b"up/secret.txt", 0) == -1
    assert rig.open(b"up/new.txt", 4) == -1
    assert not (sandbox.parent / "new.txt").exists()
    assert rig.sh.refused[0] == "SYS_OPEN 'link.txt': outside the sandbox"
    assert len(rig.sh.refused) == 3


def test_directories_are_not_opened(sandbox: Path) -> None:
    (sandbox / "sub").mkdir()
    rig = Rig(root=sandbox)
    assert rig.open(b"sub", 0) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == EACCES


def test_remove_and_rename_work_only_inside_the_root(sandbox: Path) -> None:
    rig = Rig(root=sandbox)
    old, new = b"data.bin", b"renamed.bin"
    block = rig.block(rig.string(old), len(old), rig.string(new, TEXT2), len(new))
    assert rig.sh.call(SYS_RENAME, block) == 0
    assert (sandbox / "renamed.bin").read_bytes() == b"0123456789"
    escape = b"../stolen.bin"
    block = rig.block(rig.string(new), len(new), rig.string(escape, TEXT2), len(escape))
    assert rig.sh.call(SYS_RENAME, block) == -1
    assert (sandbox / "renamed.bin").exists()
    assert rig.sh.call(SYS_REMOVE, rig.block(rig.string(new), len(new))) == 0
    assert not (sandbox / "renamed.bin").exists()
    secret = b"../secret.txt"
    assert rig.sh.call(SYS_REMOVE, rig.block(rig.string(secret), len(secret))) == -1
    assert (sandbox.parent / "secret.txt").exists()


def test_the_root_folder_itself_cannot_be_opened_removed_or_renamed(sandbox: Path) -> None:
    rig = Rig(root=sandbox)
    dot = b"."
    assert rig.open(dot, 0) == -1
    assert rig.sh.call(SYS_REMOVE, rig.block(rig.string(dot), len(dot))) == -1
    assert sandbox.is_dir()
    assert rig.sh.refused == [
        "SYS_OPEN '.': outside the sandbox",
        "SYS_REMOVE '.': outside the sandbox",
    ]


def test_host_errors_map_to_newlib_errno_numbers(sandbox: Path) -> None:
    rig = Rig(root=sandbox)
    (sandbox / "sub").mkdir()
    name = b"sub"
    assert rig.sh.call(SYS_REMOVE, rig.block(rig.string(name), len(name))) == -1
    assert rig.sh.call(SYS_ERRNO, 0) in (1, 21)  # EPERM or EISDIR, host-dependent
    missing = b"nope/new.txt"
    assert rig.open(missing, 4) == -1
    assert rig.sh.call(SYS_ERRNO, 0) == ENOENT
