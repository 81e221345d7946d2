#!/usr/bin/python3
"""Reads back what "dondoc digest --preview" wrote, for t_digest.sh.

  digest_forms.py check FILE.html
      checks the HTML is well formed (every element closed in order, no
      script, no <style>, no external image) and prints its text, one
      block a line, whitespace folded
  digest_forms.py headline FILE.html|FILE.txt
      prints the headline sentence ("Tính đến ngày ... ."), whitespace folded
  digest_forms.py figures FILE.html|FILE.txt
      prints the figures (N/M, P%) of the whole form, sorted, one a line
  digest_forms.py probe IN.html OUT.html
      a copy of IN laid out in a 390 px wide root, with a script that
      writes the right edge of everything drawn into data-overflow-width
  digest_forms.py pngsize FILE.png
      prints "WIDTHxHEIGHT"
  digest_forms.py xlsx FILE.xlsx
      prints every cell value of every sheet, one a line (openpyxl)
"""
import html.parser
import re
import struct
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
BLOCK = {"p", "div", "tr", "h1", "h2", "h3", "h4", "li", "br", "table", "hr", "td", "th"}


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.parts = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.errors.append("<%s> in a mail" % tag)
        if tag == "img":
            src = dict(attrs).get("src") or ""
            if re.match(r"(?i)https?:", src):
                self.errors.append("external image %s" % src)
        for k, v in attrs:
            if k.startswith("on"):
                self.errors.append("event handler %s" % k)
        if tag in BLOCK:
            self.parts.append("\n")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            self.errors.append("<%s/> is not a void element" % tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("</%s> at line %d closes %s" % (
                tag, self.getpos()[0], self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)

    def text(self):
        lines = (re.sub(r"\s+", " ", ln).strip() for ln in "".join(self.parts).split("\n"))
        return "\n".join(ln for ln in lines if ln)


def read_text(path):
    src = open(path, encoding="utf-8").read()
    if path.endswith(".html"):
        c = Checker()
        c.feed(src)
        c.close()
        return c.text()
    return src


def headline(text):
    flat = re.sub(r"\s+", " ", text)
    m = re.search(r"Tính đến ngày .*?\.(?= |$)", flat)
    return m.group(0) if m else ""


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "check":
        c = Checker()
        c.feed(open(path, encoding="utf-8").read())
        c.close()
        if c.stack:
            c.errors.append("not closed: %s" % ", ".join(t for t, _ in c.stack))
        if c.errors:
            print("\n".join(c.errors[:10]), file=sys.stderr)
            sys.exit(1)
        print(c.text())
    elif cmd == "headline":
        print(headline(read_text(path)))
    elif cmd == "figures":
        text = read_text(path)
        figs = re.findall(r"\b\d+/\d+\b(?!/)|\b\d+%", text)
        print("\n".join(sorted(f for f in figs if not re.match(r"\d+/\d+/", f))))
    elif cmd == "probe":
        src = open(path, encoding="utf-8").read()
        probe = """<script>
(function () {
  var w = 0, all = document.querySelectorAll('body *');
  for (var i = 0; i < all.length; i++) {
    var r = all[i].getBoundingClientRect();
    if (r.right > w) w = r.right;
  }
  var rg = document.createRange();
  rg.selectNodeContents(document.body);
  w = Math.max(w, rg.getBoundingClientRect().right);
  document.documentElement.setAttribute('data-overflow-width', String(Math.ceil(w)));
})();
</script>"""
        # Headless Chromium's window is at least 500 px wide: the root is made a phone's.
        src = re.sub(r"<html\b", '<html style="width:390px"', src, count=1)
        i = src.rfind("</body>")
        src = src[:i] + probe + src[i:] if i >= 0 else src + probe
        open(sys.argv[3], "w", encoding="utf-8").write(src)
    elif cmd == "pngsize":
        head = open(path, "rb").read(24)
        if head[:8] != b"\x89PNG\r\n\x1a\n":
            sys.exit("not a PNG")
        print("%dx%d" % struct.unpack(">II", head[16:24]))
    elif cmd == "xlsx":
        import openpyxl
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if v is not None:
                        print(str(v).replace("\n", "\\n"))
    else:
        sys.exit("unknown command %s" % cmd)


if __name__ == "__main__":
    main()
