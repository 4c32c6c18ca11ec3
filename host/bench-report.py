#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the bench blocks of a VM run into tables, plots and target ratios.

Each bench line is `TABLE key=value ...` (memcpy, dma_copy, move_pages,
batch_copy; see guest/bench/).  The tables are laid out as on LKML:
dma_copy as `mode chan folio sge run_ms ... prep_calls`, move_pages and
batch_copy with one row per folio size and one column per copy
configuration.  Every figure is a mean ± SD over the runs of one boot, and
every ratio is taken between figures of that boot.  Output: Markdown on
stdout and in OUTDIR/bench.md, one CSV per table, PNG plots (gnuplot).
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile

from bench_common import md_table, num, ratio, read_rows, style, write_csv
import bench_tiering

FOLIOS = ['4K', '64K', '1M', '2M']
ORDER = {'4K': 0, '64K': 4, '1M': 8, '2M': 9}
KB = {'4K': 4, '64K': 64, '1M': 1024, '2M': 2048}






def pm(row, name, fmt='%.3f'):
    m, s = num(row, name + '_mean'), num(row, name + '_sd')
    if m is None:
        return '-'
    return (fmt % m) + ' ± ' + (fmt % s if s is not None else '?')






def configs(rows):
    return list(dict.fromkeys(r['copy'] for r in rows))


def cell(rows, folio, copy):
    for r in rows:
        if r.get('folio') == folio and r.get('copy') == copy:
            return r
    return None


def ceilings(memcpy):
    """Best memcpy GB/s per thread count, over the copy methods."""
    best = {}
    for r in memcpy:
        t, g = r.get('threads'), num(r, 'gbps_mean')
        if g is not None and (t not in best or g > best[t][0]):
            best[t] = (g, r.get('method', 'libc'))
    return best


def memcpy_section(memcpy):
    md = ['### memcpy bandwidth, node 0 to node 1 (the ceiling)', '']
    rows = [[r.get('method', 'libc'), r['threads'], r['mb'], r['runs'], pm(r, 'gbps')]
            for r in memcpy]
    md += md_table(['method', 'threads', 'MB/thread', 'runs', 'GB/s (mean ± SD)'], rows)
    best = ceilings(memcpy)
    md += ['Ceiling: ' + ', '.join(f'{t} thread(s) {g:.3f} GB/s ({m})'
                                   for t, (g, m) in sorted(best.items())) + '.', '']
    return md


def dma_section(dma, engine='swdma', title=''):
    md = ['### ' + (title or 'dmaengine: prep_memcpy per entry vs one prep_memcpy_sg per batch'),
          '']
    if dma:
        r0 = dma[0]
        md += [f'{engine}, {r0["mb"]} MB per channel, {r0["runs"]} runs per cell, node 0 to '
               'node 1. The *_ms columns are thread time summed over the channels; '
               'run_ms is wall time. Mean ± SD.', '']
    head = ['mode', 'chan', 'folio', 'sge', 'run_ms', 'prep_ms', 'submit_ms',
            'issue_ms', 'wait_ms', 'prep_calls']
    rows = [[r['mode'], r['chan'], r['folio'], r['sge']] +
            [pm(r, k, '%.2f') for k in ('run_ms', 'prep_ms', 'submit_ms',
                                        'issue_ms', 'wait_ms')] + [r['prep_calls']]
            for r in dma]
    return md + md_table(head, rows)


def by_folio_section(title, note, rows, fmt_cell):
    cfgs = configs(rows)
    md = [f'### {title}', '']
    if note:
        md += [note, '']
    out = []
    for f in FOLIOS:
        if not any(r.get('folio') == f for r in rows):
            continue
        out.append([f'{f} (order {ORDER[f]})'] + [fmt_cell(cell(rows, f, c), f, c) for c in cfgs])
    return md + md_table(['folio'] + cfgs, out)


