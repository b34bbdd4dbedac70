"""The Japanese catalogue keeps up with the sources (issue 9).

- Every message marked in src/ and ui/ (xgettext, keywords _ and N_) has a Japanese translation
  in po/ja.po that is neither empty nor fuzzy, and msgfmt --check accepts the file (the
  translated format directives match the English ones).
- Every sentence the engine says goes through gettext: a call to a message sink (error_set, a
  job's say/fail, ...) whose format is a bare string literal with words in it is an unmarked
  message, which a Japanese operator would see in English.

Run from the repository root:
    python3 -m unittest tests.integration.test_i18n_catalogue -v
"""

import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Message sinks: every function of src/ with a `const char *fmt` parameter (found in the
# sources, so a new one is checked too) and printf/fprintf. A call's format must be _("...") or
# something that is not a literal (a message made elsewhere, already translated), unless it has
# no words or the call is marked with a "not translated: why" comment on its line or the one
# before (a shell command, JSON, a protocol line).
PRINTF_SINKS = {"printf": 0, "fprintf": 1}
FMT_PARAM = re.compile(r"\b(\w+)\s*\(([^;{)]*\bconst\s+char\s*\*\s*fmt\b[^;{)]*)\)")


def sinks_in(text):
    """{name: index of the fmt parameter} for the functions `text` declares."""
    found = {}
    for m in FMT_PARAM.finditer(text):
        params = [p.strip() for p in m.group(2).split(",")]
        for k, param in enumerate(params):
            if re.search(r"\bfmt$", param):
                found[m.group(1)] = k
    return found


def global_sinks():
    sinks = dict(PRINTF_SINKS)
    for h in glob.glob(os.path.join(REPO, "src", "*.h")):
        with open(h, encoding="utf-8") as f:
            sinks.update(sinks_in(f.read()))
    return sinks


# A literal without words: only format directives, punctuation and digits ("%s", "%s: %s").
DIRECTIVE = re.compile(r"%[-+ #0-9.*$]*(hh|h|ll|l|L|z|j|t)?[diouxXeEfgGcspn%]")


def has_words(literal):
    text = DIRECTIVE.sub("", literal).replace("gpuwarden", "")
    return re.search(r"[A-Za-z]{2,}", text) is not None


def strip_comments(src):
    """C source with comments blanked out (string literals kept, offsets preserved)."""
    out, i, n = [], 0, len(src)
    while i < n:
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif src[i] in "\"'":
            q, j = src[i], i + 1
            while j < n and src[j] != q:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        else:
            out.append(src[i])
            i += 1
    return "".join(out)


def call_args(src, open_paren):
    """The top-level arguments of the call whose '(' is at open_paren, as source slices."""
    args, depth, start, i = [], 0, open_paren + 1, open_paren
    while i < len(src):
        c = src[i]
        if c in "\"'":
            j = i + 1
            while j < len(src) and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(src[start:i].strip())
                return args
        elif c == "," and depth == 1:
            args.append(src[start:i].strip())
            start = i + 1
        i += 1
    return args


def unmarked_messages(path, sinks):
    """(line, call, literal) of every sink call in `path` whose format is a bare literal with
    words. `sinks` are the global ones; the file's own static ones are added."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    src = strip_comments(text)
    sinks = dict(sinks, **sinks_in(src))
    found = []
    for m in re.finditer(r"\b(%s)\s*\(" % "|".join(map(re.escape, sinks)), src):
        name = m.group(1)
        before = src[max(0, m.start() - 60):m.start()]
        if re.search(r"\b(static|void|int|bool|char)\b[\w\s\*]*$", before):
            continue    # the sink's own definition or prototype
        args = call_args(src, m.end() - 1)
        k = sinks[name]
        if len(args) <= k or not args[k].startswith('"'):
            continue
        line = src.count("\n", 0, m.start()) + 1
        if any("not translated:" in lines[i] for i in range(max(0, line - 2), line)):
            continue
        literal = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', args[k]))
        if has_words(literal):
            found.append((line, name, literal[:60]))
    return found


class MarkingTest(unittest.TestCase):
    def test_engine_sentences_go_through_gettext(self):
        missing = []
        sinks = global_sinks()
        self.assertIn("error_set", sinks)
        for path in sorted(glob.glob(os.path.join(REPO, "src", "*.c"))):
            for line, name, literal in unmarked_messages(path, sinks):
                missing.append("%s:%d: %s(... \"%s\")" % (os.path.relpath(path, REPO), line, name,
                                                          literal))
        self.assertEqual(missing, [], "messages not marked for translation:\n" +
                         "\n".join(missing))

    def test_the_check_finds_an_unmarked_message(self):
        """The scan above can fail: a bare literal is found, a marked one and "%s" are not."""
        with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as f:
            f.write('/* error_set(err, 1, "in a comment") */\n'
                    'static void say(struct job *j, bool warn, int case_id, const char *fmt, ...);\n'
                    'void f(void) {\n'
                    '    error_set(err, EXIT_USAGE, "bad value %d for --x", v);\n'
                    '    error_set(err, EXIT_USAGE, _("fine %d"), v);\n'
                    '    error_set(err, EXIT_USAGE, "%s: %.200s", a, b);\n'
                    '    say(j, false, 0,\n        "two " "lines");\n'
                    '    fprintf(stderr, "gpuwarden: %s\\n", msg);\n'
                    '    /* not translated: a shell command */\n'
                    '    fprintf(out, "cd %s && exec tail", dir);\n'
                    '    printf("Launch refused\\n");\n'
                    '}\n')
        try:
            found = unmarked_messages(f.name, {"error_set": 2, "printf": 0, "fprintf": 1})
        finally:
            os.unlink(f.name)
        self.assertEqual([(ln, name) for ln, name, _ in found],
                         [(4, "error_set"), (7, "say"), (12, "printf")])


@unittest.skipUnless(shutil.which("xgettext") and shutil.which("msgmerge"),
                     "gettext tools not installed (scripts/deps.sh build installs them)")
class CatalogueTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gw-i18n-")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.ja = os.path.join(REPO, "po", "ja.po")

    def extract(self):
        pot = os.path.join(self.tmp, "gpuwarden.pot")
        sources = sorted(glob.glob(os.path.join(REPO, "src", "*.c")) +
                         glob.glob(os.path.join(REPO, "ui", "*.c")))
        subprocess.run(["xgettext", "--from-code=UTF-8", "--language=C", "--keyword=_",
                        "--keyword=N_", "-o", pot] + sources, check=True, timeout=60)
        return pot

    def untranslated(self, pot):
        """msgids of `pot` that po/ja.po does not translate (missing, empty or fuzzy)."""
        merged = os.path.join(self.tmp, "merged.po")
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged, self.ja, pot],
                       check=True, timeout=60)
        ids = []
        # an entry present but empty or fuzzy shows as English to the operator
        for flag in ("--untranslated", "--only-fuzzy"):
            out = subprocess.run(["msgattrib", flag, "--no-obsolete", merged],
                                 capture_output=True, text=True, timeout=60, check=True).stdout
            ids += [m for m in re.findall(r'^msgid "(.*)"$', out, re.M) if m]
        return ids

    def test_every_marked_message_is_translated(self):
        self.assertEqual(self.untranslated(self.extract()), [],
                         "po/ja.po lacks these; run `make pot` and translate them")

    def test_formats_match(self):
        r = subprocess.run(["msgfmt", "--check", "-o", os.devnull, self.ja],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])

    def test_the_comparison_can_fail(self):
        """A message added to the sources and not to po/ja.po is reported."""
        pot = self.extract()
        with open(pot, "a", encoding="utf-8") as f:
            f.write('\nmsgid "a sentence nobody translated"\nmsgstr ""\n')
        self.assertIn("a sentence nobody translated", self.untranslated(pot))


if __name__ == "__main__":
    unittest.main()
