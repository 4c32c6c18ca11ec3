#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fill in the cover letter git format-patch wrote.

  cover-letter.py COVER TEMPLATE BENCH_MD README [VM=CHECK_SUMMARY ...]

TEMPLATE holds "Subject: ..." and the blurb.  The numbers come from the
latest `make bench` (BENCH_MD) when there is one, else from the README's
recorded run (between <!-- bench:begin --> and <!-- bench:end -->).
"""

import os
import re
import sys


def main():
    cover, template, bench_md, readme = sys.argv[1:5]
    checks = [a.split('=', 1) for a in sys.argv[5:]]
    with open(template) as f:
        tmpl = f.read()
    m = re.match(r'Subject: *(.*)\n', tmpl)
    if not m:
        sys.exit(f'{template}: first line must be "Subject: ..."')
    subject, blurb = m.group(1), tmpl[m.end():].strip('\n')

    if os.path.exists(bench_md):
        with open(bench_md) as f:
            numbers = f.read().strip()
        source = 'latest `make bench` run'
    else:
        with open(readme) as f:
            text = f.read()
        b = re.search(r'<!-- bench:begin -->\n(.*?)<!-- bench:end -->', text, re.S)
        numbers = b.group(1).strip() if b else '(no benchmark results recorded)'
        source = 'run recorded in the project README'

    testing = ['Testing', '=======', '',
               'Built against Debian\'s linux-source-6.12 and run in a QEMU',
               'x86_64 VM with two NUMA nodes of CPUs and memory and a',
               'CPU-less, slower one in a lower memory tier: KUnit suites,',
               'parsed with tools/testing/kunit/kunit.py;',
               'kselftest-harness programs that move memory between the nodes',
               'with move_pages(2) and check every byte and every page\'s node;',
               'the kernel\'s mm migration selftest with a migrator registered;',
               'and in a QEMU arm64 VM on the xlnx-versal-virt machine, whose',
               'model of the ZynqMP DMA controller zynqmp_dma drives: dmatest',
               'memcpy and memcpy_sg on its eight channels, a KUnit client suite',
               'of DMA_MEMCPY_SG on one of them, and dcbm migrating pages over',
               'them.  Any BUG, WARNING, Oops, KASAN, lockdep or hung-task',
               'report fails the run.']
    last = []
    for vm, path in checks:
        if os.path.exists(path):
            with open(path) as f:
                last.append(f'  {vm} VM: ' + f.read().strip())
    if last:
        testing += ['', 'Last run:'] + last
    body = '\n'.join([blurb, '', 'Numbers', '=======', '',
                      f'From the {source}:', '', numbers, ''] + testing) + '\n'

    with open(cover) as f:
        text = f.read()
    if '*** SUBJECT HERE ***' not in text or '*** BLURB HERE ***' not in text:
        sys.exit(f'{cover}: not a fresh format-patch cover letter')
    text = text.replace('*** SUBJECT HERE ***', subject, 1)
    text = text.replace('*** BLURB HERE ***', body.rstrip('\n'), 1)
    with open(cover, 'w') as f:
        f.write(text)


if __name__ == '__main__':
    main()
