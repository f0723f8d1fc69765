"""Semihosting's console and file operations (L3.5): the console handles, ``:tt`` and
``:semihosting-features``, and host files confined to the sandbox folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mcusim.machine.semihosting.base import (
    EACCES,
    EBADF,
    EINVAL,
    EMFILE,
    ESPIPE,
    FEATURES,
    FIRST_HANDLE,
    MAX_OPEN,
    MAX_STRING,
    OPEN_MODES,
    STDERR_HANDLE,
    STDOUT_HANDLE,
    _check_length,
    _Handle,
    _Refusal,
    _show,
)


class ConsoleAndFiles:
    """Mixed into :class:`~mcusim.machine.semihosting.host.Semihosting`: SYS_OPEN to
    SYS_RENAME and SYS_SYSTEM, with the handle table and the sandbox."""

    def _op_open(self, param: int) -> int:
        name_ptr, mode, length = self._words(param, 3)
        raw = self._name(name_ptr, length)
        if mode >= len(OPEN_MODES):
            raise _Refusal(f"{_show(raw)}: mode {mode} is not in the mode table", EINVAL)
        if raw == b":tt":
            if mode >= 8:
                return STDERR_HANDLE
            return STDOUT_HANDLE if mode >= 4 else self._allocate(_Handle("stdin", ":tt"))
        if raw == b":semihosting-features":
            if mode > 1:  # spec: only modes 0 (r) and 1 (rb) may open it
                raise _Refusal(f"{_show(raw)}: mode {mode} is not a read mode", EACCES)
            return self._allocate(_Handle("features", ":semihosting-features"))
        path = self._sandboxed(raw)
        self._allocate(None)  # raises EMFILE before a host file is opened
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise _Refusal(f"{_show(raw)}: not a regular file", EACCES)
        except FileNotFoundError:
            if mode < 4:
                raise
        python_mode = OPEN_MODES[mode].replace("b", "") + "b"
        file = open(path, python_mode, buffering=0)  # noqa: SIM115 - lives in the handle table
        return self._allocate(_Handle("file", raw.decode(), file))

    def _op_close(self, param: int) -> int:
        (number,) = self._words(param, 1)
        if number in (STDOUT_HANDLE, STDERR_HANDLE):
            return 0
        handle = self._handle(number)
        del self._handles[number]
        if handle.file is not None:
            handle.file.close()
        return 0

    def _op_writec(self, param: int) -> int:
        self._console(self._read(param, 1), STDOUT_HANDLE)
        return 0

    def _op_write0(self, param: int) -> int:
        text = bytearray()
        address = param
        while len(text) <= MAX_STRING:
            # Chunks never cross a 64-byte boundary, so never run from a mapped page into an
            # unmapped one past the terminating NUL.
            chunk = self._read(address, 64 - address % 64)
            end = chunk.find(b"\0")
            if end >= 0:
                text += chunk[:end]
                if len(text) > MAX_STRING:
                    break
                self._console(bytes(text), STDOUT_HANDLE)
                return 0
            text += chunk
            address = (address + len(chunk)) & 0xFFFFFFFF
        raise _Refusal(f"at 0x{param:08X}: no NUL within {MAX_STRING} bytes", EINVAL)

    def _op_write(self, param: int) -> int:
        number, buffer, length = self._words(param, 3)
        _check_length(length, "length")
        if number in (STDOUT_HANDLE, STDERR_HANDLE):
            if length:
                self._console(self._read(buffer, length), number)
            return 0
        handle = self._handle(number)
        if handle.file is None:  # console input or the features pseudo-file
            self.errno = EBADF
            return length
        written = handle.file.write(self._read(buffer, length)) if length else 0
        return length - (written or 0)

    def _op_read(self, param: int) -> int:
        number, buffer, length = self._words(param, 3)
        _check_length(length, "length")
        handle = self._handle(number)
        if length == 0:
            return 0
        if handle.kind == "stdin":
            data = self._stdin(length)[:length] if self._stdin is not None else b""
        elif handle.kind == "features":
            data = FEATURES[handle.position : handle.position + length]
            handle.position += len(data)
        else:
            assert handle.file is not None
            data = handle.file.read(length) or b""
        if data:
            self._write(buffer, data)
        return length - len(data)

    def _op_readc(self, param: int) -> int:
        data = self._stdin(1)[:1] if self._stdin is not None else b""
        return data[0] if data else -1

    def _op_iserror(self, param: int) -> int:
        (status,) = self._words(param, 1)
        return 1 if status & 0x80000000 else 0

    def _op_istty(self, param: int) -> int:
        (number,) = self._words(param, 1)
        if number in (STDOUT_HANDLE, STDERR_HANDLE):
            return 1
        return 1 if self._handle(number).kind == "stdin" else 0

    def _op_seek(self, param: int) -> int:
        number, position = self._words(param, 2)
        handle = self._handle(number) if number not in (STDOUT_HANDLE, STDERR_HANDLE) else None
        if handle is None or handle.kind == "stdin":
            raise _Refusal(f"handle {number}: the console cannot seek", ESPIPE)
        if handle.kind == "features":
            if position > len(FEATURES):
                raise _Refusal(f"{position}: past the end of :semihosting-features", EINVAL)
            handle.position = position
            return 0
        if position & 0x80000000:
            raise _Refusal(f"{position}: position above 2 GiB", EINVAL)
        assert handle.file is not None
        handle.file.seek(position)
        return 0

    def _op_flen(self, param: int) -> int:
        (number,) = self._words(param, 1)
        handle = self._handle(number) if number not in (STDOUT_HANDLE, STDERR_HANDLE) else None
        if handle is None or handle.kind == "stdin":
            raise _Refusal(f"handle {number}: the console has no length", EINVAL)
        if handle.kind == "features":
            return len(FEATURES)
        assert handle.file is not None
        return os.fstat(handle.file.fileno()).st_size

    def _op_tmpnam(self, param: int) -> int:
        raise _Refusal("refused: temporary host files are not offered", EACCES)

    def _op_remove(self, param: int) -> int:
        name_ptr, length = self._words(param, 2)
        path = self._sandboxed(self._name(name_ptr, length))
        os.remove(path)
        return 0

    def _op_rename(self, param: int) -> int:
        old_ptr, old_length, new_ptr, new_length = self._words(param, 4)
        old = self._sandboxed(self._name(old_ptr, old_length))
        new = self._sandboxed(self._name(new_ptr, new_length))
        os.rename(old, new)
        return 0

    def _op_system(self, param: int) -> int:
        # Never runs anything; the command text is read only to make the record useful.
        try:
            command_ptr, length = self._words(param, 2)
            text = _show(self._read(command_ptr, min(length, 200)))
        except _Refusal:
            text = "(unreadable)"
        raise _Refusal(f"{text}: host commands are never run", EACCES)

    def _sandboxed(self, raw: bytes) -> str:
        """Host path for a guest file name, or _Refusal if it could leave the sandbox root."""
        if self._root is None:
            raise _Refusal(f"{_show(raw)}: host files are not enabled (no sandbox root)", EACCES)
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Refusal(f"{_show(raw)}: name is not UTF-8", EINVAL) from None
        if name.startswith("/"):
            raise _Refusal(f"{_show(raw)}: absolute paths are refused", EACCES)
        if ".." in name.split("/"):
            raise _Refusal(f"{_show(raw)}: '..' components are refused", EACCES)
        real = Path(os.path.realpath(self._root / name))  # follows every symlink
        if real == self._root or not real.is_relative_to(self._root):
            raise _Refusal(f"{_show(raw)}: outside the sandbox", EACCES)
        return str(real)

    def _handle(self, number: int) -> _Handle:
        handle = self._handles.get(number)
        if handle is None:
            raise _Refusal(f"handle {number}: not open", EBADF)
        return handle

    def _allocate(self, handle: _Handle | None) -> int:
        """Lowest free handle from FIRST_HANDLE for `handle` (None: only check there is room)."""
        if len(self._handles) >= MAX_OPEN:
            raise _Refusal(f"{MAX_OPEN} handles already open", EMFILE)
        number = FIRST_HANDLE
        while number in self._handles:
            number += 1
        if handle is not None:
            self._handles[number] = handle
        return number
