# SPDX-License-Identifier: GPL-2.0
"""make bench's tiering report: the tiering workload (guest/bench/tiering.c)
under each policy with each copier (guest/bench-tiering.sh), as a table,
a CSV, the targets and a plot of accesses/s over time.

Per policy and copier, over every phase of every run: steady-state
accesses/s (mean of a phase's second half), re-convergence after each
shift of the hot window (seconds to the first sample within 10% of the
phase's steady state, and to 80% of the hot window on node 0; every new
window is the stretch with the fewest pages there), promotion, demotion
and NUMA-migration rates, the time spent in the batch copy step (the
mm_migrate_copy_batch histogram) and the share of offloaded folios that
fell back to the CPU.  Ratios are to stock under
the same policy, in the same boot.
"""

import os

from bench_common import md_table, mean_sd, num, ratio, style, write_csv

# Targets of the tiering issue, for the best copier of a policy
RECONVERGE_MAX = 0.8
STEADY_MIN = 1.0
# A copier counts for them if its hot set on node 0 kept this share of stock's
HOT_KEPT = 0.75
# ... and a policy counts if stock's hot set ends a phase this much on node 0
HOT_TIERED_PCT = 50


def _key(r):
    return r.get('policy', '?'), r.get('copy', '?')


def _rate(tot, *names):
    secs = num(tot, 'secs')
    vals = [num(tot, n) for n in names]
    if not secs or any(v is None for v in vals):
        return None
    return sum(vals) / secs


def summarize(phases, totals):
    """One dict per (policy, copier), in the order the runs came."""
    out = []
    for pol, cp in dict.fromkeys(_key(r) for r in totals):
        if pol == 'bound':
            continue
        ph = [r for r in phases if _key(r) == (pol, cp)]
        tot = [r for r in totals if _key(r) == (pol, cp)]
        shifted = [r for r in ph if num(r, 'phase')]
        rcv = [num(r, 'reconverge_s') for r in shifted]
        hrv = [num(r, 'hot_reconverge_s') for r in shifted]
        row = {'policy': pol, 'copy': cp, 'runs': len(tot), 'phases': len(ph),
               'shifts': len(shifted),
               # -1: not back within the phase, counted apart
               'not_reconverged': sum(1 for v in rcv if v is not None and v < 0),
               'hot_not_reconverged': sum(1 for v in hrv if v is not None and v < 0)}
        for name, vals in (
                ('steady_acc_s', [num(r, 'steady_acc_s') for r in ph]),
                ('reconverge_s', [v for v in rcv if v is not None and v >= 0]),
                ('hot_reconverge_s', [v for v in hrv if v is not None and v >= 0]),
                ('hot_fast_pct', [num(r, 'hot_fast_pct') for r in ph]),
                ('start_fast_pct', [num(r, 'start_fast_pct') for r in shifted]),
                ('promote_s', [_rate(t, 'pgpromote_success') for t in tot]),
                ('promoted_pct', [100 * num(t, 'pgpromote_success') / num(t, 'pgpromote_candidate')
                                  if num(t, 'pgpromote_candidate') else None for t in tot]),
                ('demote_s', [_rate(t, 'pgdemote_kswapd', 'pgdemote_direct') for t in tot]),
                ('numa_migrated_s', [_rate(t, 'numa_pages_migrated') for t in tot]),
                ('copy_ms_s', [None if r is None else r / 1e6
                               for r in (_rate(t, 'copy_ns') for t in tot)])):
            row[name + '_mean'], row[name + '_sd'] = mean_sd(vals)
        cop = sum(num(t, 'migrate_offload_copied') or 0 for t in tot)
        fb = sum(num(t, 'migrate_offload_fallback') or 0 for t in tot)
        row['fallback_pct'] = 100 * fb / (cop + fb) if cop + fb else None
        cb = sum(num(t, 'copy_bytes') or 0 for t in tot)
        cns = sum(num(t, 'copy_ns') or 0 for t in tot)
        row['copy_gbps'] = cb / cns if cns else None
        row['copy_batches'] = sum(num(t, 'copy_batches') or 0 for t in tot)
        row['bad_words'] = sum(num(t, 'bad_words') or 0 for t in tot)
        out.append(row)
    by = {(r['policy'], r['copy']): r for r in out}
    for r in out:
        base = by.get((r['policy'], 'stock'))
        for name in ('steady_acc_s', 'reconverge_s', 'hot_reconverge_s'):
            x = ratio(r[name + '_mean'], base[name + '_mean']) if base else None
            r[name + '_vs_stock'] = x
    return out


