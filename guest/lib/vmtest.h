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
