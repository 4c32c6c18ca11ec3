// SPDX-License-Identifier: GPL-2.0
/*
 * swdma_knobs - every debugfs knob of swdma must refuse the hostile
 * values of hostile.h and out-of-range ones, and keep the value it had;
 * good values at the edges of each range must be taken.  The read-only
 * files must refuse writes.  Which descriptors fail is the kernel's
 * fault-injection framework's business: its fail_copy directory must be
 * there, with its usual files.  swdma's module parameters, read-only once
 * it is loaded, get the hostile values at load time, and a plain load
 * makes private channels.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "hostile.h"

#define SWDMA_DBG	"/sys/kernel/debug/dmaengine/swdma.0"

struct knob {
	const char *name;
	const char *max;	/* largest valid value */
	const char *too_big;	/* smallest invalid one */
};

static const struct knob knobs[] = {
	{ "fail_seed",	  "18446744073709551615", "18446744073709551616" },
	{ "fail_dir",	  "2",			  "3" },
	{ "latency_us",	  "10000000",		  "10000001" },
	{ "max_seg_len",  "4294967295",		  "4294967296" },
	{ "out_of_order", "1",			  "2" },
};

/* write(2) @val to knob @name: 0 or -errno. */
static int knob_write(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), SWDMA_DBG "/%s", name);
	return file_write(path, val);
}

static int knob_read(const char *name, char *buf, size_t size)
{
	char path[128];

	snprintf(path, sizeof(path), SWDMA_DBG "/%s", name);
	return file_read(path, buf, size);
}

FIXTURE(swdma) {
};

FIXTURE_SETUP(swdma)
{
	ASSERT_EQ(0, system("modprobe swdma >/dev/console 2>&1"));
	ASSERT_EQ(0, access(SWDMA_DBG "/fail_seed", W_OK))
		TH_LOG("no knobs in %s", SWDMA_DBG);
}

FIXTURE_TEARDOWN(swdma)
{
	unsigned int i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		knob_write(knobs[i].name, "0\n");
}

TEST_F(swdma, bad_values_change_nothing)
{
	unsigned int i;
	char val[64], path[128];

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const struct knob *k = &knobs[i];

		/* The edge of the range is accepted and reads back. */
		ASSERT_EQ(0, knob_write(k->name, k->max));
		ASSERT_EQ(0, knob_read(k->name, val, sizeof(val)));
		EXPECT_STREQ(k->max, val);

		ASSERT_EQ(0, knob_write(k->name, "1\n"));
		snprintf(path, sizeof(path), SWDMA_DBG "/%s", k->name);
		expect_einval_kept(_metadata, path, k->too_big);
		expect_hostile_sweep(_metadata, path);
		ASSERT_EQ(0, knob_read(k->name, val, sizeof(val)));
		EXPECT_STREQ("1", val) TH_LOG("%s changed by a bad write",
					      k->name);
	}
}

TEST_F(swdma, read_only_files_refuse_writes)
{
	EXPECT_NE(0, knob_write("live_descs", "5\n"));
	EXPECT_NE(0, knob_write("unacked_descs", "0\n"));
	EXPECT_NE(0, knob_write("counters", "0\n"));
}

/* lib/fault-inject's attributes, as fault_create_debugfs_attr() makes them. */
TEST_F(swdma, fail_copy_is_fault_injection)
{
	static const char *const files[] = {
		"probability", "interval", "times", "space", "verbose",
		"task-filter", "verbose_ratelimit_interval_ms",
	};
	char path[160], val[32];
	unsigned int i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), SWDMA_DBG "/fail_copy/%s",
			 files[i]);
		EXPECT_EQ(0, access(path, W_OK)) TH_LOG("no %s", path);
	}
	/* Nothing fails until asked to. */
	ASSERT_EQ(0, file_read(SWDMA_DBG "/fail_copy/probability", val,
			       sizeof(val)));
	EXPECT_STREQ("0", val);
}

static const char *const mod_params[] = {
	"nr_channels", "private", "config_prep", "terminate"
};