def damos_section(damos):
    """What the DAMOS schemes of the damon policy matched and migrated."""
    if not damos:
        return []
    acts = ('migrate_hot', 'migrate_cold')
    body = []
    for pol, cp in dict.fromkeys(_key(r) for r in damos):
        rs = [r for r in damos if _key(r) == (pol, cp)]
        cells = [pol, cp]
        for a in acts:
            for k in ('sz_tried', 'sz_applied'):
                v = mean_sd([num(r, f'{a}_{k}') for r in rs])[0]
                cells.append('-' if v is None else '%.0f' % (v / 2 ** 20))
            v = mean_sd([num(r, f'{a}_qt_exceeds') for r in rs])[0]
            cells.append('-' if v is None else '%.0f' % v)
        body.append(cells)
    head = ['policy', 'copier'] + [f'{a} {k}' for a in acts for k in
                                   ('MB matched', 'MB migrated', 'quota exceeded')]
    return (['DAMOS schemes over each run (their stats: matched is what fit the '
             'scheme\'s access pattern, migrated what it moved):', ''] +
            md_table(head, body))


def tier_gap(phases):
    """(node 0, node 2) steady accesses/s with the working set bound to each."""
    def steady(node):
        vals = [num(r, 'steady_acc_s') for r in phases
                if _key(r) == ('bound', f'node{node}')]
        return mean_sd(vals)[0]
    return steady(0), steady(2)


def _pm(row, name, scale=1.0, fmt='%.1f'):
    m, s = row.get(name + '_mean'), row.get(name + '_sd')
    if m is None:
        return '-'
    return (fmt % (m * scale)) + ' ± ' + (fmt % ((s or 0) * scale))


def _x(v):
    return '-' if v is None else '%.3f' % v


def section(rows, gap, interval_s):
    head = ['policy', 'copier', 'runs', 'steady M acc/s', 'vs stock', 're-converge s',
            'vs stock', 'hot set re-converge s', 'vs stock', 'new hot set on node 0 %',
            'hot set on node 0 at phase end %',
            'promotions/s', 'candidates promoted %', 'demotions/s', 'NUMA migrations/s', 'copy step ms/s',
            'copy step GB/s', 'fell back %', 'not re-converged', 'bad words']
    body = []
    for r in rows:
        nrc = r['not_reconverged'] + r['hot_not_reconverged']
        body.append([r['policy'], r['copy'], r['runs'],
                     _pm(r, 'steady_acc_s', 1e-6, '%.2f'), _x(r['steady_acc_s_vs_stock']),
                     _pm(r, 'reconverge_s'), _x(r['reconverge_s_vs_stock']),
                     _pm(r, 'hot_reconverge_s'), _x(r['hot_reconverge_s_vs_stock']),
                     _pm(r, 'start_fast_pct', fmt='%.0f'), _pm(r, 'hot_fast_pct', fmt='%.0f'),
                     _pm(r, 'promote_s', fmt='%.0f'), _pm(r, 'promoted_pct', fmt='%.0f'),
                     _pm(r, 'demote_s', fmt='%.0f'),
                     _pm(r, 'numa_migrated_s', fmt='%.0f'),
                     _pm(r, 'copy_ms_s') if r['copy_batches'] else '-',
                     '%.2f' % r['copy_gbps'] if r['copy_gbps'] else '-',
                     '%.1f' % r['fallback_pct'] if r['fallback_pct'] is not None else '-',
                     f"{nrc} of {2 * r['shifts']}", '%d' % r['bad_words']])
    note = ('The tiering workload (guest/bench/tiering.c): a working set larger than '
            'node 0 has free (hugetlb pages take the rest), read from node 0\'s CPUs, '
            'most reads in a hot window that moves every phase; every word read is '
            'checked. Policies: nb, NUMA balancing\'s tiering '
            'mode (nb:N: promotion rate limit N MB/s); damon, DAMOS migrate_hot from '
            'node 2 and migrate_cold from node 0. Steady state: accesses/s over each '
            'phase\'s second half; re-convergence: seconds from a shift to the first '
            f'{interval_s:g} s sample within 10% of steady state, and to 80% of the '
            'hot window on node 0 (each new window is the stretch of the working set with '
            'the fewest pages there; shifts that did not get there within the phase are '
            'counted apart); mean ± SD over every phase of '
            'every run; rates per second of each run; copy step: the time and bytes of '
            'every batch copy step (in-kernel histogram of mm_migrate_copy_batch).')
    out = ['### Tiering workload', '', note, '']
    if gap[0] and gap[1]:
        out += [f'Each tier alone, nothing migrating (half the working set bound to one '
                f'node): node 0 {gap[0] / 1e6:.2f} M acc/s, node 2 {gap[1] / 1e6:.2f} M '
                f'acc/s, node 2 / node 0 = {gap[1] / gap[0]:.3f}.', '']
    return out + md_table(head, body)


