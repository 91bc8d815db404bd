#!/usr/bin/env python3
"""Fill translations in a .po file from a tab-separated file of `msgid<TAB>msgstr`.

Usage: python scripts/po_fill.py locale/id/LC_MESSAGES/django.po translations.tsv

Messages are extracted with `manage.py makemessages --no-wrap`, so every msgid is one line.
Empty translations are filled. So are "fuzzy" ones: msgmerge guesses those from a similar
old message (often wrongly) and compilemessages leaves them out, so a guess is replaced by
the TSV's translation, or emptied when the TSV has none.
"""

import re
import sys


def quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def unquote(text: str) -> str:
    return bytes(text, "utf-8").decode("unicode_escape").encode("latin-1").decode()


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
        if not match or i + 1 >= len(lines) or not lines[i + 1].startswith("msgstr "):
            continue
        msgid = unquote(match.group(1))
        comments = range(i - 1, -1, -1)
        fuzzy = next(
            (j for j in comments if not lines[j].startswith("#") or lines[j].startswith("#,")),
            None,
        )
        is_fuzzy = fuzzy is not None and lines[fuzzy].startswith("#, fuzzy")
        if is_fuzzy and msgid:
            lines[fuzzy] = ""
            for j in range(fuzzy + 1, i):
                if lines[j].startswith("#|"):
                    lines[j] = ""
            lines[i + 1] = 'msgstr ""'
        if msgid in wanted and lines[i + 1] == 'msgstr ""':
            lines[i + 1] = f'msgstr "{quote(wanted[msgid])}"'
            filled += 1
    with open(po_path, "w", encoding="utf-8") as po:
        po.write("\n".join(line for line in lines) + ("" if lines[-1] == "" else ""))
    print(f"{filled} translations filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
