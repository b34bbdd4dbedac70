"""The destructive-action gate has one road in (SPEC §8): a static check of the sources.

Run from the repository root:
    python3 -m unittest tests.integration.test_gate_paths -v

Together with the runtime tests (tests/unit/test_gate.c: the provider refuses a missing,
mismatched or used confirmation and the fake's request log shows nothing was sent), this proves
that no other path reaches the provider's DELETE (or its stop PUT):

  confirmation made only by   ui/gate_view.c (dialog)  and  src/cmd_instances.c (--confirm)
        -> gate_run / gate_worker_start (src/gate.c), the only caller of
        -> provider_stop / provider_destroy_instance (src/provider.c), which check it, then the
        -> ops->stop_instance / ops->destroy_instance, called nowhere else, whose vast versions
           are the only code that sends a DELETE or a PUT to /api/v0/instances/{id}/.
"""

import os
import re
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def code_of(path):
    """The file's text without comments and string contents other than the strings themselves
    (block and line comments removed, so a comment naming a function is not a call)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def sources():
    """{relative path: code} of every C file of the program (src/, ui/), tests excluded."""
    out = {}
    for sub in ("src", "ui"):
        for name in sorted(os.listdir(os.path.join(REPO, sub))):
            if name.endswith((".c", ".h")):
                out["%s/%s" % (sub, name)] = code_of(os.path.join(REPO, sub, name))
    return out


def files_matching(pattern):
    rx = re.compile(pattern)
    return sorted(path for path, code in sources().items() if rx.search(code))


class TestGatePaths(unittest.TestCase):

    def test_only_the_dialog_and_the_confirm_check_make_confirmations(self):
        self.assertEqual(files_matching(r"\bgate_confirm_dialog\s*\("),
                         ["src/gate.c", "src/gate.h", "ui/gate_view.c"])
        self.assertEqual(files_matching(r"\bgate_confirm_cli\s*\("),
                         ["src/cmd_instances.c", "src/gate.c", "src/gate.h"])

    def test_the_confirmation_is_opaque(self):
        # its layout is known to gate.c alone: nobody else can fill one in
        self.assertEqual(files_matching(r"struct\s+gate_confirmation\s*\{"), ["src/gate.c"])
        self.assertEqual(files_matching(r"confirmation_new\s*\("), ["src/gate.c"])

    def test_only_the_gate_calls_the_provider(self):
        self.assertEqual(files_matching(r"\bprovider_(stop|destroy_instance)\s*\("),
                         ["src/gate.c", "src/provider.c", "src/provider.h"])

    def test_only_the_checked_wrapper_calls_the_operations(self):
        self.assertEqual(files_matching(r"ops->(stop_instance|destroy_instance)"),
                         ["src/provider.c"])
        # the wrapper checks the confirmation before it looks the operation up
        code = sources()["src/provider.c"]
        body = code[code.index("static int manage("):]
        body = body[:body.index("\n}\n")]
        self.assertLess(body.index("gate_confirmation_take"), body.index("ops->"))

    def test_only_vast_stop_and_destroy_send_those_requests(self):
        self.assertEqual(files_matching(r'"DELETE"'), ["src/provider_vast.c"])
        code = sources()["src/provider_vast.c"]
        self.assertEqual(len(re.findall(r'"DELETE"', code)), 1)
        self.assertEqual(len(re.findall(r"\bvast_manage\s*\(", code)), 3)  # itself + 2 callers
        # a PUT to an instance happens only in vast_manage's callers
        self.assertEqual(len(re.findall(r'"PUT",\s*"\{\\"state', code)), 1)

    def test_there_is_no_yes_flag(self):
        cli = sources()["src/cli.c"]
        self.assertNotRegex(cli, r'\{"yes"')
        self.assertNotRegex(cli, r'\{"force"')


if __name__ == "__main__":
    unittest.main()
