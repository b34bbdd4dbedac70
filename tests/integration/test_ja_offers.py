"""The offer judgement in Japanese (issue 9): `gpuwarden offers` and `gpuwarden check` under
LANG=ja_JP.UTF-8 show the engine's findings, preflight rows and messages in Japanese, while the
identifiers (column headers, PASS/WARN/BLOCK, PASS/WARN/FAIL/PENDING, trust labels) stay English
and the columns still line up; --json stays English and byte for byte the same; C.UTF-8 stays
English.

Run from the repository root:
    python3 -m unittest tests.integration.test_ja_offers -v

The binary is $GPUWARDEN_BIN, else build/asan/gpuwarden (fakevast.find_binary); it finds the
catalogue (build/locale, built by `make`) next to itself. The demo provider needs no network;
`check` reads its source metadata from the loopback FakeHub (tests/fake_hub.py). Skipped when the
ja_JP.UTF-8 locale is not installed (scripts/deps.sh test generates it).

The Japanese strings below are the msgstrs of po/ja.po, copied rather than read from it: a
catalogue that lost or changed them fails here.
"""

import json
import re
import shutil
import subprocess
import unittest

if __package__:
    from .jatext import EN, JA, c_format, ja_locale_available, width
    from .fakehub import FakeHub
    from .fakevast import REPO, find_binary, make_temp_home
else:   # run as a script, or discovered without -t
    from jatext import EN, JA, c_format, ja_locale_available, width
    from fakehub import FakeHub
    from fakevast import REPO, find_binary, make_temp_home

RUN_TIMEOUT = 30
GOOD = 4242307      # demo market: RTX 3060 12 GB, US; warns only for its 8/12 GB variant
CN = 18206213       # demo market: A100 SXM4 80 GB, Zhejiang CN: region blocked, row 2 FAILs
CASE_COLUMN = 66    # "%2d. %-8s " + a title padded to 52 columns + " ": where "case N" starts

CJK = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")

# The ten preflight titles (po/ja.po), in row order.
TITLES_EN = [
    "GPU compute capability >= sm_70 (sm_75+ recommended)",
    "Region outside the Great Firewall",
    "Host reliability > 0.99",
    "VRAM >= weights + extra models + 20%",
    "Image: prebuilt > runtime > devel; size; trust",
    "Setup script has error handling",
    "Model download is verified (existence + size)",
    "Health-check endpoint defined",
    "Real VRAM verified with nvidia-smi after boot",
    "Test generation run and its result fetched",
]
TITLES_JA = [
    "GPU の Compute Capability >= sm_70 (sm_75+ 推奨)",
    "グレートファイアウォールの外のリージョン",
    "ホストの信頼性 > 0.99",
    "VRAM >= 重み + 追加モデル + 20%",
    "イメージ: prebuilt > runtime > devel、サイズ、信頼度",
    "セットアップスクリプトにエラー処理がある",
    "モデルのダウンロードを検証 (存在 + サイズ)",
    "ヘルスチェックのエンドポイントが定義済み",
    "起動後に nvidia-smi で実 VRAM を検証",
    "テスト生成を実行し、結果を取得",
]

# The short reasons of the offers table (rules.c BRIEF): English piece -> Japanese piece.
BRIEF_EXACT = {
    "VRAM variant": "VRAM バリアント",
    "rel unknown": "信頼性不明",
    "region unknown": "リージョン不明",
    "net unknown": "回線不明",
    "CC unknown": "CC 不明",
    "VRAM unknown": "VRAM 不明",
    "price unknown": "価格不明",
    "unverified": "未検証",
    "deverified": "検証取消",
    "host unknown": "ホスト不明",
    "CUDA unknown": "CUDA 不明",
    "disk unknown": "ディスク 不明",
}
BRIEF_FORMAT = [
    (re.compile(r"^([A-Z]{2}) blocked$"), "%s ブロック"),
    (re.compile(r"^([A-Z]{2}) region$"), "%s 非推奨"),
    (re.compile(r"^rel ([0-9.]+)$"), "信頼性 %s"),
    (re.compile(r"^net ([0-9]+)$"), "回線 %s"),
    (re.compile(r"^disk (.+)$"), "ディスク %s"),
]





