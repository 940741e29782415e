#!/usr/bin/env python3
"""Generates lib/expr/net_names_unicode.inc: the Unicode data behind lib/expr/net_names.cc.

Mixer's dnsName(), email(), uri() and their `==` ran on Go 1.19 with x/net/idna and x/text, whose
tables are Unicode 13.0.0. This script writes the same facts, from the same Unicode version, as
compact sorted range tables:

  * the UTS #46 IDNA mapping table (status + mapping per code point);
  * canonical combining classes, canonical decompositions and composition pairs (for NFC);
  * bidi classes (with DerivedBidiClass defaults for unassigned code points), joining types
    (DerivedJoiningType: ArabicShaping.txt, else T for Mn/Me/Cf), marks (Mn/Mc/Me);
  * Go's strconv.IsPrint set (letters, marks, numbers, punctuation, symbols, U+0020).

Inputs (both present on the development machine; neither is needed to build mixlet):
  * Python 3.9 or 3.10, whose `unicodedata` is Unicode 13.0.0;
  * the `idna` package's uts46data.py and idnadata.py (any version >= 13; code points that are
    unassigned in Unicode 13 are forced to "disallowed" and given no properties, as in Go).

Usage:
  python3.10 lib/expr/tools/gen_net_names_tables.py IDNA_PACKAGE_DIR > lib/expr/net_names_unicode.inc
e.g. IDNA_PACKAGE_DIR=/root/.pyenv/versions/3.10.13/lib/python3.10/site-packages/pip/_vendor/idna
"""

import importlib.util
import os
import sys
import unicodedata

MAX_CP = 0x10FFFF


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assigned(cp):
    return unicodedata.category(chr(cp)) != 'Cn'


# Unassigned code points take these bidi classes (DerivedBidiClass.txt 13.0.0, @missing lines);
# everything else unassigned is L, except noncharacters and default ignorables (BN).
BIDI_DEFAULTS = [
    (0x0590, 0x05FF, 'R'), (0x0600, 0x07BF, 'AL'), (0x07C0, 0x085F, 'R'), (0x0860, 0x08FF, 'AL'),
    (0x20A0, 0x20CF, 'ET'), (0xFB1D, 0xFB4F, 'R'), (0xFB50, 0xFDCF, 'AL'), (0xFDF0, 0xFDFF, 'AL'),
    (0xFE70, 0xFEFF, 'AL'), (0x10800, 0x10CFF, 'R'), (0x10D00, 0x10D3F, 'AL'),
    (0x10D40, 0x10EBF, 'R'), (0x10EC0, 0x10EFF, 'AL'), (0x10F00, 0x10F2F, 'R'),
    (0x10F30, 0x10F6F, 'AL'), (0x10F70, 0x10FFF, 'R'), (0x1E800, 0x1EC6F, 'R'),
    (0x1EC70, 0x1ECBF, 'AL'), (0x1ECC0, 0x1ECFF, 'R'), (0x1ED00, 0x1ED4F, 'AL'),
    (0x1ED50, 0x1EDFF, 'R'), (0x1EE00, 0x1EEFF, 'AL'), (0x1EF00, 0x1EFFF, 'R'),
]
BN_DEFAULTS = [(0x2060, 0x206F), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
               (0xE0000, 0xE0FFF), (0xFDD0, 0xFDEF)]

BIDI_CLASSES = ['L', 'R', 'EN', 'ES', 'ET', 'AN', 'CS', 'B', 'S', 'WS', 'ON', 'BN', 'NSM', 'AL',
                'LRO', 'RLO', 'LRE', 'RLE', 'PDF', 'LRI', 'RLI', 'FSI', 'PDI']


def bidi_class(cp):
    if assigned(cp):
        return unicodedata.bidirectional(chr(cp))
    if (cp & 0xFFFE) == 0xFFFE:
        return 'BN'
    for lo, hi in BN_DEFAULTS:
        if lo <= cp <= hi:
            return 'BN'
    for lo, hi, c in BIDI_DEFAULTS:
        if lo <= cp <= hi:
            return c
    return 'L'


def octal_tokens(data):
    out = []
    for b in data:
        if 0x20 <= b < 0x7F and b not in (ord('"'), ord('\\'), ord('?')):
            out.append(chr(b))
        else:
            out.append('\\%03o' % b)
    return out


def emit_string(name, data, w):
    w('inline constexpr char %s[] =\n' % name)
    line = '    "'
    for ch in octal_tokens(data):
        if len(line) + len(ch) > 98:
            w(line + '"\n')
            line = '    "'
        line += ch
    w(line + '";\n\n')


