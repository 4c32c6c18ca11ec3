// SPDX-License-Identifier: GPL-2.0
/*
 * zdma_dcbm - page migration's DMA copy offload (dcbm) over the ZynqMP DMA
 * (ZDMA) channels of the arm64 VM, every byte verified.
 *
 * dcbm takes its channels from the dmaengine core; with swdma not loaded,
 * the only DMA_MEMCPY channels here are the ZDMA ones, and each case
 * checks that dcbm holds exactly as many of them as asked.  Migrations:
 *
 *   move_4k        ZDMA_MIGRATE_MB (default 64; make check: 16) of 4K
 *                  pages moved from node 0 to node 1 and back with
 *                  move_pages(2)
 *   move_thp       as many MB of 2M THPs, the same way
 *   compaction     a fragmented region on node 1 (an eighth of its free
 *                  memory) compacted through the node's sysfs compact:
 *                  the kernel's compaction, not a system call, hands
 *                  dcbm its batches
 *
 * each with memcpy_sg on one and on four channels, and with one memcpy
 * per chunk on four.  Every page is checked after every move (node and
 * content), dcbm must have copied the folios (folios_migrated) and no
 * batch may have fallen back to the CPU.
 *
 * The pool_small variant leaves the ZDMA driver its default 32
 * descriptors a channel: a share of a batch of more pages than that
 * cannot be prepared, and its folios must fall back to the CPU copy,
 * intact.  Those refusals are this program's faults in make check's
 * campaign account.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "vmtest.h"
#include "pages.h"

#define DCBM		"/sys/module/dcbm/parameters/"
#define ZDMA_DRIVER	"xilinx-zynqmp-dma"
#define ZDMA_DESCS	"/sys/module/zynqmp_dma/parameters/descs_per_chan"
#define BATCH_SYSCTL	"/proc/sys/vm/migrate_batch_copy"
#define NODE1_COMPACT	"/sys/devices/system/node/node1/compact"
#define THP_SZ		(2UL << 20)
#define SEED		0x7a646d61ULL	/* "zdma" */

FIXTURE(dcbm_zdma) {
	char *buf;
	size_t len;
	unsigned long pages;
	char old_descs[16], old_batch[16];
	long long migrated0, failures0, fallback0;
	struct campaign c;
};

FIXTURE_VARIANT(dcbm_zdma) {
	const char *use_sg;
	unsigned int chans;
	const char *descs;		/* zynqmp_dma's descs_per_chan */
	bool pool_small;		/* shares too big for the pool */
};

/*
 * A dcbm share of one channel can hold a whole batch (dcbm asks for 8
 * MiB batches: 2048 4K pages, one chunk each): 4096 descriptors a channel.
 */
FIXTURE_VARIANT_ADD(dcbm_zdma, sg_1) {
	.use_sg = "on", .chans = 1, .descs = "4096",
};
FIXTURE_VARIANT_ADD(dcbm_zdma, sg_4) {
	.use_sg = "on", .chans = 4, .descs = "4096",
};
FIXTURE_VARIANT_ADD(dcbm_zdma, chunks_4) {
	.use_sg = "off", .chans = 4, .descs = "4096",
};
FIXTURE_VARIANT_ADD(dcbm_zdma, pool_small) {
	.use_sg = "on", .chans = 2, .descs = "32", .pool_small = true,
};

/* ZDMA channels a client holds, and channels of other drivers held */
static int held_channels(int *others)
{
	DIR *d = opendir("/sys/class/dma");
	struct dirent *e;
	int n = 0;

	*others = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char path[300];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/dma/%s/in_use",
			 e->d_name);
		if (file_number(path) != 1)
			continue;
		if (dma_chan_of_driver(e->d_name, ZDMA_DRIVER))
			n++;
		else
			(*others)++;
	}
	closedir(d);
	return n;
}