def _damos_why(pol, damos):
    """What DAMON's schemes saw, summed over the policy's runs."""
    rs = [r for r in damos if r.get('policy') == pol]
    if not rs:
        return ''
    mb = {k: sum(num(r, k) or 0 for r in rs) / 2 ** 20 for k in
          ('migrate_hot_sz_tried', 'migrate_hot_sz_applied', 'migrate_cold_sz_tried',
           'migrate_cold_sz_applied')}
    return (f' Over its {len(rs)} runs migrate_hot matched {mb["migrate_hot_sz_tried"]:.0f} MB '
            f'of node 2 and moved {mb["migrate_hot_sz_applied"]:.0f} MB, while migrate_cold '
            f'matched {mb["migrate_cold_sz_tried"]:.0f} MB of node 0 as unaccessed (moved '
            f'{mb["migrate_cold_sz_applied"]:.0f} MB, its quota the limit): DAMON saw next '
            'to no access to pages read millions of times a second (likely: DAMON clears '
            'accessed bits without a TLB flush, and under TCG a page whose translation '
            'QEMU keeps cached does not get its bit set again).')


def targets(rows, gap, interval_s, damos=()):
    """(target, measured, met) per policy, and a line on each one missed;
    met is None for a shorter re-convergence within the SDs (noise)."""
    out, why = [], []
    for pol in dict.fromkeys(r['policy'] for r in rows):
        pr = [r for r in rows if r['policy'] == pol and r['copy'] != 'stock']
        base = next((r for r in rows if r['policy'] == pol and r['copy'] == 'stock'), None)
        if not pr or not base:
            continue
        if (base['hot_fast_pct_mean'] or 0) < HOT_TIERED_PCT:
            out.append((f'{pol}: the policy brings the hot set to node 0 (stock, >= '
                        f'{HOT_TIERED_PCT}% at phase end)',
                        f'{base["hot_fast_pct_mean"] or 0:.0f}%', False))
            why.append(f'{pol}: the hot set ended its phases {base["hot_fast_pct_mean"] or 0:.0f}% '
                       'on node 0 with stock (' + ', '.join(
                           f'{r["copy"]} {r["hot_fast_pct_mean"] or 0:.0f}%' for r in pr) +
                       '): this policy does not tier this workload here, and its copiers '
                       'cannot be told apart by how it converges.' + _damos_why(pol, damos))
            continue
        # A copier whose runs left the hot set on node 2 (the policy hardly
        # migrated: promotions failing on a full node 0, say) is fast for
        # the wrong reason: it does not count as the best.
        if base['hot_fast_pct_mean']:
            out_of = [r for r in pr if (r['hot_fast_pct_mean'] or 0) <
                      HOT_KEPT * base['hot_fast_pct_mean']]
            pr = [r for r in pr if r not in out_of]
            if out_of:
                why.append(f'{pol}: not counted, the hot set on node 0 at phase end below '
                           f'{HOT_KEPT:.0%} of stock\'s {base["hot_fast_pct_mean"]:.0f}%: ' +
                           ', '.join(f'{r["copy"]} ({r["hot_fast_pct_mean"]:.0f}%'
                                     + (f', {r["promoted_pct_mean"]:.0f}% of promotion '
                                        'candidates promoted'
                                        if r['promoted_pct_mean'] is not None else '')
                                     + ')' for r in out_of) + '.')
        if not pr:
            continue
        for name, label, best, limit, ok in (
                ('reconverge_s', 're-convergence (accesses/s)', min, RECONVERGE_MAX,
                 lambda x: x <= RECONVERGE_MAX),
                ('hot_reconverge_s', 're-convergence (hot set on node 0)', min,
                 RECONVERGE_MAX, lambda x: x <= RECONVERGE_MAX),
                ('steady_acc_s', 'steady-state accesses/s', max, STEADY_MIN,
                 lambda x: x >= STEADY_MIN)):
            cand = [r for r in pr if r[name + '_vs_stock'] is not None]
            if not cand:
                out.append((f'{pol}: {label}, best copier vs stock',
                            'no shift re-converged' + ('' if base[name + '_mean'] is not None
                                                       else ', stock\'s neither'), False))
                continue
            r = best(cand, key=lambda c: c[name + '_vs_stock'])
            x = r[name + '_vs_stock']
            op = '<=' if best is min else '>='
            met = ok(x)
            # The best of several noisy copiers: a shorter re-convergence
            # counts only if it is apart from stock's by their SDs.
            if met and best is min and not _apart(r, base, name):
                met = None
            out.append((f'{pol}: {label}, best copier vs stock {op} {limit}',
                        f'{x:.3f} ({r["copy"]}: {_pm(r, name, fmt="%.1f")} against '
                        f'{_pm(base, name, fmt="%.1f")})' if best is min else
                        f'{x:.3f} ({r["copy"]})', met))
            if not met:
                why.append(_why(pol, label, name, r, base, gap, interval_s))
    return out, why


