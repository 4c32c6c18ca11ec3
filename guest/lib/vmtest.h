/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the guest programs: timing, statistics, NUMA
 * syscalls (the guest has no libnuma), parsing of numeric options,
 * one-shot reads and writes of sysfs/debugfs files and the fault
 * campaign's account.  The bad-input sweeps are in hostile.h.
 */
#ifndef VMTEST_H
#define VMTEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct stats {
	double mean, sd, min, max;
};

static inline struct stats stats_of(const double *v, int n)
{
	struct stats s = { 0, 0, v[0], v[0] };
	int i;

	for (i = 0; i < n; i++) {
		s.mean += v[i];
		if (v[i] < s.min)
			s.min = v[i];
		if (v[i] > s.max)
			s.max = v[i];
	}
	s.mean /= n;
	for (i = 0; i < n && n > 1; i++)
		s.sd += (v[i] - s.mean) * (v[i] - s.mean);
	s.sd = n > 1 ? sqrt(s.sd / (n - 1)) : 0;
	return s;
}

static inline long mbind_node(void *addr, unsigned long len, int node)
{
	unsigned long mask = 1UL << node;

	return syscall(SYS_mbind, addr, len, MPOL_BIND, &mask,
		       sizeof(mask) * 8, MPOL_MF_STRICT | MPOL_MF_MOVE);
}

static inline long move_pages_(int pid, unsigned long count, void **pages,
			       const int *nodes, int *status, int flags)
{
	return syscall(SYS_move_pages, pid, count, pages, nodes, status, flags);
}

/* Parse a positive decimal option value or exit with a message. */
static inline long parse_pos(const char *opt, const char *val, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || *end || end == val || v <= 0 || v > max) {
		fprintf(stderr, "bad value for %s: '%s' (1..%ld)\n", opt, val, max);
		exit(2);
	}
	return v;
}

/* Unload module @name without waiting: 0 or -1 with errno. */
static inline int delete_module_(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/*
 * Unload, without waiting, every module that holds @name (its users:
 * dcbm, dmatest, a KUnit suite...), whichever are loaded.
 */
static inline void unload_holders(const char *name)
{
	char path[128];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/module/%s/holders", name);
	dir = opendir(path);
	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.')
			delete_module_(d->d_name);
	if (dir)
		closedir(dir);
}

/*
 * Whether DMA channel @chan (a name in /sys/class/dma, dma0chan0...)
 * belongs to a device bound to the driver named @driver.
 */
static inline bool dma_chan_of_driver(const char *chan, const char *driver)
{
	char path[300], target[256];
	const char *name;
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/class/dma/%s/device/driver", chan);
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return false;
	target[len] = '\0';
	name = strrchr(target, '/');
	return !strcmp(name ? name + 1 : target, driver);
}

/* Write @val to @path in one write(2): 0 or -errno (the kernel's answer). */
static inline int file_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Read @path into @buf (at most @size - 1 bytes), without the newline. */
static inline int file_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The decimal number a file (sysfs, procfs) holds, or -1. */
static inline long long file_number(const char *path)
{
	char buf[32], *end;
	long long v;

	if (file_read(path, buf, sizeof(buf)))
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	return errno || *end || end == buf ? -1 : v;
}

/* The number in file @name of directory @dir (with its '/'), or -1. */
static inline long long file_number_at(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", dir, name);
	return file_number(path);
}

/* file_read() and file_write() of file @name in directory @dir (with its '/') */
static inline int file_read_at(const char *dir, const char *name, char *buf,
			       size_t size)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", dir, name);
	return file_read(path, buf, size);
}

static inline int file_write_at(const char *dir, const char *name,
				const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", dir, name);
	return file_write(path, val);
}

/*
 * Files a test writes and puts back afterwards (sysctls, sysfs knobs):
 * saved_write() remembers what a file held before its first write,
 * saved_restore() writes it all back, the last written first.
 */
#define SAVED_MAX	16

struct saved_files {
	struct {
		char path[128], old[64];
	} f[SAVED_MAX];
	int n;
};

/* Write @val to @path, remembering what it held: 0 or -errno. */
static inline int saved_write(struct saved_files *s, const char *path,
			      const char *val)
{
	int i = s->n, rc;

	if (i == SAVED_MAX)
		return -ENOSPC;
	rc = file_read(path, s->f[i].old, sizeof(s->f[i].old));
	if (rc)
		return rc;
	snprintf(s->f[i].path, sizeof(s->f[i].path), "%s", path);
	s->n++;
	return file_write(path, val);
}

static inline void saved_restore(struct saved_files *s)
{
	while (s->n > 0) {
		s->n--;
		file_write(s->f[s->n].path, s->f[s->n].old);
	}
}

/*
 * A fault-injection attribute directory of lib/fault-inject in debugfs
 * (failslab, fail_page_alloc, swdma's fail_copy...), with its trailing
 * '/'.  fault_on() saves what its files hold and turns injection on;
 * fault_off() turns it off, puts the files back, and says how many
 * failures were injected: times counts down from FAULT_TIMES.  Files a
 * directory does not have (failslab has no min-order) are left out.
 */
#define FAULT_TIMES	1000000

static const char *const fault_files[] = {
	"probability", "interval", "times", "space", "verbose", "task-filter",
	"require-start", "require-end", "reject-start", "reject-end",
	"ignore-gfp-wait", "min-order", "ignore-gfp-highmem",
};

#define FAULT_NR_FILES	(sizeof(fault_files) / sizeof(fault_files[0]))

struct fault_inject {
	char dir[128];			/* "" while off */
	char old[FAULT_NR_FILES][32];	/* "" for a file it has not */
};

