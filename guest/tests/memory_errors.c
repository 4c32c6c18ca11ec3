// SPDX-License-Identifier: GPL-2.0
/*
 * memory_errors - page migration meets memory errors, with each copier:
 * the CPU in the move phase (vm.migrate_batch_copy=0, as without the
 * series), the CPU in the batch copy step (=2), and the test migrator,
 * mtcopy and dcbm (over swdma) offloading every reason they may serve.
 *
 *  - soft_offline: madvise(MADV_SOFT_OFFLINE) on patterned pages.  Soft
 *    offline migrates them with MR_MEMORY_FAILURE, which no migrator may
 *    serve: the CPU copies them (no migrator counts a folio, no offload
 *    batch is made), and the data is intact at new PFNs.  A move_pages(2)
 *    of the same pages afterwards is offloaded, so the migrator was live.
 *  - hwpoison: madvise(MADV_HWPOISON) on some pages of a patterned region
 *    (the process takes its SIGBUS, BUS_MCEERR_AR, for each); memory
 *    failure unmaps them, so move_pages(2) of the region reports them
 *    -ENOENT, as without offload, and moves every other page intact.
 *  - poison.poisoned_source, with the test migrator: it takes sources
 *    beginning with a magic value as if reading them had raised a machine
 *    check, and marks them poisoned.  Those migrations fail with
 *    -EHWPOISON, once in each of migrate_pages()'s two passes (counted in
 *    migrate_batch_copy_poisoned), without the CPU copying them in the
 *    move phase: they stay on node 0, intact, and the others move.
 *
 * QEMU raises no machine check on a read, so a source poisoned for real
 * under a machine-check safe copy (folio_mc_copy(), mtcopy's
 * copy_mc_highpage(), swdma's copy_mc_to_kernel()) is not reached here;
 * the test migrator's magic stands for it.  The poisoned and offlined
 * pages are unpoisoned afterwards (hwpoison-inject), best effort.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "copier.h"
#include "pages.h"

#ifndef MADV_HWPOISON
#define MADV_HWPOISON	100
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif

#define TM		COPIER_TM
#define TM_STATS	COPIER_TM_STATS
#define UNPOISON	"/sys/kernel/debug/hwpoison/unpoison-pfn"
#define SEED		0x3e3e
#define MAGIC		0x5eed0badfeedf00dULL
#define OFFLINE_PAGES	16
#define REGION_PAGES	64

static const unsigned long poisoned_pages[] = { 5, 21, 40 };
#define NR_POISONED	(sizeof(poisoned_pages) / sizeof(poisoned_pages[0]))

/* What a case sets up and its teardown undoes */
struct state {
	struct copier_state c;
	char *buf;
	size_t len;
	uint64_t pfn[REGION_PAGES];	/* to unpoison afterwards, 0: none */
};

FIXTURE(memerr) {
	struct state s;
};

FIXTURE_VARIANT(memerr) {
	enum copier copier;
};

FIXTURE_VARIANT_ADD(memerr, cpu_move) { .copier = COPIER_MOVE };
FIXTURE_VARIANT_ADD(memerr, cpu_step) { .copier = COPIER_STEP };
FIXTURE_VARIANT_ADD(memerr, test_migrator) { .copier = COPIER_TEST_MIGRATOR };
FIXTURE_VARIANT_ADD(memerr, mtcopy) { .copier = COPIER_MTCOPY };
FIXTURE_VARIANT_ADD(memerr, dcbm) { .copier = COPIER_DCBM };

static volatile sig_atomic_t sigbus_ar, sigbus_other;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (si->si_code == BUS_MCEERR_AR)
		sigbus_ar++;
	else
		sigbus_other++;
}

static long long vmstat(const char *key)
{
	return file_key("/proc/vmstat", key);
}

/* The copier @copier takes every batch it can, of every reason. */
static void setup_copier(struct __test_metadata *_metadata, struct state *self,
			 enum copier copier)
{
	if (!pages_two_nodes())
		SKIP(return, "needs NUMA nodes 0 and 1 with memory");
	if (access("/sys/kernel/debug/hwpoison", F_OK))
		system("modprobe hwpoison-inject");
	copier_setup(_metadata, &self->c, copier, "all");
}

