# wapiti 3.0.4 builds its --exclude patterns as re.compile(r"...\Z(?ms)"), which
# Python 3.11 refuses (global flags must come first), so any -x crashes it. This
# shim runs wapiti with that one function replaced by the same, fixed.
# Run it with wapiti's own interpreter, so that it imports the same wapitiCore.
import re
import sys

import wapitiCore.net.crawler as crawler
from wapitiCore.main.wapiti import wapiti_main


def wildcard_translate(pattern):
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in pattern) + r"\Z", re.M | re.S)


crawler.wildcard_translate = wildcard_translate
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