def brief_ja(piece):
    """The Japanese of one English reason of the REASONS column; sm_61, 8GB<12, $0.50>max and
    CUDA 11.8 have no words and stay as they are."""
    if piece in BRIEF_EXACT:
        return BRIEF_EXACT[piece]
    for pattern, fmt in BRIEF_FORMAT:
        m = pattern.match(piece)
        if m:
            return fmt % m.group(1)
    return piece


def prefix_to_column(line, col):
    """The characters of `line` that fill its first `col` display columns."""
    x = 0
    for i, c in enumerate(line):
        if x >= col:
            return line[:i]
        x += width(c)
    return line


class JapaneseCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not ja_locale_available():
            raise unittest.SkipTest("the ja_JP.UTF-8 locale is not installed")
        cls.bin = find_binary()

    def setUp(self):
        self.tmp, self.home, self.xdg = make_temp_home("gw-ja-offers-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def gw(self, lang, *args, code=0, extra_env=None):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home, "LANG": lang, "LC_ALL": lang,
               "NO_COLOR": "1", "NO_PROXY": "127.0.0.1,localhost",
               "no_proxy": "127.0.0.1,localhost", "GPUWARDEN_HTTP_TIMEOUT": "2"}
        env.update(self.xdg)
        env.update(extra_env or {})
        r = subprocess.run([self.bin] + list(args), cwd=REPO, env=env, capture_output=True,
                           text=True, timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, code, "%s %s: stdout=%r stderr=%r"
                         % (lang, " ".join(args), r.stdout[-2000:], r.stderr))
        return r

    def assert_english(self, text, what):
        m = CJK.search(text)
        self.assertIsNone(m, "%s: Japanese in the English output: %r" % (what, text[:2000]))


class TestOffersTable(JapaneseCase):
    """`gpuwarden offers --provider demo`: the REASONS column in Japanese, the rest as it was."""

    def test_reasons_are_japanese_and_columns_line_up(self):
        ja = self.gw(JA, "offers", "--provider", "demo").stdout.splitlines()
        en = self.gw(EN, "offers", "--provider", "demo").stdout.splitlines()
        self.assert_english("\n".join(en), "offers under C.UTF-8")
        self.assertEqual(len(ja), len(en))
        self.assertGreater(len(en), 50, "the demo market is smaller than expected")
        # the header row stays English: scripts and the eye find the columns by it
        self.assertEqual(ja[0], en[0])
        self.assertTrue(en[0].endswith("VERDICT  REASONS"), en[0])
        col = en[0].index("REASONS")
        seen = set()
        for j, e in zip(ja[1:], en[1:]):
            # every cell left of REASONS (verdict words included) is the same text at the same
            # display columns: only the reasons are translated
            cells = prefix_to_column(e, col)
            self.assertEqual(width(cells), col, "row narrower than its header: %r" % e)
            self.assertTrue(j.startswith(cells), "row changed left of REASONS:\n%s\n%s" % (e, j))
            self.assertRegex(cells, r"(✓ PASS|! WARN|✗ BLOCK) +$")
            reasons_en, reasons_ja = e[len(cells):], j[len(cells):]
            want = ", ".join(brief_ja(p) for p in reasons_en.split(", ")) if reasons_en else ""
            self.assertEqual(reasons_ja, want, "reasons of: %s" % e)
            seen.update(p for p in reasons_ja.split(", ") if CJK.search(p))
        # the demo market shows these at least: variant, region, reliability, network, host
        for piece in ("VRAM バリアント", "CN ブロック", "PL 非推奨", "信頼性不明", "回線不明",
                      "未検証", "検証取消"):
            self.assertIn(piece, seen)
        self.assertTrue(any(re.fullmatch(r"信頼性 0\.[0-9]{3}", p) for p in seen), seen)
        self.assertTrue(any(re.fullmatch(r"回線 [0-9]+", p) for p in seen), seen)

    def test_json_is_english_and_identical(self):
        """--json is a machine format: English whatever the locale, byte for byte (apart from
        the fetch time)."""
        outs = []
        for lang in (JA, EN):
            out = self.gw(lang, "offers", "--provider", "demo", "--json").stdout
            self.assert_english(out, "offers --json under " + lang)
            self.assertEqual(len(re.findall(r'"fetched_at":"[0-9TZ:-]+"', out)), 1, out[:300])
            outs.append(re.sub(r'"fetched_at":"[0-9TZ:-]+"', '"fetched_at":""', out))
        self.assertEqual(outs[0], outs[1])
        self.assertIn('"message":"RTX 3060 ships as 8/12 GB; verify with nvidia-smi after boot"',
                      outs[0])
        self.assertIn('"message":"CN is in the block list (Great Firewall: GitHub, Hugging Face '
                      'and pip fail)"', outs[0])

    def test_no_key_notice(self):
        """Without an API key nor --provider, the notice on stderr is Japanese."""
        ja = self.gw(JA, "offers", "--limit", "3")
        self.assertEqual(ja.stderr, "gpuwarden: vast.ai の API キーが見つかりません。組み込みの"
                         "デモ市場を表示します (何も借りません)\n")
        en = self.gw(EN, "offers", "--limit", "3")
        self.assertEqual(en.stderr, "gpuwarden: no vast.ai API key found; showing the built-in "
                         "demo market (nothing is rented)\n")
        self.assertEqual(ja.stdout.splitlines()[0], en.stdout.splitlines()[0])