static void teardown(struct state *self)
{
	unsigned int i;
	char num[32];

	if (self->buf)
		munmap(self->buf, self->len);
	/* Give the poisoned and offlined pages back, where the kernel can. */
	for (i = 0; i < REGION_PAGES; i++) {
		if (!self->pfn[i])
			continue;
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)self->pfn[i]);
		file_write(UNPOISON, num);
	}
	file_write(TM "poison_magic", "0");
	copier_restore(&self->c);
}

FIXTURE_SETUP(memerr)
{
	setup_copier(_metadata, &self->s, variant->copier);
}

FIXTURE_TEARDOWN(memerr)
{
	teardown(&self->s);
}

/* @n patterned pages on node 0, on the LRU (a move to node 0 drains). */
static char *region(struct __test_metadata *_metadata, struct state *self,
		    unsigned long n)
{
	self->len = n * PAGES_SZ;
	self->buf = pages_map(n);
	ASSERT_NE(NULL, self->buf);
	pages_fill(self->buf, n, SEED);
	ASSERT_EQ(0, pages_move(self->buf, n, 0));
	return self->buf;
}

TEST_F(memerr, soft_offline)
{
	long long success0, batches0, steps0, copied0;
	uint64_t before[OFFLINE_PAGES];
	struct state *st = &self->s;
	char *buf = region(_metadata, st, OFFLINE_PAGES);
	unsigned long i;
	int tries, rc;

	for (i = 0; i < OFFLINE_PAGES; i++) {
		before[i] = pages_pfn(buf + i * PAGES_SZ);
		ASSERT_NE(0ULL, (unsigned long long)before[i])
			TH_LOG("no PFN for page %lu", i);
	}
	success0 = vmstat("pgmigrate_success");
	batches0 = vmstat("migrate_offload_batch");
	steps0 = vmstat("migrate_batch_copy");
	copied0 = copier_copied(&st->c);

	for (i = 0; i < OFFLINE_PAGES; i++) {
		/* A folio still in a per-CPU LRU batch is busy: retry. */
		for (tries = 0; tries < 5; tries++) {
			rc = madvise(buf + i * PAGES_SZ, PAGES_SZ,
				     MADV_SOFT_OFFLINE);
			if (!rc || errno != EBUSY)
				break;
			usleep(10000);
		}
		ASSERT_EQ(0, rc) TH_LOG("page %lu: %s", i, strerror(errno));
		st->pfn[i] = before[i];
	}

	EXPECT_EQ(0UL, pages_verify(buf, OFFLINE_PAGES, SEED));
	for (i = 0; i < OFFLINE_PAGES; i++) {
		EXPECT_NE(before[i], pages_pfn(buf + i * PAGES_SZ))
			TH_LOG("page %lu was not replaced", i);
	}
	EXPECT_LE(OFFLINE_PAGES, vmstat("pgmigrate_success") - success0);
	/* MR_MEMORY_FAILURE: no migrator was given a folio. */
	EXPECT_EQ(0, vmstat("migrate_offload_batch") - batches0);
	EXPECT_EQ(copied0, copier_copied(&st->c));
	if (st->c.copier == COPIER_STEP) {
		EXPECT_LT(0, vmstat("migrate_batch_copy") - steps0);
	} else {
		EXPECT_EQ(0, vmstat("migrate_batch_copy") - steps0);
	}

	/* The control: the same pages, moved by move_pages(2), offloaded. */
	ASSERT_EQ(0, pages_move(buf, OFFLINE_PAGES, 1));
	EXPECT_EQ(0UL, pages_verify(buf, OFFLINE_PAGES, SEED));
	if (st->c.params) {
		EXPECT_LT(0, vmstat("migrate_offload_batch") - batches0);
		EXPECT_LT(copied0, copier_copied(&st->c));
	}
}

