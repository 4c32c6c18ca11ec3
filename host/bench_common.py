# SPDX-License-Identifier: GPL-2.0
"""What make bench's reports share: the bench lines of a VM run read into
tables, numbers, Markdown and CSV, and the plot style of a copier."""

import csv
import re


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


def num(row, key):
    try:
        return float(row[key])
    except (KeyError, ValueError, TypeError):
        return None


def md_table(head, rows):
    out = ['| ' + ' | '.join(head) + ' |', '|' + '|'.join('---' for _ in head) + '|']
    out += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    return out + ['']


def write_csv(path, rows):
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(keys)
        for row in rows:
            w.writerow([row.get(k, '') for k in keys])


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def mean_sd(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None, None
    m = sum(vals) / len(vals)
    sd = (sum((v - m) ** 2 for v in vals) / (len(vals) - 1)) ** 0.5 if len(vals) > 1 else 0.0
    return m, sd


def style(config):
    """Colour by thread/channel count, dash and point by copier."""
    kind, _, n = config.partition(':')
    colour = {'1': '#1f77b4', '2': '#ff7f0e', '4': '#d62728'}.get(n, '#000000')
    dash, point = {'stock': (1, 7), 'batch': (2, 5), 'dcbm': (3, 4),
                   'dcbm_sg': (1, 6), 'mtcopy': (4, 8)}.get(kind, (1, 1))
    if kind == 'stock':
        colour = '#7f7f7f'
    return f"lw 2 dt {dash} pt {point} lc rgb '{colour}'"