/* The module parameters are read-only once loaded: writes change nothing. */
TEST_F(swdma, module_params_are_read_only)
{
	char path[128], before[64], after[64];
	unsigned int i;

	for (i = 0; i < sizeof(mod_params) / sizeof(mod_params[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/swdma/parameters/%s",
			 mod_params[i]);
		ASSERT_EQ(0, file_read(path, before, sizeof(before)));
		EXPECT_NE(0, file_write(path, "1")) TH_LOG("%s took 1", path);
		EXPECT_NE(0, file_write(path, "0")) TH_LOG("%s took 0", path);
		ASSERT_EQ(0, file_read(path, after, sizeof(after)));
		EXPECT_STREQ(before, after);
	}
}

/* The file of module @name from modules.dep, into @path. */
static bool module_file(const char *name, char *path, size_t len)
{
	char dir[128], line[1024], want[80];
	struct utsname u;
	bool found = false;
	FILE *f;

	uname(&u);
	snprintf(dir, sizeof(dir), "/lib/modules/%s/", u.release);
	snprintf(line, sizeof(line), "%smodules.dep", dir);
	snprintf(want, sizeof(want), "/%s.ko:", name);
	f = fopen(line, "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *colon = strstr(line, want);

		if (!colon)
			continue;
		colon[strlen(want) - 1] = '\0';
		found = (size_t)snprintf(path, len, "%s%s", dir, line) < len;
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * How the kernel reads a bool parameter (kstrtobool(), documented in
 * lib/kstrtox.c): by its first character (or two, for "on"/"off").
 * 1 or 0, or -1 if it is refused.
 */
static int kernel_bool(const char *v)
{
	if (strchr("yYtT1", *v) && *v)
		return 1;
	if (strchr("nNfF0", *v) && *v)
		return 0;
	if (*v == 'o' || *v == 'O')
		return v[1] && strchr("nN", v[1]) ? 1 :
		       v[1] && strchr("fF", v[1]) ? 0 : -1;
	return -1;
}

/*
 * Loading swdma with a hostile value for nr_channels (or 0, 65, 2^32+1)
 * fails with EINVAL (ERANGE for numbers that overflow) and leaves no
 * module behind.  The bool parameters
 * refuse what kstrtobool() refuses, and take the rest as it documents
 * (first character decides): they must read back as that.  The value is
 * quoted, so that blanks and newlines stay in it (the kernel splits the
 * parameter string at blanks outside quotes).
 */
/*
 * About 20 s under TCG with the debug kernel (each load and unload pays
 * for KASAN and lockdep): the harness's default 30 s is no margin for a
 * busy machine.  A fixture of its own carries the timeout.
 */
FIXTURE(load_time) {
};

FIXTURE_SETUP(load_time)
{
}

FIXTURE_TEARDOWN(load_time)
{
}

TEST_F_TIMEOUT(load_time, values, 300)
{
	static const char *const range[] = { "0", "65", "4294967297" };
	char ko[256], args[HOSTILE_OVERLONG + 64], path[128], val[8];
	unsigned int p, j, n;
	const char *v, *name;
	int fd, want;
	long ret;

	ASSERT_TRUE(module_file("swdma", ko, sizeof(ko)));
	/*
	 * finit_module() does not load what swdma needs (virt-dma): a
	 * modprobe does, and leaves it when swdma goes.
	 */
	ASSERT_EQ(0, system("modprobe swdma"));
	/*
	 * Nothing may hold swdma: its users go first, whichever are loaded
	 * (dcbm, dmatest, a KUnit suite...), so that the test does not
	 * depend on what ran before it.
	 */
	unload_holders("swdma");
	ASSERT_EQ(0, delete_module_("swdma"))
		TH_LOG("swdma held: %s", strerror(errno));
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", ko, strerror(errno));
	for (p = 0; p < sizeof(mod_params) / sizeof(mod_params[0]); p++) {
		n = NR_HOSTILE + (p ? 0 : sizeof(range) / sizeof(range[0]));
		for (j = 0; j < n; j++) {
			v = j < NR_HOSTILE ? hostile_value(j) : range[j - NR_HOSTILE];
			name = j < NR_HOSTILE ? hostile_name(j) : v;
			want = p ? kernel_bool(v) : -1;
			snprintf(args, sizeof(args), "%s=\"%s\"", mod_params[p], v);
			ret = syscall(SYS_finit_module, fd, args, 0);
			if (want < 0) {
				EXPECT_EQ(-1, ret) TH_LOG("swdma loaded with %s=\"%s\"",
							  mod_params[p], name);
				/* parse_args() passes on kstrto*()'s ERANGE */
				EXPECT_TRUE(errno == EINVAL || errno == ERANGE)
					TH_LOG("%s=\"%s\": %s", mod_params[p],
					       name, strerror(errno));
			} else {
				EXPECT_EQ(0, ret) TH_LOG("%s=\"%s\": %s", mod_params[p],
							 name, strerror(errno));
				snprintf(path, sizeof(path),
					 "/sys/module/swdma/parameters/%s",
					 mod_params[p]);
				EXPECT_EQ(0, file_read(path, val, sizeof(val)));
				EXPECT_STREQ(want ? "Y" : "N", val)
					TH_LOG("%s=\"%s\"", mod_params[p], name);
			}
			if (!ret)
				delete_module_("swdma");
			EXPECT_NE(0, access("/sys/module/swdma", F_OK));
		}
	}
	/* And a good value still loads. */
	EXPECT_EQ(0, syscall(SYS_finit_module, fd, "nr_channels=2", 0))
		TH_LOG("%s", strerror(errno));
	close(fd);
	EXPECT_EQ(2, file_number("/sys/module/swdma/parameters/nr_channels"));
	/* Private unless asked otherwise: async_tx must not pick swdma. */
	EXPECT_EQ(0, file_read("/sys/module/swdma/parameters/private", val,
			       sizeof(val)));
	EXPECT_STREQ("Y", val);
	EXPECT_EQ(0, delete_module_("swdma"));
	ASSERT_EQ(0, system("modprobe swdma"));
}

TEST_HARNESS_MAIN