TEST_F(memerr, hwpoison)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO };
	long long copied0, steps0;
	int status[REGION_PAGES];
	bool poisoned[REGION_PAGES] = { false };
	unsigned long i, p, bad = 0;
	struct state *st = &self->s;
	char *buf = region(_metadata, st, REGION_PAGES);
	void *addr[REGION_PAGES];
	int nodes[REGION_PAGES];

	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	sigbus_ar = sigbus_other = 0;
	for (i = 0; i < NR_POISONED; i++) {
		p = poisoned_pages[i];
		poisoned[p] = true;
		st->pfn[p] = pages_pfn(buf + p * PAGES_SZ);
		ASSERT_EQ(0, madvise(buf + p * PAGES_SZ, PAGES_SZ,
				     MADV_HWPOISON))
			TH_LOG("page %lu: %s", p, strerror(errno));
	}
	EXPECT_EQ((int)NR_POISONED, (int)sigbus_ar);
	EXPECT_EQ(0, (int)sigbus_other);

	copied0 = copier_copied(&st->c);
	steps0 = vmstat("migrate_batch_copy");
	for (i = 0; i < REGION_PAGES; i++) {
		addr[i] = buf + i * PAGES_SZ;
		nodes[i] = 1;
	}
	ASSERT_EQ(0, move_pages_(0, REGION_PAGES, addr, nodes, status,
				 MPOL_MF_MOVE)) TH_LOG("%s", strerror(errno));
	for (i = 0; i < REGION_PAGES; i++) {
		int want = poisoned[i] ? -ENOENT : 1;

		EXPECT_EQ(want, status[i]) TH_LOG("page %lu", i);
		if (poisoned[i])
			continue;
		for (p = 0; p < PAGES_WORDS; p++)
			bad += ((uint64_t *)addr[i])[p] !=
			       pages_pattern(SEED, i, p);
	}
	EXPECT_EQ(0UL, bad);
	if (st->c.params) {
		EXPECT_LT(copied0, copier_copied(&st->c))
			TH_LOG("the migrator copied nothing");
	}
	if (st->c.copier == COPIER_STEP) {
		EXPECT_LT(0, vmstat("migrate_batch_copy") - steps0);
	}
	signal(SIGBUS, SIG_DFL);
}

/* The test migrator alone can pretend a machine check. */
FIXTURE(poison) {
	struct state s;
};

FIXTURE_SETUP(poison)
{
	setup_copier(_metadata, &self->s, COPIER_TEST_MIGRATOR);
}

FIXTURE_TEARDOWN(poison)
{
	teardown(&self->s);
}

TEST_F(poison, poisoned_source)
{
	long long poisoned0, tm0;
	int status[REGION_PAGES];
	bool magic[REGION_PAGES] = { false };
	unsigned long i, p;
	void *addr[REGION_PAGES];
	int nodes[REGION_PAGES];
	char *buf, num[32];
	long ret;

	buf = region(_metadata, &self->s, REGION_PAGES);
	for (i = 0; i < NR_POISONED; i++) {
		p = poisoned_pages[i];
		magic[p] = true;
		*(uint64_t *)(buf + p * PAGES_SZ) = MAGIC;
	}
	snprintf(num, sizeof(num), "%llu", MAGIC);
	ASSERT_EQ(0, file_write(TM "poison_magic", num));
	poisoned0 = vmstat("migrate_batch_copy_poisoned");
	ASSERT_LE(0, poisoned0) TH_LOG("no migrate_batch_copy_poisoned");
	tm0 = file_key(TM_STATS, "poisoned");

	for (i = 0; i < REGION_PAGES; i++) {
		addr[i] = buf + i * PAGES_SZ;
		nodes[i] = 1;
	}
	/* The pages that did not move, as move_pages(2) counts them */
	ret = move_pages_(0, REGION_PAGES, addr, nodes, status, MPOL_MF_MOVE);
	EXPECT_EQ((long)NR_POISONED, ret) TH_LOG("%s", strerror(errno));
	file_write(TM "poison_magic", "0");

	ASSERT_EQ(0, pages_nodes(buf, REGION_PAGES, status));
	for (i = 0; i < REGION_PAGES; i++) {
		EXPECT_EQ(magic[i] ? 0 : 1, status[i]) TH_LOG("page %lu", i);
	}
	for (i = 0; i < NR_POISONED; i++)
		*(uint64_t *)(buf + poisoned_pages[i] * PAGES_SZ) =
			pages_pattern(SEED, poisoned_pages[i], 0);
	EXPECT_EQ(0UL, pages_verify(buf, REGION_PAGES, SEED));
	/* Once in the batch pass, once in the one-by-one retry: no more. */
	EXPECT_EQ(2 * (long long)NR_POISONED,
		  vmstat("migrate_batch_copy_poisoned") - poisoned0);
	EXPECT_EQ(2 * (long long)NR_POISONED,
		  file_key(TM_STATS, "poisoned") - tm0);
}

TEST_HARNESS_MAIN
