#!/usr/bin/env python3
"""Fill empty translations in a .po file from a tab-separated file of `msgid<TAB>msgstr`.

Usage: python scripts/po_fill.py locale/id/LC_MESSAGES/django.po translations.tsv

Messages are extracted with `manage.py makemessages --no-wrap`, so every msgid is one line.
Existing translations are kept; fuzzy flags on filled entries are removed.
"""

import re
import sys


def quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main(po_path: str, tsv_path: str) -> int:
    wanted = {}
    with open(tsv_path, encoding="utf-8") as tsv:
        for line in tsv:
            line = line.rstrip("\n")
            if "\t" in line:
                msgid, msgstr = line.split("\t", 1)
                wanted[msgid] = msgstr
    with open(po_path, encoding="utf-8") as po:
        lines = po.read().split("\n")
    filled = 0
    for i, line in enumerate(lines):
        match = re.fullmatch(r'msgid "(.*)"', line)
        if not match or i + 1 >= len(lines):
            continue
        msgid = bytes(match.group(1), "utf-8").decode("unicode_escape").encode("latin-1").decode()
        if msgid in wanted and lines[i + 1] == 'msgstr ""':
            lines[i + 1] = f'msgstr "{quote(wanted[msgid])}"'
            if i > 0 and lines[i - 1].startswith("#, fuzzy"):
                lines[i - 1] = ""
            filled += 1
    with open(po_path, "w", encoding="utf-8") as po:
        po.write("\n".join(lines))
    print(f"{filled} translations filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
