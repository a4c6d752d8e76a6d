#!/usr/bin/env python3
"""Generate lib/bcd/element_table.c from the BCD element reference table.

Usage:
    tools/gen-bcd-elements.py TABLE.md [-o lib/bcd/element_table.c] [--ref bcd-elements.md]

TABLE.md is shared/reference/bcd-elements-full-table.md (Geoff Chappell's
"BCD Elements" parsed into one Markdown table: Section | Code | bcdedit name |
Format / values | Symbolic names | Versions).

Output: one array of bf_bcd_element_def (see include/bootfix/bcd.h) named
bcd_element_defs, its length bcd_element_ndefs, and one array of
bf_bcd_enum_name per enumerated element.

Cross-check: when bcd-elements.md (section 5) is found (--ref, or next to
TABLE.md), every "name -> code" pair and every value enumeration it lists is
checked against the table; a disagreement is an error (exit status 1) because
both are meant to follow the same source (Chappell), see section 8 there.

Without -o the C text goes to stdout (the test compares it with the
committed file).
"""

import argparse
import os
import re
import sys

SECTION_SCOPES = {
    "Library": "BF_BCD_SC_LIBRARY",
    "FWBOOTMGR and BOOTMGR": "BF_BCD_SC_BOOTMGR",
    "OSLOADER": "BF_BCD_SC_OSLOADER",
    "RESUME": "BF_BCD_SC_RESUME",
    "MEMDIAG": "BF_BCD_SC_MEMDIAG",
    "NTLDR and SETUPLDR": "BF_BCD_SC_NTLDR",
    "STARTUP": "BF_BCD_SC_STARTUP",
    "BOOTAPP": "BF_BCD_SC_BOOTAPP",
    "Device": "BF_BCD_SC_DEVICE",
    "Template": "BF_BCD_SC_TEMPLATE",
    "Application": "BF_BCD_SC_APPLICATION",
}

# scopes that exist inside application objects (an "Application" row
# applies in every one of them)
APP_SCOPES = {
    "BF_BCD_SC_BOOTMGR", "BF_BCD_SC_OSLOADER", "BF_BCD_SC_RESUME", "BF_BCD_SC_MEMDIAG",
    "BF_BCD_SC_NTLDR", "BF_BCD_SC_STARTUP", "BF_BCD_SC_BOOTAPP", "BF_BCD_SC_APPLICATION",
}

# integers bcdedit prints in hex (bcd-elements.md section 6)
HEX_CODES = {0x17000077, 0x47000006}


class Row:
    def __init__(self, lineno, section, code, name, fmt, versions):
        self.lineno = lineno
        self.section = section
        self.scope = SECTION_SCOPES[section]
        self.code = code
        self.name = name
        self.fmt = fmt
        self.versions = versions
        self.enums = parse_enums(fmt, lineno)

    def current(self):
        """True when the element still exists in current Windows."""
        return "and higher" in self.versions


def fail(msg):
    sys.stderr.write("gen-bcd-elements: %s\n" % msg)
    sys.exit(1)


def parse_enums(cell, lineno):
    """'0 = Serial , 1 = 1394 , 2 = USB; 3 = NET' -> [(0,'Serial'),...].

    Separators are ',' and ';'; a leading word without '=' ("integer; 0 = ...")
    names the format and is skipped."""
    if "=" not in cell:
        return []
    out = []
    for piece in re.split(r"[,;]", cell):
        piece = piece.strip()
        if not piece:
            continue
        m = re.fullmatch(r"(\d+)\s*=\s*(\S+)", piece)
        if m:
            out.append((int(m.group(1)), m.group(2)))
        elif "=" in piece or out:
            fail("line %d: cannot parse enumeration item %r in %r" % (lineno, piece, cell))
    values = [v for v, _ in out]
    if len(set(values)) != len(values):
        fail("line %d: duplicate enumeration value in %r" % (lineno, cell))
    return out


