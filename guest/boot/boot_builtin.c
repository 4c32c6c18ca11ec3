// SPDX-License-Identifier: GPL-2.0
/*
 * boot_builtin - run in make check's second boot, whose kernel command
 * line enables the built-in test migrator (test_migrator.offloading=1
 * test_migrator.reason_mask=syscall_or_cpuset).  Its registration ran
 * from a late initcall, after the mm core and the workqueues were up:
 *
 *  - registered_at_boot: the control reads 1 and the reason mask is the
 *    command line's;
 *  - registered_by_init: the kernel log says it registered after its
 *    init function ran, not while the command line was parsed (before
 *    the mm core was up: a migrator whose enable hook allocates, as
 *    mtcopy's does, would fail or crash there);
 *  - copies_batches: move_pages(2) batches go through it, every word
 *    checked;
 *  - controls_act: the controls still work after boot: off (batches on
 *    the CPU), then on again.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "pages.h"

#define TM		"/sys/module/test_migrator/parameters/"
#define TM_STATS	"/sys/kernel/debug/test_migrator/stats"
#define NR_PAGES	32

/* Batches the test migrator saw for one round trip of @buf; -1 on error. */
static long long trip(char *buf)
{
	int node;

	if (file_write(TM_STATS, "0"))
		return -1;
	for (node = 1; node >= 0; node--)
		if (pages_move(buf, NR_PAGES, node) ||
		    pages_verify(buf, NR_PAGES, 3))
			return -1;
	return file_key(TM_STATS, "copied");
}

FIXTURE(boot)
{
	char *buf;
};

FIXTURE_SETUP(boot)
{
	char cmdline[4096];

	ASSERT_EQ(0, file_read("/proc/cmdline", cmdline, sizeof(cmdline)));
	/* Only host/check.sh's second boot runs this program. */
	ASSERT_NE(NULL, strstr(cmdline, "test_migrator.offloading=1"))
		TH_LOG("not booted with test_migrator.offloading=1");
	if (!pages_two_nodes())
		SKIP(return, "needs NUMA nodes 0 and 1 with memory");
	self->buf = pages_map(NR_PAGES);
	ASSERT_NE(NULL, self->buf);
	pages_fill(self->buf, NR_PAGES, 3);
}

FIXTURE_TEARDOWN(boot)
{
	if (self->buf)
		munmap(self->buf, NR_PAGES * PAGES_SZ);
	file_write(TM "offloading", "1");
}

TEST_F(boot, registered_at_boot)
{
	char mask[64];

	ASSERT_EQ(1, file_number(TM "offloading"));
	ASSERT_EQ(0, file_read(TM "reason_mask", mask, sizeof(mask)));
	ASSERT_STREQ("syscall_or_cpuset", mask);
}

/* The offset in the kernel log of the first line holding @what, or -1. */
static long log_find(const char *kmsg, const char *what)
{
	const char *p = strstr(kmsg, what);

	return p ? p - kmsg : -1;
}

TEST_F(boot, registered_by_init)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	long init, reg;
	char *kmsg;
	int n;

	ASSERT_LT(0, size);
	kmsg = calloc(1, size + 1);
	ASSERT_NE(NULL, kmsg);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, kmsg, size);
	ASSERT_LT(0, n);
	init = log_find(kmsg, "test_migrator: loaded");
	reg = log_find(kmsg, "migrate_offload: test_migrator registered");
	/* The test runs in a child of its own: an early return frees it. */
	ASSERT_LE(0, init) TH_LOG("no line of test_migrator's init");
	ASSERT_LE(0, reg) TH_LOG("no registration in the log");
	ASSERT_LT(init, reg)
		TH_LOG("registered while the command line was parsed, before its init");
	free(kmsg);
}

TEST_F(boot, copies_batches)
{
	ASSERT_EQ(2 * NR_PAGES, trip(self->buf))
		TH_LOG("the test migrator did not copy the moves");
}

TEST_F(boot, controls_act)
{
	ASSERT_EQ(0, file_write(TM "offloading", "0"));
	ASSERT_EQ(0, file_number(TM "offloading"));
	ASSERT_EQ(0, trip(self->buf)) TH_LOG("copied while off");
	ASSERT_EQ(0, file_write(TM "offloading", "1"));
	ASSERT_EQ(2 * NR_PAGES, trip(self->buf));
}

TEST_HARNESS_MAIN