/* Injection off, the files as they were: failures injected, or -1. */
static inline long long fault_off(struct fault_inject *fi)
{
	long long left;
	unsigned int i;

	if (!*fi->dir)
		return 0;
	file_write_at(fi->dir, "probability", "0");
	left = file_number_at(fi->dir, "times");
	for (i = FAULT_NR_FILES; i-- > 0;)
		if (*fi->old[i])
			file_write_at(fi->dir, fault_files[i], fi->old[i]);
	*fi->dir = '\0';
	return left < 0 || left > FAULT_TIMES ? -1 : FAULT_TIMES - left;
}

/*
 * Fail @pct percent of every @interval-th call, at most FAULT_TIMES, for
 * any task or (@task_filter) only those with make-it-fail, quietly.
 * @extra: more "file", "value" pairs, NULL-terminated, or NULL.  The
 * probability is written last.  0, or the -errno of the write that
 * failed, whose file is then in *@bad (and injection is off again).
 */
static inline int fault_on(struct fault_inject *fi, const char *dir,
			   unsigned int pct, unsigned int interval,
			   bool task_filter, const char *const *extra,
			   const char **bad)
{
	char num[3][24];
	const char *const base[] = {
		"interval", num[0], "times", num[1], "space", "0",
		"verbose", "0", "task-filter", task_filter ? "Y" : "N",
		NULL,
	};
	const char *const *list[] = { base, extra };
	unsigned int i, l;
	int rc;

	snprintf(fi->dir, sizeof(fi->dir), "%s", dir);
	for (i = 0; i < FAULT_NR_FILES; i++)
		if (file_read_at(dir, fault_files[i], fi->old[i],
				 sizeof(fi->old[i])))
			fi->old[i][0] = '\0';
	snprintf(num[0], sizeof(num[0]), "%u", interval);
	snprintf(num[1], sizeof(num[1]), "%d", FAULT_TIMES);
	snprintf(num[2], sizeof(num[2]), "%u", pct);
	for (l = 0; l < 2; l++) {
		for (i = 0; list[l] && list[l][i]; i += 2) {
			rc = file_write_at(dir, list[l][i], list[l][i + 1]);
			if (rc == -ENOENT)
				continue;
			if (rc)
				goto fail;
		}
	}
	rc = file_write_at(dir, "probability", num[2]);
	if (!rc)
		return 0;
	*bad = "probability";
	goto off;
fail:
	*bad = list[l][i];
off:
	fault_off(fi);
	return rc;
}

/* Bytes, decimal, or with a k or m suffix ("8m"); 0 if malformed. */
static inline unsigned long parse_size(const char *s)
{
	unsigned long v;
	char *e;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno)
		return 0;
	if (*e == 'k' || *e == 'K')
		v <<= 10, e++;
	else if (*e == 'm' || *e == 'M')
		v <<= 20, e++;
	return *e ? 0 : v;
}

/* Decimal from the environment: @def if unset, 0 if malformed. */
static inline unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	char *end = "";
	unsigned long v = s ? strtoul(s, &end, 10) : def;

	return s && (!*s || *end) ? 0 : v;
}

/*
 * The number after @key in a file of "key value" lines (/proc/vmstat, a
 * stats file), or -1 if the file or the key is missing.
 */
static inline long long file_key(const char *path, const char *key)
{
	char line[256], k[128];
	long long v, ret = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %lld", k, &v) == 2 && !strcmp(k, key))
			ret = v;
	fclose(f);
	return ret;
}

/*
 * A /proc/vmstat counter, exact: node and zone counters (pgdemote_*,
 * pgpromote_success...) are kept per CPU and folded in only past a
 * threshold, so vm.stat_refresh folds them all first.
 */
static inline long long vmstat_now(const char *key)
{
	file_write("/proc/sys/vm/stat_refresh", "1");
	return file_key("/proc/vmstat", key);
}

/* @key (e.g. "MemTotal") in kB from nodeN/meminfo, -1 if unavailable. */
static inline long node_meminfo(int node, const char *key)
{
	char path[64], line[256], k[64];
	unsigned long v;
	long ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 node);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Node %*d %63[^:]: %lu", k, &v) == 2 &&
		    !strcmp(k, key))
			ret = v;
	fclose(f);
	return ret;
}

/*
 * The fault campaign's account of one test, summed by the host over the
 * whole run (host/summarize.py): bytes moved between the nodes and
 * checked, faults injected, offload batches the CPU had to finish, and
 * bytes found corrupted.  Written straight to stdout (a KTAP diagnostic
 * line), so that a test child's _exit() cannot lose it.
 */
struct campaign {
	unsigned long long bytes, faults, fallback, corrupted;
};

static inline void campaign_report(const char *test, const struct campaign *c)
{
	dprintf(STDOUT_FILENO,
		"# campaign: %s bytes=%llu faults=%llu fallback_batches=%llu corrupted=%llu\n",
		test, c->bytes, c->faults, c->fallback, c->corrupted);
}

/* Bytes that differ between two words */
static inline unsigned int bytes_differ(unsigned long long a,
					unsigned long long b)
{
	unsigned int n = 0;

	for (a ^= b; a; a >>= 8)
		n += !!(a & 0xff);
	return n;
}

/* Offload batches of which the CPU copied a part, since boot (or -1) */
static inline long long fallback_batches(void)
{
	return file_key("/proc/vmstat", "migrate_offload_batch_fallback");
}

/* Descriptors swdma failed on purpose since it loaded (0 if it is not). */
static inline unsigned long long swdma_injected(void)
{
	FILE *f = fopen("/sys/kernel/debug/dmaengine/swdma.0/counters", "r");
	unsigned long long descs, bytes, errors, sum = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %llu %llu %llu", &descs, &bytes,
			   &errors) == 3)
			sum += errors;
	fclose(f);
	return sum;
}

#endif