def _apart(r, base, name):
    """@r's mean plus its SD below stock's mean minus its SD."""
    m, s = r[name + '_mean'], r[name + '_sd'] or 0
    bm, bs = base[name + '_mean'], base[name + '_sd'] or 0
    return m is not None and bm is not None and m + s < bm - bs


def _why(pol, label, name, r, base, gap, interval_s):
    """The same boot's figures behind a missed target."""
    if name == 'steady_acc_s':
        unit = ' M acc/s'
        mine, theirs = _pm(r, name, 1e-6, '%.2f'), _pm(base, name, 1e-6, '%.2f')
    else:
        unit = ' s'
        mine, theirs = _pm(r, name, fmt='%.2f'), _pm(base, name, fmt='%.2f')
    parts = [f'{pol}, {label}: {r["copy"]} {mine}{unit} against stock\'s {theirs}{unit}']
    if name != 'steady_acc_s' and base[name + '_mean'] is not None and \
            base[name + '_mean'] <= 1.5 * interval_s:
        parts.append(f'stock already re-converges within about one {interval_s:g} s '
                     'sample, the resolution of the measurement')
    if name != 'hot_reconverge_s' and gap[0] and gap[1] and gap[1] / gap[0] > 0.9:
        parts.append(f'node 2 alone runs the workload at {gap[1] / gap[0]:.2f}x node 0: '
                     'QEMU gives the lower tier no slower memory, so where a page sits '
                     'barely changes how fast it is read, and migrating it only costs')
    if r['copy_ms_s_mean'] is not None and r['copy_batches']:
        parts.append(f'its copy step took {r["copy_ms_s_mean"]:.1f} ms per second of run'
                     + (f' at {r["copy_gbps"]:.2f} GB/s' if r['copy_gbps'] else ''))
    if r['fallback_pct']:
        parts.append(f'{r["fallback_pct"]:.0f}% of the folios offered to it fell back '
                     'to the CPU')
    if r['promote_s_mean'] is not None and base['promote_s_mean']:
        parts.append(f'promotions {r["promote_s_mean"]:.0f}/s against stock\'s '
                     f'{base["promote_s_mean"]:.0f}/s')
        if r['promoted_pct_mean'] is not None and base['promoted_pct_mean'] is not None:
            parts.append(f'{r["promoted_pct_mean"]:.0f}% of its promotion candidates '
                         f'promoted against stock\'s {base["promoted_pct_mean"]:.0f}% (a '
                         'candidate that finds node 0 full stays put until kswapd demotes)')
    return '; '.join(parts) + '.'