def window_section(uw):
    """The unmapped window per page, per vm.migrate_batch_copy setting."""
    r0 = uw[0]
    md = ['### Unmapped window per page, no migrator (move_pages of 4K pages)', '',
          f'{r0["mb"]} MB per move, {r0["runs"]} runs per setting, alternating; '
          'from each page\'s migrate:set_migration_pte to its '
          'remove_migration_pte event (global trace clock). stock: '
          'vm.migrate_batch_copy=0; default: 1; step: 2 (the batch step, '
          'CPU copy). shmem: a memfd read(2) by another thread during the '
          'moves. wasted: folios the step copied whose move then failed '
          '(/proc/vmstat migrate_batch_copy_wasted).', '']
    rows = []
    for r in uw:
        stock = num(cell_by(uw, r['mem'], 'stock'), 'mean_us')
        x = ratio(num(r, 'mean_us'), stock)
        rows.append([r['mem'], r['copy'], r['pages'],
                     f'{r["mean_us"]} ± {r["sd_us"]}', r['p50_us'], r['p99_us'],
                     r['max_us'], '%.3f' % x if x is not None else '-',
                     r['step_folios'], r['wasted']])
    md += md_table(['memory', 'setting', 'unmaps', 'mean µs (± SD of runs)',
                    'p50 µs', 'p99 µs', 'max µs', 'mean vs stock',
                    'step folios', 'wasted'], rows)
    return md


def split_batch(config):
    """'dcbm_sg:4@8m' -> ('dcbm_sg:4', '8m'); no '@' -> (config, '')."""
    base, _, size = config.partition('@')
    return base, size


