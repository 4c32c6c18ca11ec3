#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Test selection for `make check TESTS=PATTERN`.

PATTERN is a comma-separated list of shell globs over "suite" and
"suite.case" names, matched as kunit.py's filter_glob matches (fnmatch:
'*' also matches dots), e.g.

    kunit.swdma                  one KUnit suite
    migrate_verify.*dcbm*        every dcbm case of migrate_verify
    swdma_knobs,kunit.dma_*      two selections

The guest selects the cases of its programs itself (guest/lib.sh,
vm_selected, with the same globs); this module is the host's half: it
checks a pattern, derives what KUnit should run, and decides which
reported cases count (host/summarize.py).

    host/testsel.py check PATTERN        exit 1 with a message if malformed
    host/testsel.py kunit PATTERN        "none", "all" or a kunit filter_glob
    host/testsel.py suite PATTERN NAME   exit 0 if cases of suite NAME may be
                                         selected (make check's second boot)
"""

import fnmatch
import re
import sys

# What may travel on the kernel command line unquoted, and means the same
# to fnmatch and to the guest's shell.
PATTERN_RE = re.compile(r'^[A-Za-z0-9_.*?\[\]!-]+$')


def patterns(spec):
    """The globs of a TESTS value; [] selects everything."""
    return [p for p in (spec or '').split(',') if p]


def check(spec):
    """None if @spec is a valid TESTS value, else what is wrong with it."""
    if spec and not patterns(spec):
        return f"TESTS='{spec}' holds no pattern"
    for p in patterns(spec):
        if not PATTERN_RE.match(p):
            return (f"TESTS: bad pattern '{p}': use shell globs over "
                    "suite or suite.case names, made of letters, digits, "
                    "'_', '-', '.', '*', '?', '[', ']' and '!', "
                    "separated by commas")
    return None


def selected(spec, suite, case=None):
    """Whether @suite (or its @case) is selected by @spec."""
    pats = patterns(spec)
    if not pats:
        return True
    names = [suite] + ([f'{suite}.{case}'] if case else [])
    return any(fnmatch.fnmatchcase(n, p) for n in names for p in pats)


def _may_match_kunit(p):
    head = p.split('.', 1)[0]
    # '*' can span "kunit." on its own
    return fnmatch.fnmatchcase('kunit', head) or '*' in head


def kunit_glob(spec):
    """What KUnit must run for @spec: 'all', 'none', or a filter_glob.

    The glob is a superset of the selection (host/summarize.py counts
    only the cases that match): a KUnit name is kunit.SUITE.CASE, and
    kunit's filter_glob is SUITE_GLOB[.CASE_GLOB], each matched on its own.
    """
    pats = [p for p in patterns(spec) if _may_match_kunit(p)]
    if not patterns(spec):
        return 'all'
    if not pats:
        return 'none'
    if len(pats) > 1 or not pats[0].startswith('kunit.'):
        return 'all'
    rest = pats[0][len('kunit.'):]
    # With at most one dot, each part matches one name; a lone glob with
    # '*' could also eat into the case name: no filter then.
    if rest.count('.') == 1 or (rest.count('.') == 0 and
                                not re.search(r'[*?\[]', rest)):
        return rest
    return 'all'


def may_select(spec, suite):
    """Whether @spec may select cases of @suite, not knowing the cases.

    A superset, as kunit_glob() is: "suite", "suite.x" and a glob whose
    first dot-separated part matches the suite, or that has a '*'
    there ('*' also matches dots).
    """
    pats = patterns(spec)
    if not pats:
        return True
    for p in pats:
        head = p.split('.', 1)[0]
        if fnmatch.fnmatchcase(suite, head) or '*' in head:
            return True
    return False


def main(argv):
    nargs = {'check': 3, 'kunit': 3, 'suite': 4}
    if len(argv) < 2 or nargs.get(argv[1]) != len(argv):
        print(__doc__, file=sys.stderr)
        return 2
    err = check(argv[2])
    if err:
        print(err, file=sys.stderr)
        return 1
    if argv[1] == 'kunit':
        print(kunit_glob(argv[2]))
    if argv[1] == 'suite':
        return 0 if may_select(argv[2], argv[3]) else 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