def plot(outdir, samples, tmp):
    """Accesses/s and the hot set's share of node 0 over time, one line per
    copier (run 1), one PNG per policy, the shifts of the hot window marked:
    (gnuplot script parts, PNG names), the data files in @tmp."""
    made, script = [], []
    for pol in dict.fromkeys(r.get('policy') for r in samples):
        if pol in (None, 'bound'):
            continue
        rows = [r for r in samples if r.get('policy') == pol and r.get('run', '1') == '1']
        cfgs = list(dict.fromkeys(r['copy'] for r in rows))
        name = f'tiering_{pol.replace(":", "_")}'
        dat = os.path.join(tmp, name + '.dat')
        shifts = []
        with open(dat, 'w') as f:
            for c in cfgs:
                f.write(f'# {c}\n')
                prev = None
                for r in (x for x in rows if x['copy'] == c):
                    if prev is not None and r['phase'] != prev['phase'] and c == cfgs[0]:
                        shifts.append(num(prev, 't'))
                    f.write(f'{r["t"]} {num(r, "acc_s") / 1e6} {r["hot_fast_pct"]}\n')
                    prev = r
                f.write('\n\n')
        arrows = ''.join(f"set arrow from {x},graph 0 to {x},graph 1 nohead dt 2 lw 2 "
                         f"lc rgb '#505050' front\n" for x in shifts)
        acc = ', '.join(f"'{dat}' index {i} using 1:2 with linespoints title '{c}' {style(c)}"
                        for i, c in enumerate(cfgs))
        hot = ', '.join(f"'{dat}' index {i} using 1:3 with linespoints notitle {style(c)}"
                        for i, c in enumerate(cfgs))
        script.append(f"""
set terminal pngcairo size 1000,760 noenhanced font 'sans,10'
set output '{os.path.join(outdir, name + ".png")}'
set multiplot layout 2,1 title 'tiering workload, policy {pol}: dashed lines are the shifts of the hot window'
unset logscale
set xtics auto
set xlabel 'seconds'
set key outside right
{arrows}set ylabel 'M accesses/s'
set yrange [0:*]
plot {acc}
set ylabel 'hot set on node 0 (%)'
set yrange [0:100]
plot {hot}
unset multiplot
unset arrow
""")
        made.append(name + '.png')
    return script, made


def tiering_report(tables, outdir):
    """(Markdown lines, targets, lines saying why a target was missed) of
    the tiering runs in @tables; writes OUTDIR/tiering.csv."""
    phases = tables.get('tiering_phase', [])
    totals = tables.get('tiering_total', [])
    samples = tables.get('tiering_sample', [])
    if not phases:
        return [], [], []
    ts = sorted({num(r, 't') for r in samples if num(r, 't') is not None})
    interval_s = round(ts[0], 1) if ts else 1.0
    rows = summarize(phases, totals)
    gap = tier_gap(phases)
    write_csv(os.path.join(outdir, 'tiering.csv'),
              [{k: ('%.6g' % v if isinstance(v, float) else v) for k, v in r.items()}
               for r in rows])
    md = section(rows, gap, interval_s) + damos_section(tables.get('tiering_damos', []))
    tg, why = targets(rows, gap, interval_s, tables.get('tiering_damos', []))
    return md, tg, why