class TestPreflight(JapaneseCase):
    """`gpuwarden check`: Japanese titles and details, English statuses, aligned rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hub = FakeHub().start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()

    def check(self, lang, offer, recipe, code=0, *extra):
        r = self.gw(lang, "check", "--provider", "demo", "--offer", str(offer), "--recipe",
                    recipe, *extra, code=code, extra_env=self.hub.env())
        return r.stdout

    def rows(self, out, case_word):
        """(first line, [(status, title, case, reason)] x 10, last line) of a check's text;
        asserts each row's case label starts at CASE_COLUMN, whatever the title's width."""
        lines = out.splitlines()
        self.assertEqual(len(lines), 22, out)
        rows = []
        for i in range(10):
            head, reason = lines[1 + 2 * i], lines[2 + 2 * i]
            m = re.fullmatch(r"(..)\. (\S+) +(.*?) +%s([0-9]+)" % re.escape(case_word), head)
            self.assertIsNotNone(m, "row %d: %r" % (i + 1, head))
            self.assertEqual(int(m.group(1)), i + 1)
            at = head.rindex(case_word)
            self.assertEqual(width(head[:at]), CASE_COLUMN, "row %d not aligned:\n%s" % (i + 1, out))
            self.assertTrue(reason.startswith("    "), reason)
            rows.append((m.group(2), m.group(3), int(m.group(4)), reason[4:]))
        return lines[0], rows, lines[-1]

    def test_rows_in_japanese(self):
        ja_first, ja, ja_last = self.rows(self.check(JA, GOOD, "pytorch-smoke"), "事例")
        out_en = self.check(EN, GOOD, "pytorch-smoke")
        self.assert_english(out_en, "check under C.UTF-8")
        en_first, en, en_last = self.rows(out_en, "case ")

        self.assertEqual(en_first, "Preflight: offer %d (RTX 3060, US) for recipe pytorch-smoke"
                         % GOOD)
        self.assertEqual(ja_first, "プリフライト: オファー %d (RTX 3060、US)、レシピ pytorch-smoke"
                         % GOOD)
        # statuses and case numbers are identifiers: the same under both locales
        self.assertEqual([r[0] for r in ja], [r[0] for r in en])
        self.assertEqual([r[0] for r in en], ["PASS", "PASS", "PASS", "WARN", "PASS", "PASS",
                                              "PASS", "PASS", "PENDING", "PENDING"])
        self.assertEqual([r[2] for r in ja], [r[2] for r in en])
        self.assertEqual([r[1] for r in en], TITLES_EN)
        self.assertEqual([r[1] for r in ja], TITLES_JA)

        reasons = [r[3] for r in ja]
        self.assertEqual(reasons[0], "sm_86")
        self.assertEqual(reasons[1], c_format("%s は推奨リージョンです", "US"))
        self.assertEqual(reasons[2], c_format("信頼性 %.4f > %g", 0.9962, 0.99))
        self.assertEqual(
            reasons[3],
            c_format("%.1f GB が必要 (コンポーネント %zu 個 + %.0f%%); %s", 1.2, 2, 20,
                     c_format("GPU あたり %.2f GB >= 必要な %g GB", 12.0, 1.2)) + "; " +
            c_format("%s には %s のバリアントがあります。起動後に nvidia-smi で確認してください",
                     "RTX 3060", "8/12 GB"))
        # row 5: the trust label stays English, its figures are the English run's
        m = re.fullmatch(r"image (\S+) OFFICIAL \(recommended by the recipe\): ([0-9,]+) pulls, "
                         r"([0-9,]+) stars, ([0-9.]+ GB)( linux/amd64)", en[4][3])
        self.assertIsNotNone(m, en[4][3])
        self.assertEqual(reasons[4], "image %s OFFICIAL (レシピの推奨): pull %s 回、スター %s、%s%s"
                         % m.groups())
        self.assertEqual(reasons[5], c_format(
            "%s: set -e あり、握りつぶされたエラーなし、成功の報告は確認の後だけ", "pytorch-smoke.sh"))
        self.assertEqual(reasons[6], c_format("%s: ダウンロードは存在とサイズを確認しています",
                                              "pytorch-smoke.sh"))
        self.assertEqual(reasons[7], c_format("GET :%d%s を %d 秒以内、テストは %s %s", 8000,
                                              "/health", 120, "POST", "/run"))
        self.assertEqual(reasons[8], c_format(
            "起動後: nvidia-smi で %.1f GB 以上が必要 (オファーの表示は %.1f GB)", 1.2, 12.0))
        self.assertEqual(reasons[9], c_format(
            "ヘルスチェックの後: %s %s を実行し、%ld バイト以上の結果を取得", "POST", "/run", 64))
        self.assertEqual(ja_last, "FAIL の項目はありません。項目9と10は起動後に判定します。")

        self.assertEqual(en[1][3], "US is a preferred region")
        self.assertEqual(en[8][3], "after boot: nvidia-smi must show >= 1.2 GB (offer says 12.0 GB)")
        self.assertEqual(en_last, "No row FAILs; rows 9 and 10 are decided after boot.")

    def test_fail_row_in_japanese(self):
        _, ja, ja_last = self.rows(self.check(JA, CN, "ace-step-1.5", 1), "事例")
        out_en = self.check(EN, CN, "ace-step-1.5", 1)
        self.assert_english(out_en, "check under C.UTF-8")
        _, en, en_last = self.rows(out_en, "case ")
        self.assertEqual((ja[1][0], en[1][0]), ("FAIL", "FAIL"))
        self.assertEqual(ja[1][3], c_format("%s はブロックリストにあります (グレートファイアウォール: "
                                            "GitHub、Hugging Face、pip が失敗します)", "CN"))
        self.assertEqual(en[1][3], "CN is in the block list (Great Firewall: GitHub, Hugging Face "
                         "and pip fail)")
        self.assertEqual(ja_last, "起動不可: FAIL の項目があります (押し切れるのはダッシュボードの"
                         "ダイアログだけで、監査ログに記録されます)。")
        self.assertTrue(en_last.startswith("Launch refused: a row FAILs"), en_last)

    def test_offline_and_unknown_offer(self):
        out = self.check(JA, GOOD, "pytorch-smoke", 0, "--offline")
        _, ja, _ = self.rows(out, "事例")
        offline = "--offline: メタデータは取得しません"
        self.assertEqual(ja[4][0], "UNKNOWN")
        self.assertIn("UNKNOWN (offline): %s (メタデータ取得不可: %s)" % (offline, offline),
                      ja[4][3])
        r = self.gw(JA, "check", "--provider", "demo", "--offer", "1", "--recipe",
                    "pytorch-smoke", code=2, extra_env=self.hub.env())
        self.assertRegex(r.stderr, r"^gpuwarden: オファー 1 は .+ にありません "
                         r"\(借りられたか、取り下げられたか\?\)\n$")

    def test_json_is_english_and_identical(self):
        outs = [self.gw(lang, "check", "--provider", "demo", "--offer", str(GOOD), "--recipe",
                        "pytorch-smoke", "--json", extra_env=self.hub.env()).stdout
                for lang in (JA, EN)]
        self.assert_english(outs[0], "check --json under ja_JP.UTF-8")
        self.assertEqual(outs[0], outs[1])
        doc = json.loads(outs[0])
        self.assertEqual([r["title"] for r in doc["rows"]], TITLES_EN)
        self.assertEqual(doc["rows"][1]["reason"], "US is a preferred region")


if __name__ == "__main__":
    unittest.main()
