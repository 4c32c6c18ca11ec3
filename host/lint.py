#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make lint: the kernel's own checkers on our patches and files.

  1. scripts/checkpatch.pl --strict on every patch of out/series: no
     ERROR, and every WARNING/CHECK must match a line of the waiver file
     (TYPE, regex on the message, reason: tab-separated).
  2. scripts/kernel-doc -Wall on our sources and headers: no warning that
     the pristine version of the same file does not have.
  3. sparse (C=2) and a W=1 build of our objects: no warning on a line
     we wrote (any line of a new file; added lines of an upstream file),
     in the x86 build and in each --cross build (the arm64 one has the
     driver only arm64 builds, zynqmp_dma).
"""

import argparse
import collections
import glob
import os
import re
import subprocess
import sys


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors='backslashreplace', check=False, **kw)


def our_files(top, ktree):
    """New files (from kernel/src) and upstream files our patches touch."""
    new = []
    for root, _, files in os.walk(os.path.join(top, 'kernel/src')):
        for f in files:
            new.append(os.path.relpath(os.path.join(root, f),
                                       os.path.join(top, 'kernel/src')))
    touched = set()
    for p in glob.glob(os.path.join(top, 'kernel/patches/*.patch')):
        with open(p) as f:
            for line in f:
                m = re.match(r'\+\+\+ b/(\S+)', line)
                if m:
                    touched.add(m.group(1))
    return sorted(new), sorted(touched - set(new))


def added_lines(pristine, ktree, path):
    """Line numbers of `path` in ktree that differ from pristine."""
    out = run(['diff', '-U0', os.path.join(pristine, path),
               os.path.join(ktree, path)]).stdout
    lines = set()
    for m in re.finditer(r'^@@ -\S+ \+(\d+)(?:,(\d+))? @@', out, re.M):
        start, count = int(m.group(1)), int(m.group(2) or 1)
        lines.update(range(start, start + count))
    return lines


def checkpatch(args, waivers):
    failures, used = [], set()
    patches = sorted(p for p in glob.glob(os.path.join(args.series, '*.patch'))
                     if not p.endswith('0000-cover-letter.patch'))
    if not patches:
        return ['checkpatch: no patches in ' + args.series]
    for p in patches:
        res = run(['perl', os.path.join(args.ktree, 'scripts/checkpatch.pl'),
                   '--strict', '--show-types', '--no-summary', '--quiet',
                   '--root', args.series_git, p])
        name = os.path.basename(p)
        for m in re.finditer(r'^(ERROR|WARNING|CHECK):(\w+): (.*)$', res.stdout, re.M):
            level, typ, msg = m.groups()
            if level == 'ERROR':
                failures.append(f'checkpatch {name}: ERROR:{typ}: {msg}')
                continue
            hit = [i for i, (t, rx, _) in enumerate(waivers)
                   if t == typ and re.search(rx, msg)]
            if hit:
                used.update(hit)
                print(f'    waived  {name}: {level}:{typ}: {msg}')
            else:
                failures.append(f'checkpatch {name}: {level}:{typ}: {msg} '
                                '(fix it, or waive it with a reason in kernel/lint-waivers)')
        print(f'    checked {name}')
    for i, (t, rx, why) in enumerate(waivers):
        if i not in used:
            print(f'    note: waiver not used (remove it?): {t} {rx}')
    return failures


def kernel_doc(args, files):
    failures = []
    kdoc = os.path.join(args.ktree, 'scripts/kernel-doc')

    def warnings(path):
        if not os.path.exists(path):
            return collections.Counter()
        out = run(['perl', kdoc, '-none', '-Wall', path]).stdout
        # Compare messages without file names and line numbers.
        return collections.Counter(re.sub(r'^\S+:\d+: ', '', l)
                                   for l in out.splitlines() if 'warning' in l)

    for f in files:
        if not f.endswith(('.c', '.h')):
            continue
        new = warnings(os.path.join(args.ktree, f)) - \
            warnings(os.path.join(args.pristine, f))
        for w in new.elements():
            failures.append(f'kernel-doc {f}: {w}')
        print(f'    kernel-doc {f}: {sum(new.values())} new warning(s)')
    return failures


def compiler_checks(args, new, touched, kobj, make_args=(), log=None):
    log = log or args.log
    objs = [f[:-2] + '.o' for f in new + touched
            if f.endswith('.c') and os.path.exists(os.path.join(kobj, f[:-2] + '.o'))]
    if not objs:
        return [f'sparse/W=1: none of our objects is built in {kobj}; run make kernel first']
    mine = {f: None for f in new}
    mine.update({f: added_lines(args.pristine, args.ktree, f) for f in touched})
    res = run(['make', '-C', args.ktree, f'O={kobj}', *make_args, 'C=2', 'W=1',
               f'-j{os.cpu_count()}'] + objs)
    with open(log, 'w') as f:
        f.write(res.stdout)
    if res.returncode:
        return [f'sparse/W=1 build failed (log: {log})']
    failures = []
    for m in re.finditer(r'^(\S+?):(\d+):(?:\d+:)? (warning|error): (.*)$',
                         res.stdout, re.M):
        path, line, kind, msg = m.groups()
        for f, lines in mine.items():
            if path.endswith('/' + f) and (lines is None or int(line) in lines):
                failures.append(f'sparse/W=1 {f}:{line}: {kind}: {msg}')
    print(f'    sparse + W=1 on {len(objs)} object(s){" (" + " ".join(make_args) + ")" if make_args else ""}: '
          f'{len(failures)} warning(s) on our lines')
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for a in ('top', 'ktree', 'pristine', 'kobj', 'series', 'series_git', 'log'):
        ap.add_argument('--' + a.replace('_', '-'), dest=a, required=True)
    ap.add_argument('--cross', action='append', default=[],
                    metavar='KOBJ:ARCH:CROSS_COMPILE',
                    help='also build our objects of that build directory')
    args = ap.parse_args()

    waivers = []
    wfile = os.path.join(args.top, 'kernel/lint-waivers')
    if os.path.exists(wfile):
        with open(wfile) as f:
            for n, line in enumerate(f, 1):
                if not line.strip() or line.startswith('#'):
                    continue
                parts = line.rstrip('\n').split('\t')
                parts = [p for p in parts if p]
                if len(parts) != 3:
                    sys.exit(f'{wfile}:{n}: want TYPE<tab>REGEX<tab>REASON')
                waivers.append(tuple(parts))

    new, touched = our_files(args.top, args.ktree)
    failures = []
    print('==> checkpatch --strict')
    failures += checkpatch(args, waivers)
    print('==> kernel-doc')
    failures += kernel_doc(args, new + touched)
    print('==> sparse and W=1')
    failures += compiler_checks(args, new, touched, args.kobj)
    for c in args.cross:
        kobj, arch, cross = c.split(':')
        failures += compiler_checks(args, new, touched, kobj,
                                    (f'ARCH={arch}', f'CROSS_COMPILE={cross}'),
                                    f'{args.log}.{arch}')
    if failures:
        print('\n==> lint failures')
        for f in failures:
            print('    ' + f)
        print(f'\nlint: {len(failures)} problem(s)')
        return 1
    print('\nlint: clean')
    return 0


if __name__ == '__main__':
    sys.exit(main())
