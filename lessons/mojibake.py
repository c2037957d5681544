"""Detect and repair text that was UTF-8 decoded with the wrong code page (mojibake).

ftfy repairs the common cases (UTF-8 read as Windows-1252, Latin-1, ...). It has no table for the Thai
code page, Windows-874, which is how our own reference lesson once reached us: "┌" (UTF-8 E2 94 8C)
came out as "โ”Œ"-like sequences, with bytes that Windows-874 leaves undefined shown as C1 control
characters. So we try that code page ourselves first, the way a browser decodes it ("sloppy": an
undefined byte becomes the character with the same number), and fall back to ftfy for the rest.
"""

import ftfy


def _sloppy_table(codec):
    decode, encode = {}, {}
    for byte in range(256):
        try:
            char = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            char = chr(byte)
        decode[byte] = char
        encode[char] = byte
    return decode, encode


_CP874_DECODE, _CP874_ENCODE = _sloppy_table("cp874")


def encode_sloppy_cp874(text):
    """Return ``text`` as the bytes a Windows-874 reader saw, or None if it cannot have come from one."""
    try:
        return bytes(_CP874_ENCODE[char] for char in text)
    except KeyError:
        return None


def decode_sloppy_cp874(data):
    """Decode ``data`` as a browser reads Windows-874 (used by the tests to make mojibake)."""
    return "".join(_CP874_DECODE[byte] for byte in data)


def repair(text):
    """Return ``(text, codec)``: the repaired text and the code page it was misread with, or ``(text, None)``."""
    if text.isascii():
        return text, None
    raw = encode_sloppy_cp874(text)
    if raw is not None:
        try:
            fixed = raw.decode("utf-8")
        except UnicodeDecodeError:
            fixed = None
        if fixed is not None and fixed != text:
            return fixed, "windows-874"
    fixed = ftfy.fix_encoding(text)
    if fixed != text:
        return fixed, "ftfy"
    return text, None
