"""The Japanese translation (issue 9): the dashboard under LANG=ja_JP.UTF-8 in tmux at 120x32,
and `gpuwarden cases` in Japanese, English staying the default.

Run from the repository root:
    python3 -m unittest tests.integration.test_tui_ja -v

Uses tests/integration/test_tui.py's tmux harness. The catalogue is build/locale (built by
`make`); the binary finds it next to itself (src/i18n.h). Skipped when the ja_JP.UTF-8 locale is
not installed (scripts/deps.sh test generates it).
"""

import subprocess
import unittest

# the module, not its test classes: a TestCase imported by name would run here a second time
if __package__:
    from .jatext import JA, ja_locale_available, width
    from . import test_tui
    from .fakevast import REPO, find_binary
else:   # run as a script, or discovered without -t
    from jatext import JA, ja_locale_available, width
    import test_tui
    from fakevast import REPO, find_binary

COLS, ROWS = 120, 32
OFFER = 4242307          # demo market: RTX 3060 12 GB, passes pytorch-smoke's checklist




def at_column(line, col):
    """The character that covers display column `col` of line, or "" past its end."""
    x = 0
    for c in line:
        w = width(c)
        if x <= col < x + max(w, 1):
            return c
        x += w
    return ""


def column_of(line, ch):
    i = line.find(ch)
    return None if i < 0 else width(line[:i])


class TestJapaneseDashboard(test_tui.TuiCase):
    """The demo dashboard in Japanese at 120x32: hint bar, help, cases page, launch and quit
    dialogs, and a layout that still fits."""

    @classmethod
    def setUpClass(cls):
        if not ja_locale_available():
            raise unittest.SkipTest("the ja_JP.UTF-8 locale is not installed")
        super().setUpClass()

    def open(self):
        d = self.start("--provider", "demo", "--offline", cols=COLS, rows=ROWS, locale=JA,
                       extra_env={"GPUWARDEN_DEMO_BOOT_S": "0.3", "GPUWARDEN_BOOT_POLL_S": "0.1",
                                  "GPUWARDEN_DEMO_PACE": "0.3"})
        return d, d.wait(lambda s: "オファー" in s.line(0) and "合格" in s.line(0),
                         "the Japanese status bar")

    def assert_fits(self, s, what):
        # capture-pane ends its text with a newline: one empty string after the last row
        self.assertEqual(len([ln for ln in s.lines[ROWS:] if ln]), 0, "%s: rows\n%s" % (what, s))
        for i, ln in enumerate(s.lines[:ROWS]):
            self.assertLessEqual(width(ln), COLS, "%s: row %d is %d columns wide:\n%s"
                                 % (what, i, width(ln), s))
        self.assertTrue(s.line(0).startswith(" gpuwarden | demo | "),
                        "%s: the status bar is not on row 0:\n%s" % (what, s))

    def assert_box(self, s, what):
        """A dialog box whose right border is on every inner row, at the corner's column."""
        top = next((i for i, ln in enumerate(s.lines) if "\u250c" in ln and "\u2510" in ln), None)
        self.assertIsNotNone(top, "%s: no dialog box:\n%s" % (what, s))
        left, right = column_of(s.lines[top], "\u250c"), column_of(s.lines[top], "\u2510")
        bottom = next(i for i in range(top + 1, len(s.lines)) if "\u2514" in s.lines[i])
        self.assertEqual(column_of(s.lines[bottom], "\u2518"), right, "%s: bottom\n%s" % (what, s))
        for i in range(top + 1, bottom):
            self.assertEqual(at_column(s.lines[i], left), "\u2502", "%s: left border, row %d\n%s"
                             % (what, i, s))
            self.assertEqual(at_column(s.lines[i], right), "\u2502",
                             "%s: right border missing on row %d\n%s" % (what, i, s))
        return [s.lines[i] for i in range(top, bottom + 1)]

    def test_hints_help_and_cases_page(self):
        d, s = self.open()
        hints = s.line(ROWS - 1)
        for word in ("ヘルプ", "終了", "起動"):
            self.assertIn(word, hints)
        self.assertIn("デモ — 何も借りていません", s.line(0))
        self.assertIn("詳細", s.text)
        self.assert_fits(s, "the offer table")
        d.type("?")
        s = d.wait(lambda s: "gpuwarden のキー" in s.text, "the help overlay")
        self.assertIn("ヘルプ (この画面)", s.text)
        self.assertIn("判定: PASS、WARN、BLOCK", s.text)
        self.assert_fits(s, "the help overlay")
        d.keys("Tab")
        s = d.wait(lambda s: "障害事例" in s.text and "事例7:" in s.text, "the cases page")
        self.assertIn("事例7: RTX 3060 8GB/12GBバリアント不一致 (致命的)", s.text)
        self.assertIn("GPUモデル名だけでなく、起動後にnvidia-smiで実VRAMを検証する", s.text)
        self.assert_fits(s, "the cases page")

    def test_launch_and_quit_dialogs(self):
        d, s = self.open()
        d.type("p")
        s = d.wait(lambda s: "Enter で選択、Esc で取消" in s.text, "the recipe picker")
        rows = [i for i, ln in enumerate(s.lines) if "(レシピなし)" in ln or
                "pytorch-smoke " in ln]
        self.assertEqual(len(rows), 2, str(s))
        for _ in range(rows[1] - rows[0]):
            d.type("j")
        d.keys("Enter")
        d.wait(lambda s: "| レシピ pytorch-smoke" in s.line(0), "pytorch-smoke in force")
        d.type("/")
        d.type(str(OFFER))
        d.keys("Enter")
        d.wait(lambda s: "絞り込み中" in s.line(0) and " %d " % OFFER in s.text and
               "絞り込み:" not in s.line(ROWS - 1), "the filter kept")
        # the engine's preflight rows in the checklist: titles and details, in the screen
        d.keys("Enter")
        s = d.wait(lambda s: s.line(1).startswith("チェックリスト") and
                   "信頼性 0.9962 > 0.99; 事例4" in s.text, "the Japanese checklist, full width")
        self.assertIn("! WARN     4 VRAM >= 重み + 追加モデル + 20%", s.text)
        self.assert_fits(s, "the checklist")
        d.keys("Escape")
        s = d.wait(lambda s: "VERDICT" in s.line(1), "back to the offers, the checklist beside")
        self.assert_fits(s, "the checklist pane")
        d.type("L")
        s = d.wait(lambda s: "起動: マシンを借ります" in s.text, "the launch dialog")
        box = self.assert_box(s, "the launch dialog")
        text = "\n".join(box)
        self.assertIn("オファー %d" % OFFER, text)
        self.assertIn("FAIL なし", text)
        self.assertIn("[ キャンセル ]", text)
        self.assertIn("起動", box[-2])
        self.assert_fits(s, "the launch dialog")
        # launch it (Tab to Launch, y): the demo's instance bills, so quitting asks first
        d.keys("Tab")
        d.type("y")
        d.wait(lambda s: "ジョブ" in s.line(0), "a job running")
        # the job's step messages in the logs view, Japanese, in the pane's width; wrapped too
        d.type("3")
        s = d.wait(lambda s: "を作成しました: ストレージは今から" in s.text,
                   "Japanese step messages in the log pane")
        self.assert_fits(s, "the logs view")
        d.type("w")
        s = d.wait(lambda s: "GPU は今から課金されます" in s.text, "the wrapped log")
        self.assert_fits(s, "the wrapped log")
        d.type("q")
        s = d.wait(lambda s: "終了: 動き続けるもの" in s.text, "the quit dialog")
        box = self.assert_box(s, "the quit dialog")
        self.assertIn("終了しても何も停止・削除しません。", "\n".join(box))
        self.assertIn("[ キャンセル ]", box[-2])
        self.assert_fits(s, "the quit dialog")
        d.keys("Escape")
        d.wait(lambda s: "終了: 動き続けるもの" not in s.text, "the quit dialog cancelled")


