"""The HTML page of `chatfmt diff` and `chatfmt stats` in a real browser: headless Chromium (Debian's
`chromium`) renders the Phase 27 -> 28 diff, light and dark. The screenshot is not blank, the
console has no error, the charts and their labels are in the DOM, and the page needs nothing from
elsewhere.

Run by CTest with CHATFMT, CHATFMT_ROOT and CHATFMT_PHASE28 in the environment.
"""
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib

CHATFMT = os.environ.get("CHATFMT", "chatfmt")
ROOT = os.environ.get("CHATFMT_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PHASE27 = os.path.join(ROOT, "data", "samples")
PHASE28 = os.environ.get("CHATFMT_PHASE28", os.path.join(ROOT, "tests", "data", "phase28_merged"))


def png_pixels(path):
    """(width, height, rows of RGB(A) tuples) of an 8-bit RGB or RGBA PNG, by the PNG spec."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, color = header[:4]
    assert depth == 8 and color in (2, 6), header
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            up_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


class HtmlInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chatfmt-html-")
        cls.page = os.path.join(cls.tmp, "diff.html")
        result = subprocess.run([CHATFMT, "diff", PHASE27, PHASE28, "--html", cls.page, "-q"], capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stderr
        with open(cls.page, encoding="utf-8") as f:
            cls.html = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def chromium(self, *args, scheme="light"):
        profile = tempfile.mkdtemp(dir=self.tmp)  # a fresh profile each run: nothing remembered
        command = ["chromium", "--headless", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--no-first-run", "--user-data-dir=" + profile,
                   "--enable-logging=stderr", "--v=0",
                   "--blink-settings=preferredColorScheme=" + ("0" if scheme == "dark" else "1"), *args,
                   "file://" + self.page]
        if os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to run as root
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def test_the_page_needs_nothing_from_elsewhere(self):
        self.assertNotRegex(self.html, r"<script|<link|@import|url\(|src=")
        self.assertNotRegex(self.html, r"https?://")

    def test_the_charts_and_their_labels_are_in_the_dom(self):
        result = self.chromium("--dump-dom")
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        dom = result.stdout
        self.assertGreaterEqual(dom.count("<svg"), 5)
        for label in ("phase28_merged mostly changed records of samples", "Where each split's records went",
                      "unchanged", "changed", "added", "removed", "assistant_text", "results", "code-mode-xml",
                      "json-in-fence", "execute_code", "characters per record", "train", "valid"):
            self.assertIn(label, dom)
        # The flow chart's segments carry their counts: train's 511 unchanged records, for one.
        self.assertRegex(dom, r"train, unchanged: 511")

    def test_light_and_dark_screenshots_are_not_blank_and_the_console_is_clean(self):
        backgrounds = {}
        for scheme in ("light", "dark"):
            shot = os.path.join(self.tmp, scheme + ".png")
            result = self.chromium("--screenshot=" + shot, "--window-size=1000,1400", scheme=scheme)
            self.assertEqual(result.returncode, 0, result.stderr[-2000:])
            self.assertNotRegex(result.stderr, r"CONSOLE|Uncaught|Failed to load resource")
            width, height, rows = png_pixels(shot)
            background = rows[2][2]
            painted = sum(1 for row in rows[::4] for pixel in row[::4] if pixel != background)
            self.assertGreater(painted / ((width // 4) * (height // 4)), 0.03, scheme)
            backgrounds[scheme] = sum(background) / 3
        self.assertGreater(backgrounds["light"], 200)  # white page
        self.assertLess(backgrounds["dark"], 60)  # the page follows prefers-color-scheme

    def test_stats_has_a_page_too(self):
        page = os.path.join(self.tmp, "stats.html")
        result = subprocess.run([CHATFMT, "stats", PHASE27, "--html", page, "-q"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("<svg", html)
        self.assertIn("execute_code", html)

    def test_the_page_is_never_written_over_an_input(self):
        target = os.path.join(self.tmp, "data")
        shutil.copytree(PHASE27, target)
        victim = os.path.join(target, "valid.jsonl")
        with open(victim, "rb") as f:
            before = f.read()
        result = subprocess.run([CHATFMT, "stats", target, "--html", victim, "-q"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--html file", result.stderr)
        with open(victim, "rb") as f:
            self.assertEqual(f.read(), before)


if __name__ == "__main__":
    unittest.main()
