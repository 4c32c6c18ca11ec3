// SPDX-License-Identifier: GPL-2.0
/*
 * harness_teardown - FIXTURE_TEARDOWN() runs after a failed assertion.
 *
 * The suites set kernel state up in FIXTURE_SETUP() (fault injection,
 * sysctls, migrator parameters, loaded modules) and rely on the teardown
 * to put it back, also when the test body fails an ASSERT_*(): otherwise
 * one failure turns every later test of the run into a failure too.  The
 * kselftest harness of Linux 6.12 skips that teardown when built with
 * -O2, as these programs are (a local it reads after longjmp() is not
 * volatile); the series carries the fix.  Built from the same
 * kselftest_harness.h with the same flags as every suite, this program
 * checks it:
 *
 *  - failed.assert fails an assertion on purpose (an expected failure,
 *    reported "ok ... # XFAIL"), and failed.teardown_ran checks that its
 *    teardown ran, once;
 *  - passed.assert and passed.teardown_ran do the same with an assertion
 *    that holds.
 *
 * The tests of a fixture variant run in the order they are defined; the
 * count lives in memory shared by every forked test process.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <sys/mman.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

/* Teardowns of the last *.assert test, across the harness's forks. */
static int *teardowns;

static void __attribute__((constructor)) share_count(void)
{
	teardowns = mmap(NULL, sizeof(*teardowns), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (teardowns == MAP_FAILED)
		teardowns = NULL;
}

FIXTURE(harness) {
	bool body_ran;
};

FIXTURE_VARIANT(harness) {
	bool fail;
};

FIXTURE_VARIANT_ADD(harness, failed) {
	.fail = true,
};

FIXTURE_VARIANT_ADD(harness, passed) {
	.fail = false,
};

FIXTURE_SETUP(harness)
{
	ASSERT_NE(NULL, teardowns) TH_LOG("no shared page");
}

FIXTURE_TEARDOWN(harness)
{
	if (self->body_ran)
		__atomic_add_fetch(teardowns, 1, __ATOMIC_SEQ_CST);
}

TEST_F(harness, assert)
{
	*teardowns = 0;
	self->body_ran = true;
	ASSERT_FALSE(variant->fail) TH_LOG("fails on purpose");
}

XFAIL_ADD(harness, failed, assert);

TEST_F(harness, teardown_ran)
{
	ASSERT_EQ(1, *teardowns)
		TH_LOG("%s.assert: the teardown ran %d times, not once",
		       variant->fail ? "failed" : "passed", *teardowns);
}

TEST_HARNESS_MAIN