class TestJapaneseCases(unittest.TestCase):
    """`gpuwarden cases 7` in Japanese under ja_JP.UTF-8, in English under C.UTF-8."""

    def run_cases(self, lang, *args):
        env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": lang, "LC_ALL": lang}
        r = subprocess.run([find_binary(), "cases"] + list(args), cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_english_is_the_default(self):
        out = self.run_cases("C.UTF-8", "7")
        self.assertTrue(out.startswith("Case 7: RTX 3060 8GB/12GB variant mismatch\n"), out)
        self.assertIn("  lesson          Do not rely on the GPU model name alone", out)
        self.assertNotIn("事例", out)

    def test_japanese_case(self):
        if not ja_locale_available():
            self.skipTest("the ja_JP.UTF-8 locale is not installed")
        out = self.run_cases(JA, "7")
        self.assertTrue(out.startswith("事例7: RTX 3060 8GB/12GBバリアント不一致 (致命的)\n"), out)
        self.assertIn("  症状            vast.aiで「RTX 3060」を選択したが、実VRAMが8GBだった\n", out)
        self.assertIn("  教訓            GPUモデル名だけでなく、起動後にnvidia-smiで実VRAMを検証する\n",
                      out)
        self.assertIn("  対策            プリフライトチェックにVRAM実測確認を追加。", out)
        self.assertIn("  検査ルール      vram_variant verify-gpu\n", out)
        # every case has its Japanese text
        everything = self.run_cases(JA)
        for n in range(1, 11):
            self.assertIn("事例%d: " % n, everything)
        self.assertNotIn("symptom", everything)

    def test_locale_dir_override(self):
        """GPUWARDEN_LOCALEDIR wins: an empty folder leaves the English text."""
        if not ja_locale_available():
            self.skipTest("the ja_JP.UTF-8 locale is not installed")
        env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": JA, "LC_ALL": JA,
               "GPUWARDEN_LOCALEDIR": "/nonexistent"}
        r = subprocess.run([find_binary(), "cases", "7"], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertTrue(r.stdout.startswith("Case 7: "), r.stdout)


if __name__ == "__main__":
    unittest.main()
