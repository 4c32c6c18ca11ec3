// SPDX-License-Identifier: GPL-2.0
/*
 * dma_copy_bench_test - the benchmark module make bench relies on must
 * measure what it says: a small run in every mode, on one and on two
 * channels (threads), copies and verifies the amount asked for with the
 * expected number of prep calls; a failing copy is reported as a failed
 * run; and every parameter refuses hostile values without changing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "hostile.h"

#define DIR	"/sys/kernel/debug/dma_copy_bench/"
#define SWDMA	"/sys/kernel/debug/dmaengine/swdma.0/"

static int set(const char *knob, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DIR "%s", knob);
	return file_write(path, val);
}

static long long result(const char *key)
{
	return file_key(DIR "result", key);
}

FIXTURE(bench) {
	struct fault_inject fi;	/* swdma's fail_copy */
};

FIXTURE_SETUP(bench)
{
	ASSERT_EQ(0, system("modprobe swdma && modprobe dma_copy_bench"));
	ASSERT_EQ(0, access(DIR "run", W_OK));
	ASSERT_EQ(0, set("total_mb", "4"));
	ASSERT_EQ(0, set("sge", "64"));
	ASSERT_EQ(0, set("verify", "1"));
	ASSERT_EQ(0, set("src_node", "0"));
	ASSERT_EQ(0, set("dst_node", "1"));
}

FIXTURE_TEARDOWN(bench)
{
	fault_off(&self->fi);
	delete_module_("dma_copy_bench");
}

/* Every mode, 4K and 2M folios, 1 and 2 channels: bytes and prep calls. */
TEST_F(bench, every_mode_copies_and_counts)
{
	static const char * const modes[] = {
		"prep_memcpy", "prep_memcpy_sg", "cpu_memcpy"
	};
	static const long folio_kb[] = { 4, 2048 };
	long long entries, want_calls, unacked;
	unsigned int m, f, c;
	char buf[16];

	unacked = file_number(SWDMA "unacked_descs");
	ASSERT_LE(0, unacked) TH_LOG("no %sunacked_descs", SWDMA);
	for (m = 0; m < 3; m++)
		for (f = 0; f < 2; f++)
			for (c = 1; c <= 2; c++) {
				snprintf(buf, sizeof(buf), "%ld", folio_kb[f]);
				ASSERT_EQ(0, set("folio_kb", buf));
				snprintf(buf, sizeof(buf), "%u", c);
				ASSERT_EQ(0, set("channels", buf));
				ASSERT_EQ(0, set("mode", modes[m]));
				ASSERT_EQ(0, set("run", "1"))
					TH_LOG("%s, %ld KB, %u channel(s)",
					       modes[m], folio_kb[f], c);
				EXPECT_EQ(0, result("status"));
				EXPECT_EQ(0, result("errors"));
				EXPECT_EQ((long long)c * 4 << 20, result("bytes"));
				EXPECT_EQ(c, result("channels"));
				/* 4 MB per channel, 64 entries per batch */
				entries = 4096 / folio_kb[f];
				want_calls = m == 0 ? entries :
					m == 1 ? (entries + 63) / 64 : 0;
				EXPECT_EQ(c * want_calls, result("prep_calls"))
					TH_LOG("%s, %ld KB", modes[m], folio_kb[f]);
				EXPECT_LT(0, result("wall_ns"));
				if (m < 2)
					EXPECT_LT(0, result("wait_ns"));
			}
	/*
	 * It uses each descriptor once: each must carry DMA_CTRL_ACK, or a
	 * provider that recycles only acked descriptors runs out of them.
	 */
	EXPECT_EQ(unacked, file_number(SWDMA "unacked_descs"))
		TH_LOG("descriptors completed without DMA_CTRL_ACK");
}

/* A descriptor that fails makes the run fail: no result is made up. */
TEST_F(bench, failed_copy_fails_the_run)
{
	const char *bad = NULL;
	int rc;

	if (access(SWDMA "fail_copy", W_OK))
		SKIP(return, "no swdma.0 fault injection");
	ASSERT_EQ(0, set("mode", "prep_memcpy_sg"));
	ASSERT_EQ(0, set("folio_kb", "4"));
	ASSERT_EQ(0, set("channels", "1"));
	rc = fault_on(&self->fi, SWDMA "fail_copy/", 100, 3, false, NULL, &bad);
	ASSERT_EQ(0, rc) TH_LOG("fail_copy/%s: %s", bad, strerror(-rc));
	EXPECT_EQ(-EIO, set("run", "1"));
	EXPECT_EQ(-EIO, result("status"));
	EXPECT_EQ(1, result("errors"));
	ASSERT_LT(0, fault_off(&self->fi));
	EXPECT_EQ(0, set("run", "1"));
	EXPECT_EQ(0, result("status"));
}

/* Hostile values: refused with EINVAL, the old value kept. */
TEST_F(bench, hostile_values_change_nothing)
{
	static const char * const numbers[] = {
		"channels", "folio_kb", "sge", "total_mb", "verify",
		"src_node", "dst_node",
	};
	/* Out of range for each, in the order of numbers[] (node 3: none) */
	static const char * const too_big[] = {
		"33", "8192", "4097", "65537", "2", "3", "3",
	};
	char path[128];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(numbers); i++) {
		snprintf(path, sizeof(path), DIR "%s", numbers[i]);
		expect_hostile_sweep(_metadata, path);
		expect_einval_kept(_metadata, path, too_big[i]);
	}
	/* folio_kb must be a power of two, sizes and counts at least 1 */
	EXPECT_EQ(-EINVAL, set("folio_kb", "12"));
	EXPECT_EQ(-EINVAL, set("channels", "0"));
	EXPECT_EQ(-EINVAL, set("sge", "0"));
	EXPECT_EQ(-EINVAL, set("total_mb", "0"));

	expect_hostile_sweep(_metadata, DIR "mode");
	expect_einval_kept(_metadata, DIR "mode", "prep_memcpy_sgx");
	expect_einval_kept(_metadata, DIR "mode", "prep_memcpy ");
	expect_einval_kept(_metadata, DIR "mode", "cpu_memcpy\nx");

	/* "run" has no value to keep: a bad write must not start a run. */
	for (j = 0; j < NR_HOSTILE; j++) {
		int rc;

		EXPECT_TRUE(hostile_refused(DIR "run", j, &rc))
			TH_LOG("run: '%s' gave %d", hostile_name(j), rc);
	}
	EXPECT_EQ(-EINVAL, set("run", "0"));
	EXPECT_EQ(-EINVAL, set("run", "2"));
	EXPECT_NE(0, set("result", "1"));
}

TEST_HARNESS_MAIN
