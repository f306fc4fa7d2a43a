"""Whether an uploaded user import file can be read at all, judged over the whole file before
any user is imported from it: a file Cognito would be "unable to parse" fails its job with
nothing imported, never half of it.

It must be UTF-8 without a byte order mark (so UTF-16, with or without one, and Latin-1 bytes
are refused), hold no NUL character, no line longer than 16,000 characters, and at most
500,000 users (rows after the header; blank lines are not rows).
"""

from __future__ import annotations

import codecs

from userpool.domain.import_jobs import MAX_ROW_CHARACTERS, MAX_ROWS

UNREADABLE = "The CSV file could not be parsed: "
BOM = codecs.BOM_UTF8


class FileCheck:
    """Fed the file's bytes in order, in pieces of any size; `problem` says what is wrong."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._offset = 0
        self._line = 1
        self._line_chars = 0
        self._line_blank = True
        self._rows = 0
        self.problem: str | None = None

    def feed(self, data: bytes) -> None:
        if self.problem is not None:
            return
        if self._offset == 0 and data.startswith(BOM):
            self.problem = UNREADABLE + "it begins with a byte order mark (UTF-8 without one)."
            return
        try:
            text = self._decoder.decode(data)
        except UnicodeDecodeError as error:
            where = self._offset + error.start
            line = self._line + data[: max(error.start, 0)].count(b"\n")
            self.problem = UNREADABLE + f"it is not UTF-8 (byte {where} on line {line})."
            return
        self._offset += len(data)
        self._text(text)

    def finish(self) -> str | None:
        """The problem with the whole file, if any."""
        if self.problem is None:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.problem = UNREADABLE + "it ends inside a UTF-8 character."
        if self.problem is None:
            self._end_line()
            if self._offset == 0:
                self.problem = UNREADABLE + "it is empty."
        return self.problem

    def _text(self, text: str) -> None:
        if "\x00" in text:
            self.problem = UNREADABLE + f"line {self._line} holds a NUL character (UTF-16?)."
            return
        pieces = text.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                self._end_line()
                if self.problem is not None:
                    return
            self._line_chars += len(piece)
            self._line_blank = self._line_blank and not piece.strip()

    def _end_line(self) -> None:
        if self._line_chars > MAX_ROW_CHARACTERS + 1:  # its "\r", if any, is no character
            self.problem = UNREADABLE + f"line {self._line} is over 16,000 characters."
        elif self._line > 1 and not self._line_blank:
            self._rows += 1
            if self._rows > MAX_ROWS:
                self.problem = UNREADABLE + "it has more than 500,000 users."
        self._line += 1
        self._line_chars = 0
        self._line_blank = True