FIXTURE_SETUP(dcbm_zdma)
{
	const char *mb = getenv("ZDMA_MIGRATE_MB");
	char val[16];
	int held, others;

	self->pages = (mb ? strtoul(mb, NULL, 10) : 64) << 20 >> 12;
	ASSERT_GT(self->pages, 0UL);
	ASSERT_TRUE(pages_two_nodes());
	ASSERT_EQ(0, system("modprobe zynqmp_dma && modprobe dcbm"));
	/* swdma would offer channels of its own */
	ASSERT_NE(0, access("/sys/module/swdma", F_OK));
	ASSERT_EQ(0, file_write(DCBM "offloading", "0"));
	ASSERT_EQ(0, file_read(ZDMA_DESCS, self->old_descs,
			       sizeof(self->old_descs)));
	ASSERT_EQ(0, file_read(BATCH_SYSCTL, self->old_batch,
			       sizeof(self->old_batch)));
	/* Read when dcbm requests its channels, as offloading goes on */
	ASSERT_EQ(0, file_write(ZDMA_DESCS, variant->descs));
	snprintf(val, sizeof(val), "%u", variant->chans);
	ASSERT_EQ(0, file_write(DCBM "nr_dma_chan", val));
	ASSERT_EQ(0, file_write(DCBM "use_sg", variant->use_sg));
	ASSERT_EQ(0, file_write(DCBM "min_batch_bytes", "0"));
	/* Every channel on a batch of 4K pages: shares of 64 KiB and up */
	ASSERT_EQ(0, file_write(DCBM "min_share_bytes", "65536"));
	ASSERT_EQ(0, file_write(DCBM "reason_mask", "all"));
	ASSERT_EQ(0, file_write(DCBM "folios_migrated", "0"));
	ASSERT_EQ(0, file_write(DCBM "folios_failures", "0"));
	ASSERT_EQ(0, file_write(BATCH_SYSCTL, "1"));
	ASSERT_EQ(0, file_write(DCBM "offloading", "1"));
	held = held_channels(&others);
	ASSERT_EQ((int)variant->chans, held)
		TH_LOG("dcbm holds %d ZDMA channels, not %u", held,
		       variant->chans);
	ASSERT_EQ(0, others) TH_LOG("%d channels of other drivers held", others);
	self->fallback0 = fallback_batches();
}

FIXTURE_TEARDOWN(dcbm_zdma)
{
	if (self->buf)
		munmap(self->buf, self->len);
	file_write(DCBM "offloading", "0");
	if (*self->old_batch)
		file_write(BATCH_SYSCTL, self->old_batch);
	if (*self->old_descs)
		file_write(ZDMA_DESCS, self->old_descs);
	self->c.fallback = fallback_batches() - self->fallback0;
	campaign_report(_metadata->name, &self->c);
}

/* Every page of the buffer on @node and holding its pattern */
static void check_all(struct __test_metadata *_metadata,
		      FIXTURE_DATA(dcbm_zdma) *self, int node)
{
	int *status = calloc(self->pages, sizeof(*status));
	unsigned long i, off = 0, bad;

	ASSERT_NE(NULL, status);
	ASSERT_EQ(0, pages_nodes(self->buf, self->pages, status));
	for (i = 0; i < self->pages; i++)
		off += status[i] != node;
	free(status);
	bad = pages_verify(self->buf, self->pages, SEED);
	self->c.bytes += self->len;
	self->c.corrupted += bad;
	EXPECT_EQ(0UL, off) TH_LOG("%lu pages not on node %d", off, node);
	EXPECT_EQ(0UL, bad) TH_LOG("%lu bad words", bad);
}

/* Where the pages that did not reach @node are: the first few statuses */
static void log_statuses(struct __test_metadata *_metadata,
			 FIXTURE_DATA(dcbm_zdma) *self, int node)
{
	int *status = calloc(self->pages, sizeof(*status));
	unsigned long i, shown = 0;

	if (!status || pages_nodes(self->buf, self->pages, status)) {
		free(status);
		return;
	}
	for (i = 0; i < self->pages && shown < 8; i++) {
		if (status[i] == node)
			continue;
		TH_LOG("page %lu (%lu KiB in): status %d", i, i * 4, status[i]);
		shown++;
	}
	free(status);
}

/* What dcbm copied and failed since the last call, and what fell back */
static void dcbm_account(struct __test_metadata *_metadata,
			 FIXTURE_DATA(dcbm_zdma) *self,
			 const FIXTURE_VARIANT(dcbm_zdma) *variant,
			 unsigned long folios, bool too_big)
{
	long long migrated = file_number(DCBM "folios_migrated");
	long long failures = file_number(DCBM "folios_failures");
	long long fallback = fallback_batches() - self->fallback0;

	TH_LOG("dcbm: %lld folios copied, %lld failed, %lld batches fell back",
	       migrated, failures, fallback);
	if (too_big) {
		/* The refused shares: the campaign's faults */
		self->c.faults = failures;
		EXPECT_LT(0, fallback) TH_LOG("no share was too big for the pool");
		return;
	}
	EXPECT_LE((long long)folios, migrated);
	EXPECT_EQ(0, failures);
	EXPECT_EQ(0, fallback);
}

