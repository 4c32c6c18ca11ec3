#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize a `make check` VM run.

Reads the guest's result channel (results.txt), splits it into blocks,
parses every KTAP block with the kernel tree's own
tools/testing/kunit/kunit.py (parse --json), scans the console log for
kernel reports, adds up the fault campaign ("# campaign:" lines of the
tests), checks that every module unloaded, that kmemleak's final scan
found nothing and that DMA-API debugging stayed on without error, and
prints one summary ending in

    N passed, N failed, N skipped

With --tests, only the selected cases count, and the last line says how
many of how many tests the selection held.  A run that stopped early
names the case that was running and lists what never ran (from the
guest's inventory, "@@vmtest plan" lines), counted as not run.  Per-case
times (from the "@@vmtest case" lines) go to timings.tsv.

Exit status: 0 when nothing failed and everything selected ran, else 1.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import testsel

# Console lines that fail a run whatever the tests said.  KASAN, KFENCE,
# lockdep, DEBUG_VM and the DMA API checks report through "BUG: " or
# "WARNING: "; the rest of what they may say when they find a problem is
# named here (not "lockdep" or "kmemleak" alone: they announce themselves
# at boot).
REPORT_RE = re.compile(
    r'(BUG: |WARNING: |Oops|kernel BUG at|general protection fault|'
    r'KASAN|KFENCE|UBSAN|Kernel panic|'
    r'kmemleak: \d+ new suspected memory leak|unreferenced object 0x|'
    r'kmemleak: .*(disabled|Cannot allocate|pool empty)|'
    r'DMA-API: .*(out of memory|leak|pending DMA)|dma-debug disabled|'
    r'page dumped because|list_debug|'
    r'possible circular locking|possible recursive locking|'
    r'inconsistent lock state|suspicious RCU usage|'
    r'INFO: lockdep is turned off|turning off the locking correctness validator|'
    r'INFO: trying to register non-static key|'
    r'INFO: task .* blocked for more than|soft lockup|hard LOCKUP|'
    r'rcu_sched self-detected stall|detected stall|'
    r'Unable to handle kernel|list_add corruption|list_del corruption)')
TIMESTAMP_RE = re.compile(r'^\[\s*\d+\.\d+\]\s?')
CAMPAIGN_RE = re.compile(r'^\s*# campaign: (\S+) (.*)$')
CAMPAIGN_KEYS = ('bytes', 'faults', 'fallback_batches', 'corrupted')
# The test programs that must report their part of the campaign (the
# x86 VM's; --campaign-suites names another VM's)
CAMPAIGN_SUITES = ('migrate_verify', 'migrator_churn')


class Run:
    """What the guest's result channel says: blocks, plan, mode."""

    def __init__(self, path):
        self.blocks = []        # (kind, name, lines, rc, secs)
        self.plan = {}          # suite -> [case, ...] in order
        self.mode = {}          # key -> value from "@@vmtest mode"
        self.times = {}         # (suite, case) -> seconds
        self.running = {}       # suite -> (case, start) still open at its end
        if os.path.exists(path):
            self._read(path)

    def _read(self, path):
        cur, begun = None, {}
        with open(path, errors='backslashreplace') as f:
            for line in f:
                line = line.rstrip('\r\n')
                m = re.search(r' t=(\d+(?:\.\d+)?)$', line)
                if line.startswith('@@vmtest begin '):
                    _, _, kind, name = line.split(' ', 3)
                    cur, begun = (kind, name, []), {}
                elif line.startswith('@@vmtest end ') and cur:
                    m = re.search(r'rc=(-?\d+)', line)
                    t = re.search(r'secs=(\d+)', line)
                    self.blocks.append((cur[0], cur[1], cur[2],
                                        int(m.group(1)) if m else -1,
                                        int(t.group(1)) if t else None))
                    cur = None
                elif line.startswith('@@vmtest case ') and cur:
                    parts = line.split()
                    if len(parts) == 5 and m:
                        what, case, t = parts[2], parts[3], float(m.group(1))
                        if what == 'begin':
                            begun[case] = t
                        elif what == 'end' and case in begun:
                            self.times[(cur[1], case)] = t - begun.pop(case)
                elif line.startswith('@@vmtest plan '):
                    parts = line.split()
                    if len(parts) == 4:
                        self.plan.setdefault(parts[2], []).append(parts[3])
                elif line.startswith('@@vmtest mode '):
                    for kv in line.split()[2:]:
                        k, _, v = kv.partition('=')
                        self.mode[k] = v
                elif line.startswith('@@vmtest '):
                    continue
                elif cur:
                    cur[2].append(line)
        if cur:  # the guest died inside a block
            self.blocks.append((cur[0], cur[1], cur[2], None, None))
            if begun:
                case, start = max(begun.items(), key=lambda kv: kv[1])
                self.running[cur[1]] = (case, start)


def split_blocks(path):
    """Yield (kind, name, lines, rc, secs) for each begin/end block."""
    yield from Run(path).blocks


def campaign_records(lines):
    """Yield (test, {key: int}) for each "# campaign:" line of a block."""
    for line in lines:
        m = CAMPAIGN_RE.match(line)
        if not m:
            continue
        vals = dict(kv.split('=', 1) for kv in m.group(2).split() if '=' in kv)
        try:
            yield m.group(1), {k: int(vals[k]) for k in CAMPAIGN_KEYS}
        except (KeyError, ValueError):
            yield m.group(1), None


def report_campaign(blocks, failures, mode, filtered, suites=CAMPAIGN_SUITES):
    """Print the fault campaign's totals; add what is wrong to failures."""
    totals = dict.fromkeys(CAMPAIGN_KEYS, 0)
    per_suite = {}
    for kind, name, lines, _, _ in blocks:
        if kind != 'ktap':
            continue
        for test, rec in campaign_records(lines):
            if rec is None:
                failures.append(f'campaign: {name}: malformed line for {test}')
                continue
            suite = per_suite.setdefault(name, dict.fromkeys(CAMPAIGN_KEYS, 0))
            for k in CAMPAIGN_KEYS:
                suite[k] += rec[k]
                totals[k] += rec[k]
            if rec['corrupted']:
                failures.append(f'campaign: {name}: {test}: '
                                f'{rec["corrupted"]} corrupted bytes')
    ran = {name for kind, name, _, _, _ in blocks if kind == 'ktap'}
    # A filtered run may have chosen only cases that move nothing.
    for suite in suites:
        if suite in ran and suite not in per_suite and not filtered:
            failures.append(f'campaign: {suite} reported nothing')
    label = {'1': ': long (FULL=1)',
             '0': ': short (make check; FULL=1 runs the long one)'}
    print('\n==> Fault campaign' + label.get(mode.get('full'), '') +
          (', filtered' if filtered else ''))
    for name, v in per_suite.items():
        print(f'    {name:28s} {v["bytes"] / 2**30:8.2f} GiB verified, '
              f'{v["faults"]} faults, {v["fallback_batches"]} batches fell '
              f'back, {v["corrupted"]} corrupted bytes')
    print(f'    total: {totals["bytes"]} bytes ({totals["bytes"] / 2**30:.2f} GiB) '
          f'migrated and verified, {totals["faults"]} faults injected, '
          f'{totals["fallback_batches"]} batches fell back, '
          f'{totals["corrupted"]} corrupted bytes')
    if per_suite and not filtered and not (totals['bytes'] and totals['faults']
                          and totals['fallback_batches']):
        failures.append('campaign: nothing moved, injected or fell back')
    return totals


def leaf_cases(group, prefix):
    """Flatten kunit.py's JSON into (name, status) leaves."""
    name = group.get('name', '')
    for case in group.get('test_cases', []):
        yield f'{prefix}{case["name"]}', case['status']
    for sub in group.get('sub_groups', []):
        yield from leaf_cases(sub, f'{prefix}{sub.get("name", "")}.')


def parse_ktap(kunit_py, block_path, json_path, log_path):
    with open(log_path, 'w') as log:
        proc = subprocess.run(
            # kunit.py changes to the kernel tree: absolute paths only.
            [sys.executable, kunit_py, 'parse', os.path.abspath(block_path),
             '--json=' + os.path.abspath(json_path)],
            stdout=log, stderr=subprocess.STDOUT, check=False)
    cases = []
    try:
        with open(json_path) as f:
            cases = list(leaf_cases(json.load(f), ''))
    except (OSError, ValueError):
        pass
    return proc.returncode, cases


def console_reports(path, context=12):
    """Return the kernel reports found in the console log, each quoted."""
    if not os.path.exists(path):
        return []
    with open(path, errors='backslashreplace') as f:
        lines = [l.rstrip('\r\n') for l in f]
    reports, skip_until = [], -1
    for i, line in enumerate(lines):
        if i <= skip_until:
            continue
        text = TIMESTAMP_RE.sub('', line)
        if REPORT_RE.search(text):
            end = min(len(lines), i + context)
            reports.append('\n'.join(lines[i:end]))
            skip_until = end
    return reports


def case_name(suite, leaf):
    """A reported case's name within its suite: a KUnit block (kunit.S)
    reports S.case, a program fixture[.variant].test."""
    if suite.startswith('kunit.'):
        prefix = suite[len('kunit.'):] + '.'
        if leaf.startswith(prefix):
            return leaf[len(prefix):]
    return leaf


def vm_time(run_dir):
    """(seconds the VM ran, its timeout) as host/vm.sh recorded them."""
    try:
        with open(os.path.join(run_dir, 'vm-time')) as f:
            vals = dict(kv.split('=', 1) for kv in f.read().split() if '=' in kv)
        return int(vals['elapsed']), int(vals['timeout'])
    except (OSError, KeyError, ValueError):
        return None, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--run', required=True, help='VM run directory')
    ap.add_argument('--kunit-py', required=True)
    ap.add_argument('--vm-status', type=int, required=True,
                    help='host/vm.sh exit status (0 ok, 1 guest failure, 2 no report)')
    ap.add_argument('--tests', default='',
                    help='the TESTS selection of the run (empty: everything)')
    ap.add_argument('--kunit', default='all',
                    help="what KUnit ran: all, none or a filter_glob")
    ap.add_argument('--campaign-suites', default=','.join(CAMPAIGN_SUITES),
                    help='the programs that must report their part of the '
                    'fault campaign, comma-separated')
    args = ap.parse_args()

    results = os.path.join(args.run, 'results.txt')
    console = os.path.join(args.run, 'console.log')
    outdir = os.path.join(args.run, 'blocks')
    os.makedirs(outdir, exist_ok=True)
    spec = args.tests
    filtered = bool(testsel.patterns(spec))

    passed, failed, skipped = 0, 0, 0
    failures, not_run, timings = [], [], []
    known, chosen = 0, 0
    print('\n==> Test results')
    run = Run(results)
    blocks = run.blocks
    reported = {}           # suite -> set of cases with a result
    for kind, name, lines, rc, secs in blocks:
        if kind in ('modules', 'debug', 'topology'):
            # Non-KTAP blocks: modules and debug must print nothing,
            # topology must end with its "ok ..." line.
            if kind == 'topology':
                good = rc == 0 and lines and lines[-1].startswith('ok ')
                what = 'not the machine the tests need'
                summary = lines[-1][3:] if good else ''
            else:
                good = rc == 0 and not lines
                what = ('modules left loaded' if kind == 'modules'
                        else 'kmemleak or DMA-API debugging found problems')
                summary = 'nothing left'
            if good:
                passed += 1
                print(f'    ok   {kind + ": " + name:40s} {summary}')
            else:
                failed += 1
                failures.append(f'{kind}: {what}' +
                                (f' (status {rc})' if rc else ''))
                print(f'    FAIL {kind + ": " + name:40s}')
                print('\n'.join('        | ' + l for l in lines[:60]))
            continue
        if kind != 'ktap':
            continue
        base = os.path.join(outdir, name)
        with open(base + '.ktap', 'w') as f:
            f.write('\n'.join(lines) + '\n')
        prc, leaves = parse_ktap(args.kunit_py, base + '.ktap', base + '.json',
                                 base + '.log')
        cases = [(case_name(name, n), st) for n, st in leaves]
        reported[name] = {n for n, _ in cases}
        if name not in run.plan:        # KUnit: known once it has run
            known += len(cases)
        cases = [(n, st) for n, st in cases if testsel.selected(spec, name, n)]
        if name not in run.plan:
            chosen += len(cases)
        if not cases and filtered and rc is not None:
            continue                    # ran (KUnit), but nothing chosen
        for n, _ in cases:
            if (name, n) in run.times:
                timings.append((run.times[(name, n)], name, n))
        p = sum(1 for _, s in cases if s == 'PASS')
        s = sum(1 for _, s in cases if s == 'SKIP')
        bad = [(n, st) for n, st in cases if st not in ('PASS', 'SKIP')]
        problems = []
        if rc is None:
            problems.append('the guest stopped inside this suite')
            if name in run.running:
                case, start = run.running[name]
                elapsed, _ = vm_time(args.run)
                ran = (f', the VM was stopped at {elapsed} s'
                       if elapsed is not None else '')
                problems.append(f'{case} was running when it stopped '
                                f'(started at {start:.0f} s of uptime{ran})')
            # the case that was running has a failed result in kunit.py's
            # account, which kunit.py makes up: count it as not run
            bad = [(n, st) for n, st in bad if n in run.plan.get(name, [])
                   and (name, n) in run.times]
        elif rc != 0 and not bad:
            problems.append(f'exited with status {rc}')
        if not cases and rc is not None:
            problems.append('no test results could be parsed')
        elif prc != 0 and not bad and rc is not None:
            problems.append(f'kunit.py parse reported errors (see {base}.log)')
        f_count = len(bad) + (1 if problems else 0)
        passed += p
        skipped += s
        failed += f_count
        mark = 'FAIL' if f_count else 'ok  '
        took = f' ({secs} s)' if secs is not None else ''
        if rc is None:
            left = sum(1 for c in run.plan.get(name, [])
                       if (name, c) not in run.times
                       and testsel.selected(spec, name, c))
            took = f', {left} not run'
        print(f'    {mark} {name:40s} {p} passed, {len(bad)} failed, '
              f'{s} skipped{took}')
        for n, st in bad:
            failures.append(f'{name}: {n}: {st}')
        for prob in problems:
            failures.append(f'{name}: {prob}')
        if f_count and rc is None:
            # what the case that was running said last
            start = max((i for i, l in enumerate(lines)
                         if re.match(r'^# +RUN ', l)), default=0)
            print('\n'.join('        | ' + t for t in lines[start:][-25:]))
        elif f_count:
            with open(base + '.log') as f:
                tail = f.read().splitlines()[-25:]
            print('\n'.join('        | ' + t for t in tail))

    # What the inventory holds and nothing reported: never ran.
    for suite, plan in run.plan.items():
        for case in plan:
            known += 1
            if not testsel.selected(spec, suite, case):
                continue
            chosen += 1
            done = (suite, case) in run.times or (
                case in reported.get(suite, ()) and suite not in run.running)
            if not done:
                not_run.append(f'{suite}.{case}')
    if not_run:
        suites = {}
        for n in not_run:
            suites.setdefault(n.split('.', 1)[0], []).append(n)
        print(f'\n==> Not run: {len(not_run)} test(s)')
        for suite, names in suites.items():
            what = ('never started' if suite not in reported
                    else 'left when the guest stopped')
            print(f'    {suite}: {len(names)} ({what})')
            print('\n'.join('        ' + n for n in names))

    if timings:
        timings.sort(reverse=True)
        with open(os.path.join(args.run, 'timings.tsv'), 'w') as f:
            f.write('seconds\tsuite\tcase\n')
            for t, suite, case in timings:
                f.write(f'{t:.2f}\t{suite}\t{case}\n')
        print(f'\n==> Slowest cases (all in {args.run}/timings.tsv)')
        for t, suite, case in timings[:8]:
            print(f'    {t:7.1f} s  {suite}.{case}')

    if filtered and not chosen:
        failed += 1
        failures.append(f"TESTS='{spec}' matched no test of the "
                        f"{known} this run knows of")

    elapsed, timeout = vm_time(args.run)
    if args.vm_status == 2:
        failed += 1
        with open(os.path.join(args.run, 'status')) as f:
            failures.append('vm: ' + f.read().strip())
        if elapsed is not None:
            failures.append(f'vm: ran {elapsed} s of its {timeout} s timeout')
    elif not blocks:
        failed += 1
        failures.append('vm: the guest reported no test suites')

    n = len(failures)
    report_campaign(blocks, failures, run.mode, filtered,
                    [c for c in args.campaign_suites.split(',') if c])
    failed += len(failures) - n

    reports = console_reports(console)
    if reports:
        failed += 1
        failures.append(f'console: {len(reports)} kernel report(s)')
        print(f'\n==> Kernel reports on the console ({console})')
        for r in reports:
            print('    ' + r.replace('\n', '\n    '))
            print('    ----')
    else:
        passed += 1
        print(f'    ok   {"console: no kernel reports":40s}')

    if failures:
        print('\n==> Failures')
        for f in failures:
            print('    ' + f)
    line = f'{passed} passed, {failed} failed, {skipped} skipped'
    if not_run:
        line += f', {len(not_run)} not run'
    if filtered:
        # KUnit's cases are known only where its suites ran.
        kunit = ('' if args.kunit == 'all' else
                 ', KUnit not run' if args.kunit == 'none' else
                 ', KUnit only where its filter let suites run')
        line += f' (filtered: {chosen} of {known} tests{kunit}; TESTS={spec})'
    with open(os.path.join(args.run, 'summary.txt'), 'w') as f:
        f.write(line + '\n')
    print('\n' + line)
    return 1 if failed or not_run else 0


if __name__ == '__main__':
    sys.exit(main())