def shares(row, copier):
    """The shares a batch of the row's mean size is cut into (the policy of
    dcbm and mtcopy: as many as channels or threads, none below
    min_share_bytes)."""
    n = int(copier.partition(':')[2] or 1)
    b, sh = num(row, 'batch_bytes_mean'), num(row, 'share')
    if not b or not sh:
        return 1
    return max(1, min(n, int(b // sh)))


def batch_size_sections(mp, bc):
    """move_pages and the copy step per batch size asked for, and the fixed
    cost per batch."""
    r0 = mp[0]
    sizes = list(dict.fromkeys(split_batch(c)[1] for c in configs(mp) if '@' in c))
    copiers = list(dict.fromkeys(split_batch(c)[0] for c in configs(mp) if '@' in c))
    md = ['### move_pages(2) by batch size (batch_bytes), GB/s mean ± SD and ratio to stock', '',
          f'{r0["mb"]} MB per run, {r0["runs"]} runs per cell, alternating, every move '
          'verified. Each migrator asks migrate_pages() for batches of the size of '
          'the column (batch_bytes; 2m is the default batch) and cuts them into '
          'shares no smaller than its default min_share_bytes (dcbm 2 MiB, mtcopy '
          '256 KiB).', '']
    rows = []
    for f in FOLIOS:
        if not any(r.get('folio') == f for r in mp):
            continue
        stock = num(cell(mp, f, 'stock'), 'gbps_mean')
        for c in ['stock', 'batch']:
            r = cell(mp, f, c)
            if r:
                x = ratio(num(r, 'gbps_mean'), stock)
                rows.append([f, c, f'{pm(r, "gbps")} ({x:.3f}x)'] + [''] * (len(sizes) - 1))
        for c in copiers:
            out = [f, c]
            for b in sizes:
                r = cell(mp, f, f'{c}@{b}')
                x = ratio(num(r, 'gbps_mean'), stock) if r else None
                if x is not None:
                    r['vs_stock'] = '%.3f' % x
                out.append(f'{pm(r, "gbps")} ({x:.3f}x)' if x is not None else '-')
            rows.append(out)
    md += md_table(['folio', 'copy'] + sizes, rows)

    md += ['### Batch copy step by batch size: the fixed cost per batch', '',
           'From the mm_migrate_copy_batch events of the runs above: time per batch '
           '(mean) at each batch size asked for, and the shares the policy cut it into '
           '(as many as channels or threads, none below min_share_bytes). A least-squares '
           'line through time against bytes per batch gives the copier\'s streaming '
           'rate (its slope) and its fixed cost per batch (where it meets zero bytes): '
           'mapping, descriptors or work items, submission, completion and wake-up. '
           'fixed share: that cost over the batch time; vs CPU: the batch time over the '
           'kernel\'s single-thread CPU copy of the same bytes (batch, same boot).', '']
    rows = []
    for f in FOLIOS:
        cpu = cell(bc, f, 'batch')
        bw = num(cpu, 'gbps_mean')
        if cpu:
            rows.append([f, 'batch (CPU)', '1', '%.0f (%.2f MB)' % (
                num(cpu, 'batch_us_mean'), num(cpu, 'batch_bytes_mean') / 2**20),
                '%.3f' % bw, '-', '-', '-'])
        for c in copiers:
            pts, us, sh, vs = [], [], [], []
            for b in sizes:
                r = cell(bc, f, f'{c}@{b}')
                if not r:
                    us.append('-')
                    sh.append('-')
                    vs.append('-')
                    continue
                n = shares(r, c)
                r['shares'] = n
                by, t = num(r, 'batch_bytes_mean'), num(r, 'batch_us_mean')
                pts.append((by, t))
                us.append('%.0f' % t)
                sh.append(str(n))
                x = ratio(t, by / (bw * 1e3)) if bw else None
                vs.append('%.2fx' % x if x else '-')
            if not pts:
                continue
            rate = fixed = None
            if len(pts) >= 2:
                mx = sum(p[0] for p in pts) / len(pts)
                my = sum(p[1] for p in pts) / len(pts)
                sxx = sum((p[0] - mx) ** 2 for p in pts)
                if sxx:
                    slope = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx
                    fixed = my - slope * mx
                    rate = 1 / (slope * 1e3) if slope > 0 else None
            fs = ' / '.join('%.0f%%' % (100 * fixed / p[1]) for p in pts) if fixed is not None else '-'
            for r in (cell(bc, f, f'{c}@{b}') for b in sizes):
                if r and fixed is not None:
                    r['fixed_us_fit'] = '%.1f' % fixed
                    r['rate_gbps_fit'] = '%.3f' % rate if rate else ''
            rows.append([f, c, ' / '.join(sh), ' / '.join(us),
                         '%.3f' % rate if rate else '-',
                         '%.0f' % fixed if fixed is not None else '-', fs, ' / '.join(vs)])
    sz = ' / '.join(sizes)
    md += md_table(['folio', 'copy', f'shares ({sz})', f'µs per batch ({sz})',
                    'rate GB/s (fit)', 'fixed µs per batch (fit)', f'fixed share ({sz})',
                    f'time vs CPU copy ({sz})'], rows)
    return md


def batch_window_section(bw):
    """The unmapped window per page against the migrator's batch size."""
    r0 = bw[0]
    md = ['### Unmapped window per page by batch size (move_pages of 4K pages)', '',
          f'{r0["migrator"]} taking every batch (dcbm: one swdma channel, DMA_MEMCPY_SG), '
          f'{r0["mb"]} MB per move, {r0["runs"]} runs per setting, alternating; from each '
          'page\'s migrate:set_migration_pte to its remove_migration_pte event. '
          'stock: vm.migrate_batch_copy=0 (no batch step, folio by folio).', '']
    stock = num(cell_by(bw, 'anon', 'stock'), 'mean_us')
    rows = []
    for r in bw:
        x = ratio(num(r, 'mean_us'), stock)
        b = int(r['batch']) if r['copy'] != 'stock' else None
        rows.append([r['copy'], '-' if b is None else ('%g MiB' % (b / 2**20) if b else 'default'),
                     f'{r["mean_us"]} ± {r["sd_us"]}', r['p50_us'], r['p99_us'], r['max_us'],
                     '%.3f' % x if x is not None else '-'])
    md += md_table(['setting', 'batch_bytes', 'mean µs (± SD of runs)', 'p50 µs', 'p99 µs',
                    'max µs', 'mean vs stock'], rows)
    return md


def batch_targets(mp, bc):
    """The targets of the batch-size issue, from the batch-size runs."""
    res = []
    cpu = num(cell(bc, '2M', 'batch'), 'gbps_mean')
    cand = [c for c in configs(bc) if c.startswith('dcbm_sg:1@')]
    best = max(((num(cell(bc, '2M', c), 'gbps_mean') or 0, c) for c in cand), default=(0, '-'))
    r = ratio(best[0], cpu)
    res.append(('batch size, 2M: dcbm_sg:1 at its best batch size >= 0.95x the batch step\'s CPU copy',
                f'{best[1]} {best[0]:.3f} vs CPU {cpu:.3f} GB/s = {r:.3f}x' if r else '-',
                r is not None and r >= 0.95))
    stock = num(cell(mp, '2M', 'stock'), 'gbps_mean')
    cand = [c for c in configs(mp) if '@' in c]
    best = max(((num(cell(mp, '2M', c), 'gbps_mean') or 0, c) for c in cand), default=(0, '-'))
    r = ratio(best[0], stock)
    res.append(('batch size, 2M: best migrator at its best batch size >= 1.2x stock (move_pages)',
                f'{best[1]} {best[0]:.3f} vs stock {stock:.3f} GB/s = {r:.3f}x' if r else '-',
                r is not None and r >= 1.2))
    return res


def cell_by(rows, mem, copy):
    for r in rows:
        if r.get('mem') == mem and r.get('copy') == copy:
            return r
    return None




def dma_targets(dma, engine=''):
    """The setup-cost targets of the dmaengine table, per channel count."""
    res = []
    on = f' on {engine}' if engine else ''
    for chan in sorted({r['chan'] for r in dma}, key=int):
        m = [r for r in dma if r['chan'] == chan and r['folio'] == '4KB' and r['sge'] == '512']
        pe = next((r for r in m if r['mode'] == 'prep_memcpy'), None)
        sg = next((r for r in m if r['mode'] == 'prep_memcpy_sg'), None)
        if not pe or not sg:
            continue
        cost = lambda r: num(r, 'prep_ms_mean') + num(r, 'submit_ms_mean')
        rr = ratio(cost(sg), cost(pe))
        calls = ratio(num(pe, 'prep_calls'), num(sg, 'prep_calls'))
        res.append((f'4K x 512, {chan} channel(s){on}: prep+submit of memcpy_sg <= 1/20 of per-entry',
                    f'{cost(sg):.2f} vs {cost(pe):.2f} ms = 1/{1 / rr:.1f}' if rr else '-',
                    rr is not None and rr <= 1 / 20))
        res.append((f'4K x 512, {chan} channel(s){on}: prep calls 512x fewer',
                    f'{calls:.0f}x' if calls else '-', calls is not None and calls >= 512))
    return res


def targets(dma, mp, bc, ceil):
    """(target, measured text, met) for each target of issue 7."""
    res = dma_targets(dma)
    offl = [c for c in configs(bc) if c not in ('batch', 'stock')]
    cpu = num(cell(bc, '2M', 'batch'), 'gbps_mean')
    best = max(((num(cell(bc, '2M', c), 'gbps_mean') or 0, c) for c in offl), default=(0, '-'))
    c2 = ceil.get('2', (None,))[0]
    r1 = ratio(best[0], cpu)
    res.append(('batch copy, 2M: best migrator >= 1.5x the single-thread CPU copy',
                f'{best[1]} {best[0]:.3f} vs CPU {cpu:.3f} GB/s = {r1:.2f}x' if r1 else '-',
                r1 is not None and r1 >= 1.5))
    r2 = ratio(best[0], c2)
    res.append(('batch copy, 2M: best migrator >= 75% of the 2-thread memcpy ceiling',
                f'{best[1]} {best[0]:.3f} vs {c2:.3f} GB/s = {100 * r2:.0f}%' if r2 else '-',
                r2 is not None and r2 >= 0.75))

    for folio, want in (('2M', 1.2), ('4K', 0.97)):
        stock = num(cell(mp, folio, 'stock'), 'gbps_mean')
        cand = [c for c in configs(mp) if c != 'stock']
        best = max(((num(cell(mp, folio, c), 'gbps_mean') or 0, c) for c in cand), default=(0, '-'))
        bm = max(((num(cell(mp, folio, c), 'gbps_mean') or 0, c) for c in cand if c != 'batch'),
                 default=(0, '-'))
        r = ratio(bm[0], stock)
        txt = (f'{bm[1]} {bm[0]:.3f} vs stock {stock:.3f} GB/s = {r:.3f}x' if r else '-')
        rb = ratio(num(cell(mp, folio, 'batch'), 'gbps_mean'), stock)
        if rb:
            txt += f' (batch step, CPU copy: {rb:.3f}x)'
        res.append((f'move_pages, {folio}: best migrator >= {want}x stock', txt,
                    r is not None and r >= want))
    return res




def gnuplot(outdir, mp, bc, dma, ceil, tier_samples):
    if not shutil.which('gnuplot'):
        print('warning: gnuplot not found, no plots (host/deps.sh bench installs it)',
              file=sys.stderr)
        return []
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        def lines_plot(name, rows, title, extra=''):
            cfgs = configs(rows)
            dat = os.path.join(tmp, name + '.dat')
            with open(dat, 'w') as f:
                for c in cfgs:
                    f.write(f'# {c}\n')
                    for fo in FOLIOS:
                        r = cell(rows, fo, c)
                        if r:
                            f.write(f'{KB[fo]} {num(r, "gbps_mean")} {num(r, "gbps_sd")}\n')
                    f.write('\n\n')
            plots = ', '.join(f"'{dat}' index {i} using 1:2:3 with yerrorlines "
                              f"title '{c}' {style(c)}" for i, c in enumerate(cfgs))
            return f"""
set output '{os.path.join(outdir, name + ".png")}'
set title '{title}'
set logscale x 2
set xtics ("4K" 4, "64K" 64, "1M" 1024, "2M" 2048)
set xlabel 'folio size'
set ylabel 'GB/s (mean ± SD)'
set key outside right
set yrange [0:*]
{extra}
plot {plots}
unset arrow
"""
        script = ["set terminal pngcairo size 1000,560 noenhanced font 'sans,10'",
                  'set grid']
        if mp:
            script.append(lines_plot('move_pages', mp, 'move_pages(2), node 0 to node 1'))
            made.append('move_pages.png')
        if bc:
            extra = ''
            for t, (g, m) in sorted(ceil.items()):
                extra += (f"set arrow from 4,{g} to 2048,{g} nohead dt 2 lw 2 lc rgb 'gray'\n"
                          f"set label 'memcpy {t}T ({m})' at 4,{g} offset 1,0.6\n")
            script.append(lines_plot('batch_copy', bc, 'batch copy step alone (offload_copy)', extra))
            script.append('unset label')
            made.append('batch_copy.png')
        if dma:
            dat = os.path.join(tmp, 'dma.dat')
            groups = list(dict.fromkeys((r['folio'], r['chan']) for r in dma))
            with open(dat, 'w') as f:
                f.write('cell prep_memcpy prep_memcpy_sg\n')
                for fo, ch in groups:
                    v = []
                    for mode in ('prep_memcpy', 'prep_memcpy_sg'):
                        r = next((x for x in dma if x['folio'] == fo and x['chan'] == ch
                                  and x['mode'] == mode), None)
                        v.append(num(r, 'prep_ms_mean') + num(r, 'submit_ms_mean') if r else 0)
                    f.write(f'"{fo} x {dma[0]["sge"]}, {ch} ch" {max(v[0], 1e-3)} {max(v[1], 1e-3)}\n')
            script.append(f"""
set output '{os.path.join(outdir, "dma_setup.png")}'
set title 'prep + submit time per run, thread time summed over channels'
unset logscale
unset xlabel
set xtics auto
set logscale y
set yrange [*:*]
set ylabel 'ms (log scale)'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top right
plot '{dat}' using 2:xtic(1) title col, '' using 3 title col
""")
            made.append('dma_setup.png')
        tier_script, tier_made = bench_tiering.plot(outdir, tier_samples, tmp)
        script += tier_script
        made += tier_made
        gp = os.path.join(tmp, 'plots.gp')
        with open(gp, 'w') as f:
            f.write('\n'.join(script))
        p = subprocess.run(['gnuplot', gp], capture_output=True, text=True)
        if p.returncode:
            print(f'warning: gnuplot failed: {p.stderr.strip()}', file=sys.stderr)
            return []
    return made






def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('results')
    ap.add_argument('outdir')
    ap.add_argument('--title', default='')
    ap.add_argument('--zdma', help="the arm64 VM's results: the setup-cost table on "
                    'its ZynqMP DMA channels')
    ap.add_argument('--zdma-title', default='')
    args = ap.parse_args()
    tables, errors = read_rows(args.results)
    zdma = []
    if args.zdma:
        ztables, zerrors = read_rows(args.zdma)
        zdma = ztables.get('dma_copy', [])
        errors += [f'arm64: {e}' for e in zerrors]
        if not zdma:
            errors.append(f'arm64: no ZDMA setup-cost rows in {args.zdma}')
        tables['zdma_copy'] = zdma
    os.makedirs(args.outdir, exist_ok=True)
    memcpy = tables.get('memcpy', [])
    dma = tables.get('dma_copy', [])
    mp = tables.get('move_pages', [])
    bc = tables.get('batch_copy', [])
    uw = tables.get('unmap_window', [])
    bmp = tables.get('bs_move_pages', [])
    bbc = tables.get('bs_batch_copy', [])
    bw = tables.get('unmap_window_batch', [])
    ceil = ceilings(memcpy)

    md = []
    if args.title:
        md += [args.title, '']
    if memcpy:
        md += memcpy_section(memcpy)
    if dma:
        md += dma_section(dma)
    if zdma:
        md += dma_section(
            zdma, 'ZynqMP DMA (ZDMA) channels of the arm64 VM (QEMU xlnx-versal-virt, '
            'drivers/dma/xilinx/zynqmp_dma.c: hardware descriptors, one per chunk)',
            'dmaengine on hardware descriptors: ZDMA, prep_memcpy per entry vs one '
            'prep_memcpy_sg per batch')
        if args.zdma_title:
            md += [args.zdma_title, '']
    if mp:
        r0 = mp[0]
        note = (f'{r0["mb"]} MB per run, {r0["runs"]} runs per cell, the configurations '
                'alternating run by run; every move verified (node and content). '
                'stock: folio by folio; batch: batch copy step, CPU copy; dcbm:N / '
                'dcbm_sg:N: dcbm on N swdma channels, one descriptor per entry / one '
                'DMA_MEMCPY_SG per channel; mtcopy:N: N threads.')
        md += by_folio_section('move_pages(2) GB/s (mean ± SD)', note, mp,
                               lambda r, f, c: pm(r, 'gbps') if r else '-')

        def vs(r, f, c):
            s = num(cell(mp, f, 'stock'), 'gbps_mean')
            x = ratio(num(r, 'gbps_mean'), s) if r else None
            if x is not None:
                r['vs_stock'] = '%.3f' % x
            return '%.3f' % x if x is not None else '-'
        md += by_folio_section('move_pages(2), ratio to stock (same boot)', '', mp, vs)
    if bc:
        c2 = ceil.get('2', (None,))[0]

        def comp(r, f, c):
            if not r:
                return '-'
            g = num(r, 'gbps_mean')
            if c2:
                r['pct_of_2t_ceiling'] = '%.0f' % (100 * g / c2)
                return f'{pm(r, "gbps")} ({100 * g / c2:.0f}%)'
            return pm(r, 'gbps')
        note = ('Time inside the copy step only (the mm_migrate_copy_batch tracepoint: '
                'bytes and duration of every batch of the move_pages runs above), '
                'GB/s mean ± SD, in brackets the share of the 2-thread memcpy ceiling. '
                'batch is the kernel\'s single-thread CPU copy of the same lists.')
        md += by_folio_section('Batch copy step alone (offload_copy on the batch\'s folio lists)',
                               note, bc, comp)

    if bmp and bbc:
        md += batch_size_sections(bmp, bbc)
    if bw:
        md += batch_window_section(bw)
    if uw:
        md += window_section(uw)
    tmd, ttg, why = bench_tiering.tiering_report(tables, args.outdir)
    md += tmd

    tg = targets(dma, mp, bc, ceil) if dma and mp and bc else []
    tg += dma_targets(zdma, 'ZDMA')
    if bmp and bbc:
        tg += batch_targets(bmp, bbc)
    tg += ttg
    if tg:
        md += ['### Targets (ratios from this boot)', '']
        md += md_table(['target', 'measured', 'met'],
                       [[t, m, {True: 'yes', None: '**within noise**'}.get(ok, '**no**')]
                        for t, m, ok in tg])
        if why:
            md += ['Why, in the same boot\'s figures:', ''] + ['- ' + w for w in why] + ['']
        with open(os.path.join(args.outdir, 'targets.csv'), 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['target', 'measured', 'met'])
            for t, m, ok in tg:
                w.writerow([t, m, {True: 'yes', None: 'within noise'}.get(ok, 'no')])

    for name, rows in tables.items():
        write_csv(os.path.join(args.outdir, f'{name}.csv'), rows)
    plots = gnuplot(args.outdir, mp, bc, dma, ceil, tables.get('tiering_sample', []))
    if plots:
        md += ['Plots: ' + ', '.join(plots), '']
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