static void move_round_trip(struct __test_metadata *_metadata,
			    FIXTURE_DATA(dcbm_zdma) *self,
			    const FIXTURE_VARIANT(dcbm_zdma) *variant,
			    size_t stride)
{
	unsigned long folios = self->len / stride;
	int node;

	pages_fill(self->buf, self->pages, SEED);
	check_all(_metadata, self, 0);
	for (node = 1; node >= 0; node--) {
		/* One address per folio (pages_move_stride() says why) */
		long left = pages_move_stride(self->buf, self->len / stride,
					      stride, node);

		if (left)
			log_statuses(_metadata, self, node);
		ASSERT_EQ(0, left);
		check_all(_metadata, self, node);
	}
	/*
	 * A pool of 32 takes a share of a few THPs (one chunk each), not
	 * one of hundreds of 4K pages.
	 */
	dcbm_account(_metadata, self, variant, 2 * folios,
		     variant->pool_small && stride == PAGES_SZ);
}

TEST_F_TIMEOUT(dcbm_zdma, move_4k, 600)
{
	self->len = self->pages * PAGES_SZ;
	self->buf = pages_map(self->pages);
	ASSERT_NE(NULL, self->buf);
	move_round_trip(_metadata, self, variant, PAGES_SZ);
}

TEST_F_TIMEOUT(dcbm_zdma, move_thp, 600)
{
	unsigned long i, thps;
	char *raw;

	self->len = self->pages * PAGES_SZ;
	thps = self->len / THP_SZ;
	ASSERT_LT(0UL, thps);
	/* THP-aligned, bound to node 0, huge pages on first touch */
	raw = mmap(NULL, self->len + THP_SZ, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	self->buf = (char *)(((uintptr_t)raw + THP_SZ - 1) & ~(THP_SZ - 1));
	if (self->buf != raw)
		munmap(raw, self->buf - raw);
	munmap(self->buf + self->len, raw + THP_SZ - self->buf);
	ASSERT_EQ(0, madvise(self->buf, self->len, MADV_HUGEPAGE));
	ASSERT_EQ(0, mbind_node(self->buf, self->len, 0));
	pages_fill(self->buf, self->pages, SEED);
	/* Every 2M stretch a THP: one PFN run of 512 pages each */
	for (i = 0; i < thps; i++) {
		uint64_t a = pages_pfn(self->buf + i * THP_SZ);
		uint64_t b = pages_pfn(self->buf + (i + 1) * THP_SZ - PAGES_SZ);

		EXPECT_EQ(a + 511, b) TH_LOG("no THP at %lu MiB", i * 2);
	}
	move_round_trip(_metadata, self, variant, THP_SZ);
}

/*
 * A region of node 1 with the pages at even PFNs freed (the free scanner
 * looks at even PFNs first; migration_reasons says why), compacted: the
 * kept pages move, through dcbm, and stay intact.
 */
TEST_F_TIMEOUT(dcbm_zdma, compaction, 600)
{
	long long migrated0 = file_number(DCBM "folios_migrated");
	uint64_t *before, *after;
	unsigned long i, n, kept = 0, moved = 0, bad = 0, w;

	n = node_meminfo(1, "MemFree") / 4 / 8;	/* an eighth, in pages */
	ASSERT_LT(4096UL, n);
	self->pages = n;
	self->len = n * PAGES_SZ;
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, madvise(self->buf, self->len, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, mbind_node(self->buf, self->len, 1));
	pages_fill(self->buf, n, SEED);
	before = calloc(n, sizeof(*before));
	after = calloc(n, sizeof(*after));
	ASSERT_TRUE(before && after);
	ASSERT_EQ(0, pages_pfns(self->buf, n, before));
	for (i = 0; i < n; i++) {
		if (before[i] % 2) {
			kept++;
			continue;
		}
		ASSERT_EQ(0, madvise(self->buf + i * PAGES_SZ, PAGES_SZ,
				     MADV_DONTNEED));
	}
	ASSERT_LT(n / 4, kept);
	ASSERT_EQ(0, file_write(NODE1_COMPACT, "1"));
	ASSERT_EQ(0, pages_pfns(self->buf, n, after));
	for (i = 0; i < n; i++) {
		if (before[i] % 2 == 0)
			continue;
		moved += after[i] != before[i];
		for (w = 0; w < PAGES_WORDS; w++)
			bad += ((uint64_t *)(self->buf + i * PAGES_SZ))[w] !=
			       pages_pattern(SEED, i, w);
	}
	free(before);
	free(after);
	self->c.bytes += kept * PAGES_SZ;
	self->c.corrupted += bad;
	TH_LOG("compaction moved %lu of %lu kept pages", moved, kept);
	EXPECT_EQ(0UL, bad);
	EXPECT_LT(0UL, moved);
	if (!variant->pool_small) {
		EXPECT_LT(migrated0, file_number(DCBM "folios_migrated"))
			TH_LOG("dcbm copied nothing for compaction");
	}
}

TEST_HARNESS_MAIN