def emit_rows(rows, per_line, w):
    line = '   '
    for r in rows:
        item = ' ' + r
        if len(line) + len(item) > 99:
            w(line + '\n')
            line = '   '
        line += item
    if line.strip():
        w(line + '\n')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if unicodedata.unidata_version != '13.0.0':
        sys.exit('need Python with Unicode 13.0.0 unicodedata, have %s' %
                 unicodedata.unidata_version)
    pkg = sys.argv[1]
    uts46 = load(os.path.join(pkg, 'uts46data.py'), 'uts46data')
    idnadata = load(os.path.join(pkg, 'idnadata.py'), 'idnadata')

    # --- IDNA mapping: expand the range-start rows, then re-compress. ---
    starts = uts46.uts46data
    status = {}  # cp -> (status letter, mapping str)

    def row_at(i):
        r = starts[i]
        return r[0], r[1], (r[2] if len(r) > 2 else None)

    n = len(starts)
    runs = []  # (first, last, st, mapping)
    for i in range(n):
        first, st, mapping = row_at(i)
        last = (row_at(i + 1)[0] - 1) if i + 1 < n else MAX_CP
        runs.append((first, last, st, mapping))

    STATUS = {'V': 'kValid', 'M': 'kMapped', 'D': 'kDeviation', 'X': 'kDisallowed',
              'I': 'kIgnored', '3v': 'kStd3Valid', '3m': 'kStd3Mapped'}
    idna_rows = []  # (first, status name, mapping bytes or b'')

    def push(first, st, mapping):
        if idna_rows and idna_rows[-1][1] == st and idna_rows[-1][2] == mapping:
            return
        idna_rows.append((first, st, mapping))

    for first, last, st, mapping in runs:
        if st == '3':
            st = '3m' if mapping is not None else '3v'
        name = STATUS[st]
        mbytes = mapping.encode('utf-8') if mapping is not None else b''
        if name == 'kDeviation' and mapping is None:
            mbytes = b''
        cp = first
        while cp <= last:
            if 0xD800 <= cp <= 0xDFFF:
                push(cp, 'kDisallowed', b'')
                cp = 0xE000 if last >= 0xE000 else last + 1
                continue
            if not assigned(cp) and name != 'kDisallowed':
                push(cp, 'kDisallowed', b'')
            else:
                push(cp, name, mbytes)
            # Mapped runs in uts46data are single code points; valid/disallowed runs may be long.
            if name in ('kMapped', 'kStd3Mapped', 'kDeviation'):
                cp += 1
            else:
                # Jump to the next change of assignment inside the run.
                nxt = cp + 1
                a = assigned(cp)
                while nxt <= last and assigned(nxt) == a and not (0xD800 <= nxt <= 0xDFFF):
                    nxt += 1
                cp = nxt

    # Rows are packed into one uint64: bits 0-20 first code point, 21-23 status, 24 "delta" flag,
    # 25-31 mapping length in bytes, 32-63 mapping offset into kIdnaMappings, or (delta flag) the
    # signed difference between the single mapped code point and the code point, so that runs
    # like A-Z -> a-z take one row.
    STATUS_NUM = {'kValid': 0, 'kMapped': 1, 'kDeviation': 2, 'kDisallowed': 3, 'kIgnored': 4,
                  'kStd3Valid': 5, 'kStd3Mapped': 6}
    mapping_blob = bytearray()
    mapping_index = {}
    packed = []  # (first, status, delta or None, off, len)
    for i, (first, st, mbytes) in enumerate(idna_rows):
        span = (idna_rows[i + 1][0] if i + 1 < len(idna_rows) else MAX_CP + 1) - first
        delta = None
        off = ln = 0
        if mbytes:
            m = mbytes.decode('utf-8')
            # A delta row maps each code point to code point + delta; a row that maps several code
            # points to the same text keeps the text.
            if len(m) == 1 and span == 1:
                delta = ord(m) - first
            else:
                if mbytes not in mapping_index:
                    mapping_index[mbytes] = len(mapping_blob)
                    mapping_blob.extend(mbytes)
                off, ln = mapping_index[mbytes], len(mbytes)
        if packed and delta is not None and packed[-1][1] == st and packed[-1][2] == delta:
            continue
        packed.append((first, st, delta, off, ln))
    idna_out = []
    for first, st, delta, off, ln in packed:
        v = first | (STATUS_NUM[st] << 21)
        if delta is not None:
            v |= (1 << 24) | ((delta & 0xFFFFFFFF) << 32)
        else:
            assert ln < 128
            v |= (ln << 25) | (off << 32)
        idna_out.append('0x%X,' % v)

    # --- Per-code-point properties: bidi, joining type, mark, print. ---
    joining = {}
    for cp, jt in idnadata.joining_types.items():
        if assigned(cp):
            joining[cp] = chr(jt)

    def join_type(cp):
        if not assigned(cp):
            return 'U'
        if cp in joining:
            return joining[cp]
        if unicodedata.category(chr(cp)) in ('Mn', 'Me', 'Cf'):
            return 'T'
        return 'U'

    JOIN = {'U': 0, 'L': 1, 'D': 2, 'T': 3, 'R': 4, 'C': 0}

    def props(cp):
        cat = unicodedata.category(chr(cp))
        bidi = BIDI_CLASSES.index(bidi_class(cp))
        join = JOIN[join_type(cp)]
        mark = 1 if cat in ('Mn', 'Mc', 'Me') else 0
        printable = 1 if (cat[0] in 'LMNPS' or cp == 0x20) else 0
        return bidi | (join << 5) | (mark << 8) | (printable << 9)

    prop_rows = []
    prev = None
    for cp in range(0, MAX_CP + 1):
        if 0xD800 <= cp <= 0xDFFF:
            p = props(0xD800)
        else:
            p = props(cp)
        if p != prev:
            prop_rows.append('{0x%X, 0x%X},' % (cp, p))
            prev = p

    # --- NFC: combining classes, decompositions, composition pairs. ---
    ccc_rows = []
    prev = 0
    for cp in range(0, MAX_CP + 1):
        c = unicodedata.combining(chr(cp)) if not 0xD800 <= cp <= 0xDFFF else 0
        if c != prev:
            ccc_rows.append('{0x%X, %d},' % (cp, c))
            prev = c

    decomp_rows = []
    for cp in range(0, MAX_CP + 1):
        if 0xD800 <= cp <= 0xDFFF or 0xAC00 <= cp <= 0xD7A3:
            continue
        d = unicodedata.decomposition(chr(cp))
        if not d or d.startswith('<'):
            continue
        parts = [int(x, 16) for x in d.split()]
        assert 1 <= len(parts) <= 2, hex(cp)
        a = parts[0]
        b = parts[1] if len(parts) == 2 else 0
        composes = 1 if b and unicodedata.normalize('NFC', chr(a) + chr(b)) == chr(cp) else 0
        decomp_rows.append('0x%X,' % (cp | (a << 21) | (b << 42) | (composes << 63)))

    w = sys.stdout.write
    w('// Generated by lib/expr/tools/gen_net_names_tables.py from Unicode 13.0.0 data (the version of\n')
    w('// Go 1.19\'s x/net/idna and x/text tables). Do not edit; run the generator.\n')
    w('// Included once, by lib/expr/net_names.cc, inside namespace mixlet::expr_internal::{anon}.\n\n')
    w('// UTS #46 mapping. A row applies from its first code point up to the next row\'s. Packed:\n')
    w('// bits 0-20 first code point, 21-23 IdnaStatus, 24 delta flag, 25-31 mapping length,\n')
    w('// 32-63 mapping offset into kIdnaMappings (UTF-8), or with the delta flag the signed\n')
    w('// difference from the code point to its single mapped code point.\n')
    emit_string('kIdnaMappings', bytes(mapping_blob), w)
    w('inline constexpr uint64_t kIdnaRows[] = {\n')
    emit_rows(idna_out, 4, w)
    w('};\n\n')
    w('// Properties: bits 0-4 BidiClass, 5-7 JoinType, 8 mark (Mn/Mc/Me), 9 Go strconv.IsPrint.\n')
    w('inline constexpr PropRow kPropRows[] = {\n')
    emit_rows(prop_rows, 6, w)
    w('};\n\n')
    w('// Canonical combining class: row applies from `first` up to the next row\'s `first`.\n')
    w('inline constexpr CccRow kCccRows[] = {\n')
    emit_rows(ccc_rows, 6, w)
    w('};\n\n')
    w('// Canonical single-step decompositions, sorted by code point. Packed: bits 0-20 code point,\n')
    w('// 21-41 first, 42-62 second (0 for singletons), 63 set when the pair is a primary\n')
    w('// composite (NFC recomposes it). Hangul syllables are algorithmic and not listed.\n')
    w('inline constexpr uint64_t kDecompRows[] = {\n')
    emit_rows(decomp_rows, 4, w)
    w('};\n')


if __name__ == '__main__':
    main()
