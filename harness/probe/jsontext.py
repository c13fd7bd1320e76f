"""JSON text for the probe, without importing the ``json`` package.

``import json`` costs a probe process 6-7 ms: it imports and compiles ``re`` and the
patterns of its pure-Python decoder and encoder, about a quarter of a warm probe. The C
accelerator those wrap, ``_json``, costs under 1 ms. So the probe reads its spec with
``_json``'s scanner and writes its evidence with ``_json``'s string encoder, in exactly
the text ``json`` would give (tests/probe/test_probe_jsontext.py compares them). An
interpreter without ``_json`` gets ``json`` itself.

The probe imports nothing the harness would not: like the rest of the package, this is
standard library only and runs under any CPython >= 3.9.
"""

from __future__ import annotations

try:
    import _json
except ImportError:  # an interpreter without the accelerator: the package does it all
    _json = None

_WHITESPACE = " \t\n\r"
_CONSTANTS = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}
_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
"""``float.__repr__`` of the values JSON has no number for, and what ``json`` writes."""


class _Decoding:
    """The settings ``json.loads`` gives its scanner (``_json.make_scanner`` reads them)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__


def loads(text):
    """``json.loads(text)``; a ``ValueError`` for text that is not one JSON value."""
    if _json is None:
        import json  # noqa: PLC0415 - only without the accelerator

        return json.loads(text)
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _json.make_scanner(_Decoding())(text, start)
    except StopIteration as stop:
        raise ValueError(f"Expecting value: char {stop.value}") from None
    if text[end:].strip(_WHITESPACE):
        raise ValueError(f"Extra data: char {end}")
    return value


def plain(value):
    """``json.loads(json.dumps(value, allow_nan=False))`` without the text in between:
    tuples become lists, keys strings, subclasses of str, int and float their base type.
    Raises where ``json.dumps`` raises (``TypeError``, ``ValueError``)."""
    return _plain(value, set())


def _plain(value, active):
    if isinstance(value, str):
        return str.__str__(value)
    if value is None or value is True or value is False:
        return value
    if isinstance(value, int):
        return int(int.__repr__(value))
    if isinstance(value, float):
        return float(_float_text(value, allow_nan=False))
    if isinstance(value, (list, tuple, dict)):
        if id(value) in active:
            raise ValueError("Circular reference detected")
        active.add(id(value))
        try:
            if isinstance(value, dict):
                return {_key(k, allow_nan=False): _plain(v, active) for k, v in value.items()}
            return [_plain(item, active) for item in value]
        finally:
            active.discard(id(value))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(document):
    """``json.dumps(document, indent=1, sort_keys=True)``."""
    if _json is None:
        import json  # noqa: PLC0415 - only without the accelerator

        return json.dumps(document, indent=1, sort_keys=True)
    parts = []
    _write(document, parts, 0, set())
    return "".join(parts)


def _write(value, parts, level, active):
    if isinstance(value, str):
        parts.append(_json.encode_basestring_ascii(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_float_text(value, allow_nan=True))
    elif isinstance(value, (list, tuple, dict)):
        if id(value) in active:
            raise ValueError("Circular reference detected")
        active.add(id(value))
        _write_container(value, parts, level, active)
        active.discard(id(value))
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _write_container(value, parts, level, active):
    """A list or an object, one item per line, indented one space per level."""
    is_dict = isinstance(value, dict)
    items = sorted(value.items()) if is_dict else list(value)
    if not items:
        parts.append("{}" if is_dict else "[]")
        return
    newline = "\n" + " " * (level + 1)
    parts.append("{" if is_dict else "[")
    for index, item in enumerate(items):
        parts.append(newline if index == 0 else "," + newline)
        if is_dict:
            key, item = item  # noqa: PLW2901 - the pair's value is what is written
            parts.append(_json.encode_basestring_ascii(_key(key, allow_nan=True)) + ": ")
        _write(item, parts, level + 1, active)
    parts.append("\n" + " " * level + ("}" if is_dict else "]"))


def _key(key, *, allow_nan):
    """An object key as ``json`` turns it into a string."""
    if isinstance(key, str):
        return str.__str__(key)
    if isinstance(key, float):
        return _float_text(key, allow_nan=allow_nan)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _float_text(value, *, allow_nan):
    text = float.__repr__(value)
    if text in _NON_FINITE:
        if not allow_nan:
            raise ValueError(f"Out of range float values are not JSON compliant: {text}")
        return _NON_FINITE[text]
    return text
