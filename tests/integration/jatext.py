"""Helpers for the Japanese tests: is the locale installed, how wide is a text on a terminal,
what does printf make of a catalogue's C format, and what does po/ja.po say."""

import re
import subprocess
import unicodedata

JA = "ja_JP.UTF-8"
EN = "C.UTF-8"


def ja_locale_available():
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(ln.strip().lower().replace("-", "") == "ja_jp.utf8" for ln in out.splitlines())


def width(text):
    """Display columns, as a terminal counts them (East Asian wide and full-width take two)."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


DIRECTIVE = re.compile(r"%(\d+\$)?([-+ #0]*\d*(?:\.\d+)?)(?:hh|h|ll|l|z|j|t)?([diouxXeEfgGcs%])")


def c_format(fmt, *args):
    """printf(fmt, args...) for the catalogue's formats: length modifiers (%lld, %zu) and
    positional directives (%2$s, which a translation may use to reorder) included."""
    order = iter(range(len(args)))

    def one(m):
        if m.group(3) == "%":
            return "%"
        i = int(m.group(1)[:-1]) - 1 if m.group(1) else next(order)
        return ("%" + m.group(2) + m.group(3)) % (args[i],)
    return DIRECTIVE.sub(one, fmt)


def read_po(path):
    """{(msgctxt or None, msgid): msgstr} of a PO file (entries with a msgstr only)."""
    def unquote(s):
        return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)),
                      s[1:-1])
    out = {}
    with open(path, encoding="utf-8") as f:
        for block in f.read().split("\n\n"):
            fields, cur = {}, None
            for line in block.split("\n"):
                m = re.match(r'^(msgctxt|msgid|msgstr) (".*")$', line)
                if m:
                    cur = m.group(1)
                    fields[cur] = unquote(m.group(2))
                elif line.startswith('"') and cur:
                    fields[cur] += unquote(line)
            if "msgid" in fields and fields.get("msgstr"):
                out[(fields.get("msgctxt"), fields["msgid"])] = fields["msgstr"]
    return out
