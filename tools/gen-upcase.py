#!/usr/bin/env python3
"""Generate the table part of lib/hive/upcase.c (Windows' RtlUpcaseUnicodeChar).

Rule (see the comment at the top of lib/hive/upcase.c for the sources):

    for every BMP code unit c outside the surrogates D800-DFFF:
        U = simple uppercase mapping of c (UnicodeData.txt field 12)
        keep c -> U  iff  U != c,
                          simple lowercase of U is c (the pair round-trips),
                          Age(c) <= 5.1 and Age(U) <= 5.1.

That gives exactly 973 non-identity mappings.  The script refuses to write
anything if the count or one of the known Windows exceptions comes out
differently (e.g. because a future Unicode version changed a mapping).

Case mappings come from python3's unicodedata (Unicode >= 5.1).  Character
ages come from DerivedAge.txt when given with --derived-age, otherwise from
perl's Unicode::UCD (prop_invmap("Age")), which ships with every perl.

Usage: tools/gen-upcase.py [--derived-age DerivedAge.txt] [--check] [lib/hive/upcase.c]
  --check   only verify that the file already holds the generated table.
"""
import argparse
import re
import subprocess
import sys
import unicodedata

EXPECTED_COUNT = 973
MAX_AGE = (5, 1)
BLOCK = 64  # code units per second-level block

BEGIN = "/* BEGIN GENERATED TABLE (tools/gen-upcase.py) -- do not edit by hand */"
END = "/* END GENERATED TABLE */"

# Facts about Windows' table that the derived one must reproduce (c -> result).
KNOWN = {
    0x0061: 0x0041, 0x007A: 0x005A, 0x005F: 0x005F,
    0x00DF: 0x00DF, 0x00B5: 0x00B5, 0x0131: 0x0131, 0x017F: 0x017F,
    0x03C2: 0x03C2, 0x01C5: 0x01C5, 0x01F2: 0x01F2, 0x00FF: 0x0178,
    0xFF41: 0xFF21, 0x0250: 0x2C6F, 0x0252: 0x0252, 0x10D0: 0x10D0,
    0x1F80: 0x1F88, 0x1FB3: 0x1FBC,
}


def ages_from_derived_age(path):
    ages = {}
    pat = re.compile(r"^([0-9A-Fa-f]+)(?:\.\.([0-9A-Fa-f]+))?\s*;\s*([0-9]+)\.([0-9]+)")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = pat.match(line)
            if not m:
                continue
            lo = int(m.group(1), 16)
            hi = int(m.group(2), 16) if m.group(2) else lo
            v = (int(m.group(3)), int(m.group(4)))
            for c in range(lo, min(hi, 0xFFFF) + 1):
                ages[c] = v
    return ages


PERL_AGE = r'''
use Unicode::UCD qw(prop_invmap);
my ($l, $m) = prop_invmap("Age");
for my $i (0 .. $#$l) {
    my $v = $m->[$i];
    next if !defined $v || $v eq "Unassigned" || $v eq "NA";
    my $hi = $i < $#$l ? $l->[$i + 1] - 1 : 0x10FFFF;
    print "$l->[$i] $hi $v\n";
}
'''


def ages_from_perl():
    out = subprocess.run(["perl", "-e", PERL_AGE], check=True,
                         capture_output=True, text=True).stdout
    ages = {}
    for line in out.splitlines():
        lo, hi, v = line.split()
        v = v.lstrip("V").replace("_", ".")
        major, minor = (int(x) for x in v.split(".")[:2])
        for c in range(int(lo), min(int(hi), 0xFFFF) + 1):
            ages[c] = (major, minor)
    return ages


def simple_upper(ch):
    # str.upper() is the full mapping; where that is several characters the
    # simple mapping (UnicodeData field 12) is the single-character titlecase
    # one (Greek with ypogegrammeni: U+1F80 -> U+1F88) or none (U+00DF).
    u = ch.upper()
    if len(u) == 1:
        return u
    t = ch.title()
    return t if len(t) == 1 else ch


def simple_lower(ch):
    lo = ch.lower()
    return lo if len(lo) == 1 else ch


def derive(ages):
    table = {}
    for c in range(0x10000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        ch = chr(c)
        u = simple_upper(ch)
        if u == ch or ord(u) > 0xFFFF:
            continue
        if simple_lower(u) != ch:
            continue
        if c not in ages or ord(u) not in ages:
            continue
        if ages[c] > MAX_AGE or ages[ord(u)] > MAX_AGE:
            continue
        table[c] = ord(u)
    return table


def render(table):
    blocks = []
    index = []
    seen = {}
    for b in range(0x10000 // BLOCK):
        blk = tuple(((table.get(c, c) - c) & 0xFFFF)
                    for c in range(b * BLOCK, (b + 1) * BLOCK))
        if blk not in seen:
            seen[blk] = len(blocks)
            blocks.append(blk)
        index.append(seen[blk])
    assert len(blocks) <= 256 and not any(blocks[0])
    out = [BEGIN,
           "/* %d non-identity mappings; %d distinct blocks of %d code units. */"
           % (len(table), len(blocks), BLOCK),
           "#define BF_UPCASE_COUNT %d" % len(table),
           "#define BF_UPCASE_BLOCK %d" % BLOCK,
           "",
           "/* block number for each run of BF_UPCASE_BLOCK code units */",
           "static const uint8_t upcase_index[%d] = {" % len(index)]
    for i in range(0, len(index), 16):
        out.append("    " + " ".join("%3d," % x for x in index[i:i + 16]))
    out.append("};")
    out.append("")
    out.append("/* per block: (upper - c) mod 2^16 for each code unit */")
    out.append("static const uint16_t upcase_delta[%d][BF_UPCASE_BLOCK] = {" % len(blocks))
    for n, blk in enumerate(blocks):
        out.append("    { /* %d */" % n)
        for i in range(0, BLOCK, 8):
            out.append("        " + " ".join("0x%04x," % x for x in blk[i:i + 8]))
        out.append("    },")
    out.append("};")
    out.append(END)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--derived-age")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("target", nargs="?", default="lib/hive/upcase.c")
    a = ap.parse_args()

    ages = ages_from_derived_age(a.derived_age) if a.derived_age else ages_from_perl()
    table = derive(ages)
    bad = [(hex(c), hex(r), hex(table.get(c, c)))
           for c, r in KNOWN.items() if table.get(c, c) != r]
    if len(table) != EXPECTED_COUNT or bad:
        sys.exit("gen-upcase: derived %d mappings (expected %d); mismatches %s "
                 "(unicodedata %s)" % (len(table), EXPECTED_COUNT, bad,
                                       unicodedata.unidata_version))
    text = render(table)

    with open(a.target, encoding="utf-8") as f:
        src = f.read()
    i, j = src.find(BEGIN), src.find(END)
    if i < 0 or j < i:
        sys.exit("gen-upcase: %s has no generated-table markers" % a.target)
    new = src[:i] + text + src[j + len(END):]
    if a.check:
        if new != src:
            sys.exit("gen-upcase: %s is out of date" % a.target)
        print("gen-upcase: %s up to date (%d mappings)" % (a.target, len(table)))
        return
    if new != src:
        with open(a.target, "w", encoding="utf-8") as f:
            f.write(new)
    print("gen-upcase: wrote %d mappings to %s" % (len(table), a.target))


if __name__ == "__main__":
    main()