def parse_table(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 6 or cells[0] == "Section (object class)" or set(cells[0]) <= set("-"):
                continue
            # The symbolic-names column sometimes contains '|' itself: take
            # the first four columns from the left and Versions from the right.
            section, code, name, fmt = cells[0], cells[1], cells[2], cells[3]
            versions = cells[-1]
            if section not in SECTION_SCOPES:
                fail("line %d: unknown section %r" % (lineno, section))
            if not re.fullmatch(r"0x[0-9A-Fa-f]{8}", code):
                fail("line %d: bad code %r" % (lineno, code))
            code = int(code, 16)
            m = re.fullmatch(r"\(none: custom:([0-9a-fA-F]{8})\)", name)
            if m:
                if int(m.group(1), 16) != code:
                    fail("line %d: custom name does not match the code" % lineno)
                name = None
            elif not re.fullmatch(r"[a-z0-9]+", name):
                fail("line %d: unexpected bcdedit name %r" % (lineno, name))
            rows.append(Row(lineno, section, code, name, fmt, versions))
    if not rows:
        fail("%s: no table rows found" % path)
    return rows


def merge_versions(rows):
    """One entry per (section, code): a row listed again for another Windows
    version is merged into the first; the name and values of a row that is
    still current ("... and higher") win over an obsolete one."""
    out, seen, notes = [], {}, []
    for r in rows:
        key = (r.section, r.code)
        if key not in seen:
            seen[key] = len(out)
            out.append(r)
            continue
        first = out[seen[key]]
        keep = r if (r.current() and not first.current()) else first
        notes.append("0x%08X in %s: rows at lines %d and %d merged, kept line %d"
                     % (r.code, r.section, first.lineno, r.lineno, keep.lineno))
        out[seen[key]] = keep
    return out, notes


def scopes_overlap(a, b):
    if a == b:
        return True
    return ("BF_BCD_SC_APPLICATION" in (a, b)) and a in APP_SCOPES and b in APP_SCOPES


def check_ambiguity(rows):
    """A code must mean one thing in any object; a name may appear twice in
    one scope only when the later row is obsolete (first match wins)."""
    notes = []
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            if not scopes_overlap(a.scope, b.scope):
                continue
            if a.code == b.code:
                fail("0x%08X is defined twice for overlapping scopes (%s, %s)"
                     % (a.code, a.section, b.section))
            if a.name and a.name == b.name:
                if b.current() or not a.current():
                    fail("name %r is ambiguous in %s (lines %d, %d)"
                         % (a.name, a.section, a.lineno, b.lineno))
                notes.append("'%s' in %s: 0x%08X (current) is found by name; 0x%08X (%s) "
                             "only displays under that name" % (a.name, a.section, a.code,
                                                                b.code, b.versions))
    return notes


# ---- cross-check with bcd-elements.md section 5 ----------------------------------------

def ref_pairs(ref_path):
    """(name, code, enums or None, lineno) from the section-5 tables."""
    pairs = []
    in5 = False
    with open(ref_path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith("## "):
                in5 = line.startswith("## 5.")
                continue
            if not in5 or not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 5 or not cells[1].startswith("0x"):
                continue
            names = [re.match(r"[a-z0-9]+", n.strip()) for n in cells[0].split(" / ")]
            codes = re.findall(r"0x[0-9A-Fa-f]{8}", cells[1])
            if any(n is None for n in names):
                continue
            names = [n.group(0) for n in names]
            enums = None
            vm = re.findall(r"(?:^|,\s*|:\s*)(\d+) ([A-Za-z0-9]+)", cells[4])
            if vm and re.match(r"(\w+: )?\d+ ", cells[4]):
                enums = [(int(v), n) for v, n in vm]
            if len(names) == len(codes):
                for n, c in zip(names, codes):
                    pairs.append((n, int(c, 16), enums if len(codes) == 1 or n == names[0] else None,
                                  lineno))
            elif len(names) == 1:
                for c in codes:
                    pairs.append((names[0], int(c, 16), None, lineno))
    return pairs


def cross_check(rows, ref_path):
    errors = 0
    checked = 0
    for name, code, enums, lineno in ref_pairs(ref_path):
        match = [r for r in rows if r.code == code and r.name == name]
        if not match:
            sys.stderr.write("gen-bcd-elements: %s:%d: %s = 0x%08X not in the full table\n"
                             % (ref_path, lineno, name, code))
            errors += 1
            continue
        checked += 1
        if enums:
            have = dict(match[0].enums)
            for v, n in enums:
                if have.get(v) != n:
                    sys.stderr.write("gen-bcd-elements: %s:%d: %s value %d = %s, table says %s\n"
                                     % (ref_path, lineno, name, v, n, have.get(v)))
                    errors += 1
    if errors:
        fail("%d disagreement(s) with %s" % (errors, ref_path))
    return checked


# ---- output ---------------------------------------------------------------------------

def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit(rows, notes, table_arg, out):
    w = out.write
    w("/*\n")
    w(" * GENERATED FILE - do not edit.\n")
    w(" * Source: shared/reference/bcd-elements-full-table.md (Geoff Chappell's\n")
    w(" * \"BCD Elements\", cross-checked with section 5 of bcd-elements.md).\n")
    w(" * Regenerate from the repository root with:\n")
    w(" *   python3 tools/gen-bcd-elements.py ../shared/reference/bcd-elements-full-table.md \\\n")
    w(" *       -o lib/bcd/element_table.c\n")
    w(" *\n")
    w(" * One entry per (section, code).  A row listed again for another Windows\n")
    w(" * version is merged into one entry (the current row, \"... and higher\", wins).\n")
    w(" * Names are looked up first match first: where an obsolete row reuses a\n")
    w(" * current name in the same scope, the current code comes first.\n")
    w(" * NULL names are elements bcdedit prints as custom:xxxxxxxx.\n")
    if notes:
        w(" *\n")
        for n in notes:
            w(" * - %s\n" % n)
    w(" */\n")
    w('#include "internal.h"\n\n')
    enum_names = {}
    for i, r in enumerate(rows):
        if not r.enums:
            continue
        ident = "en_%03d_%08x" % (i, r.code)
        enum_names[i] = ident
        w("static const bf_bcd_enum_name %s[] = {\n" % ident)
        for v, n in r.enums:
            w("    {%d, %s},\n" % (v, c_string(n)))
        w("};\n")
    w("\nconst bf_bcd_element_def bcd_element_defs[] = {\n")
    for i, r in enumerate(rows):
        name = c_string(r.name) if r.name else "NULL"
        if i in enum_names:
            en = "%s, %d" % (enum_names[i], len(r.enums))
        else:
            en = "NULL, 0"
        flags = "BF_BCD_DEF_HEX" if r.code in HEX_CODES else "0"
        w("    {0x%08Xu, %s, %s, %s, %s},\n" % (r.code, name, r.scope, en, flags))
    w("};\n\n")
    w("const size_t bcd_element_ndefs = sizeof bcd_element_defs / sizeof bcd_element_defs[0];\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("table", help="bcd-elements-full-table.md")
    ap.add_argument("-o", "--output", help="output C file (default: stdout)")
    ap.add_argument("--ref", help="bcd-elements.md for the cross-check "
                    "(default: next to TABLE if present)")
    args = ap.parse_args()

    rows = parse_table(args.table)
    rows, notes = merge_versions(rows)
    notes += check_ambiguity(rows)
    for code in HEX_CODES:
        if not any(r.code == code for r in rows):
            fail("0x%08X (printed in hex) missing from the table" % code)

    ref = args.ref or os.path.join(os.path.dirname(os.path.abspath(args.table)), "bcd-elements.md")
    checked = 0
    if os.path.exists(ref):
        checked = cross_check(rows, ref)
    elif args.ref:
        fail("%s: not found" % ref)

    if args.output:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            emit(rows, notes, args.table, f)
        os.replace(tmp, args.output)
        sys.stderr.write("gen-bcd-elements: %d entries written to %s (%d section-5 pairs checked)\n"
                         % (len(rows), args.output, checked))
    else:
        emit(rows, notes, args.table, sys.stdout)


if __name__ == "__main__":
    main()
