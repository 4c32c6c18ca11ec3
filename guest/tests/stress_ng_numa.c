// SPDX-License-Identifier: GPL-2.0
/*
 * stress_ng_numa - Debian's stress-ng, outside our own test programs,
 * with each migrator copying every migration (test_migrator, mtcopy and
 * dcbm over swdma, for every reason and batch size):
 *
 *  - numa: stress-ng's NUMA stressor (mbind with MPOL_MF_MOVE,
 *    migrate_pages(2), move_pages(2) over its buffers) with --verify;
 *  - mbind: its vm stressor, memory bound to node 0 with --mbind and
 *    checked by --verify, while this test moves the stressors' pages
 *    between nodes 0 and 1 with migrate_pages(2) twice a second.
 *
 * stress-ng's output goes to the TAP stream as comments.  Each run must
 * succeed (stress-ng exits 0 only if every stressor and its verification
 * passed), the migrator must have copied folios, and exactly as many as
 * migrate_offload_copied counts.  STRESS_NG_SECS sets each run's length
 * (5 s; FULL=1: 60 s).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "copier.h"
#include "pages.h"

#define STRESS_NG	"/usr/bin/stress-ng"

FIXTURE(stress) {
	struct copier_state c;
};

FIXTURE_VARIANT(stress) {
	enum copier copier;
};

FIXTURE_VARIANT_ADD(stress, test_migrator) { .copier = COPIER_TEST_MIGRATOR };
FIXTURE_VARIANT_ADD(stress, mtcopy) { .copier = COPIER_MTCOPY };
FIXTURE_VARIANT_ADD(stress, dcbm) { .copier = COPIER_DCBM };

FIXTURE_SETUP(stress)
{
	if (access(STRESS_NG, X_OK))
		SKIP(return, "no %s in the initramfs", STRESS_NG);
	if (!pages_two_nodes())
		SKIP(return, "needs NUMA nodes 0 and 1 with memory");
	copier_setup(_metadata, &self->c, variant->copier, "all");
}

FIXTURE_TEARDOWN(stress)
{
	copier_restore(&self->c);
}

static unsigned long run_secs(void)
{
	return env_ulong("STRESS_NG_SECS", env_ulong("FULL", 0) == 1 ? 60 : 5);
}

/* Start @cmd with its output as TAP comments; its pid, or -1. */
static pid_t start(const char *cmd)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Move every stress-ng process's pages on node @from to node @to. */
static unsigned long migrate_stressors(int from, int to)
{
	unsigned long old = 1UL << from, new = 1UL << to, n = 0;
	char path[300], comm[32];
	struct dirent *d;
	DIR *proc = opendir("/proc");

	while (proc && (d = readdir(proc))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		if (file_read(path, comm, sizeof(comm)) ||
		    strncmp(comm, "stress-ng", 9))
			continue;
		if (syscall(SYS_migrate_pages, atoi(d->d_name), 8 * sizeof(old),
			    &old, &new) >= 0)
			n++;
	}
	if (proc)
		closedir(proc);
	return n;
}

/*
 * Run stress-ng with @args for run_secs(), migrating its pages meanwhile
 * if @migrate; it must pass, and the migrator must have copied.
 */
static void stress(struct __test_metadata *_metadata,
		   FIXTURE_DATA(stress) *self, const char *args, bool migrate)
{
	long long mine0 = copier_copied(&self->c);
	long long all0 = vmstat_now("migrate_offload_copied");
	unsigned long secs = run_secs(), moves = 0;
	char cmd[512];
	int status, node = 0;
	pid_t pid;

	ASSERT_LT(0UL, secs) TH_LOG("bad STRESS_NG_SECS");
	/* stress-ng's own status, through a file: sh has no PIPESTATUS */
	snprintf(cmd, sizeof(cmd),
		 "{ " STRESS_NG " %s --verify --timeout %lus --metrics-brief 2>&1; echo $? >/tmp/stress-ng.rc; } | sed 's/^/# /'; exit $(cat /tmp/stress-ng.rc)",
		 args, secs);
	fflush(stdout);
	pid = start(cmd);
	ASSERT_LT(0, pid);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		usleep(500000);
		if (migrate) {
			moves += migrate_stressors(node, !node);
			node = !node;
		}
	}
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("stress-ng %s: status %d", args, status);
	if (migrate) {
		EXPECT_LT(0UL, moves) TH_LOG("no stress-ng process to move");
	}
	EXPECT_LT(0, copier_copied(&self->c) - mine0)
		TH_LOG("%s copied nothing", copier_name(self->c.copier));
	EXPECT_EQ(vmstat_now("migrate_offload_copied") - all0,
		  copier_copied(&self->c) - mine0);
}

TEST_F_TIMEOUT(stress, numa, 600)
{
	stress(_metadata, self, "--numa 2", false);
}

TEST_F_TIMEOUT(stress, mbind, 600)
{
	stress(_metadata, self, "--vm 2 --vm-bytes 32M --vm-keep --mbind 0",
	       true);
}

TEST_HARNESS_MAIN
