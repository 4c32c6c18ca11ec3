#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the bench blocks of a VM run into tables.

Each bench line is `TABLE key=value ...`.  Lines are grouped into one table
per TABLE word, with one column per key in first-seen order; a key pair
NAME_mean / NAME_sd becomes one column "NAME (mean ± SD)".  Rows with a
`copy` key get `vs_stock`: their gbps_mean over that of the copy=stock row
with the same other settings, measured in the same boot.  Tables are
printed as Markdown on stdout and written to OUTDIR as .md and .csv.
"""

import argparse
import csv
import os
import re
import sys


def read_rows(results):
    tables, errors, inblock = {}, [], None
    with open(results, errors='backslashreplace') as f:
        for line in f:
            line = line.rstrip('\r\n')
            m = re.match(r'@@vmtest (begin|end) bench (\S+)(?: rc=(-?\d+))?', line)
            if m:
                inblock = m.group(2) if m.group(1) == 'begin' else None
                if m.group(1) == 'end' and m.group(3) != '0':
                    errors.append(f'{m.group(2)}: exited with status {m.group(3)}')
                continue
            if not inblock or line.startswith('@@vmtest'):
                continue
            words = line.split()
            if len(words) < 2 or not all('=' in w for w in words[1:]):
                continue
            row = dict(w.split('=', 1) for w in words[1:])
            tables.setdefault(words[0], []).append(row)
    return tables, errors


def add_vs_stock(rows):
    """Ratio of gbps_mean to the copy=stock row that differs only in copy."""
    def same(a, b):
        return all(a.get(k) == b.get(k) for k in ('folio', 'mb', 'runs'))
    for row in rows:
        stock = [r for r in rows if r.get('copy') == 'stock' and same(r, row)]
        try:
            row['vs_stock'] = '%.3f' % (float(row['gbps_mean']) /
                                        float(stock[0]['gbps_mean']))
        except (IndexError, KeyError, ValueError, ZeroDivisionError):
            pass


def columns(rows):
    keys = []
    for row in rows:
        for k in row:
            if k not in keys:
                keys.append(k)
    cols = []
    for k in keys:
        if k.endswith('_sd') and k[:-3] + '_mean' in keys:
            continue
        if k.endswith('_mean') and k[:-5] + '_sd' in keys:
            cols.append((f'{k[:-5]} (mean ± SD)', k, k[:-5] + '_sd'))
        else:
            cols.append((k, k, None))
    return cols


def cell(row, key, sd):
    if sd:
        return f'{row.get(key, "?")} ± {row.get(sd, "?")}'
    return row.get(key, '')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('results')
    ap.add_argument('outdir')
    ap.add_argument('--title', default='')
    args = ap.parse_args()
    tables, errors = read_rows(args.results)
    os.makedirs(args.outdir, exist_ok=True)
    md = []
    if args.title:
        md += [args.title, '']
    for name, rows in tables.items():
        if any('copy' in r for r in rows):
            add_vs_stock(rows)
        cols = columns(rows)
        md.append(f'### {name}')
        md.append('')
        md.append('| ' + ' | '.join(c[0] for c in cols) + ' |')
        md.append('|' + '|'.join('---' for _ in cols) + '|')
        for row in rows:
            md.append('| ' + ' | '.join(cell(row, k, sd) for _, k, sd in cols) + ' |')
        md.append('')
        with open(os.path.join(args.outdir, f'{name}.csv'), 'w', newline='') as f:
            w = csv.writer(f)
            keys = list(dict.fromkeys(k for r in rows for k in r))
            w.writerow(keys)
            for row in rows:
                w.writerow([row.get(k, '') for k in keys])
    with open(os.path.join(args.outdir, 'bench.md'), 'w') as f:
        f.write('\n'.join(md) + '\n')
    print('\n'.join(md))
    for e in errors:
        print(f'error: {e}', file=sys.stderr)
    if not tables:
        print('error: no benchmark results', file=sys.stderr)
        return 1
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
