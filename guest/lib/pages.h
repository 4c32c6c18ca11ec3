/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Base pages with a known content, for the programs that move a few
 * pages between the two nodes and check every word of them afterwards:
 * map them (one 4K folio each, faulted in on node 0), fill them with a
 * pattern of their own, move them with one move_pages(2) call, verify.
 */
#ifndef PAGES_H
#define PAGES_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmtest.h"

#define PAGES_SZ	4096UL
#define PAGES_WORDS	(PAGES_SZ / sizeof(uint64_t))

static inline uint64_t pages_pattern(uint64_t seed, unsigned long pg,
				     unsigned long w)
{
	return ((seed << 40) ^ ((uint64_t)pg << 16) ^ w) *
	       0x9e3779b97f4a7c15ULL + 0x1234567;
}

static inline void pages_fill(char *buf, unsigned long pages, uint64_t seed)
{
	uint64_t *p = (uint64_t *)buf;
	unsigned long pg, w;

	for (pg = 0; pg < pages; pg++)
		for (w = 0; w < PAGES_WORDS; w++)
			p[pg * PAGES_WORDS + w] = pages_pattern(seed, pg, w);
}

/* Words of @buf that do not hold their pattern. */
static inline unsigned long pages_verify(const char *buf, unsigned long pages,
					 uint64_t seed)
{
	const uint64_t *p = (const uint64_t *)buf;
	unsigned long pg, w, bad = 0;

	for (pg = 0; pg < pages; pg++)
		for (w = 0; w < PAGES_WORDS; w++)
			bad += p[pg * PAGES_WORDS + w] !=
			       pages_pattern(seed, pg, w);
	return bad;
}

/*
 * @pages anonymous base pages (no THP, so one folio each and a batch of
 * many folios), bound to node 0 so that a move to node 1 moves them all.
 * NULL if any step failed.
 */
static inline char *pages_map(unsigned long pages)
{
	size_t len = pages * PAGES_SZ;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return NULL;
	if (madvise(buf, len, MADV_NOHUGEPAGE) || mbind_node(buf, len, 0)) {
		munmap(buf, len);
		return NULL;
	}
	return buf;
}

/*
 * Move @count addresses @stride bytes apart from @first to @node in one
 * move_pages(2) call: 0, a negative errno, or the number of addresses
 * whose page did not get there.  One address per folio: a second one
 * inside a large folio finds it isolated already, -EBUSY.
 */
static inline long pages_move_stride(char *first, unsigned long count,
				     size_t stride, int node)
{
	void **addr = calloc(count, sizeof(*addr));
	int *nodes = calloc(count, sizeof(*nodes));
	int *status = calloc(count, sizeof(*status));
	unsigned long i;
	long ret = 0;

	if (!addr || !nodes || !status) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < count; i++) {
		addr[i] = first + i * stride;
		nodes[i] = node;
	}
	if (move_pages_(0, count, addr, nodes, status, MPOL_MF_MOVE)) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < count; i++)
		ret += status[i] != node;
out:
	free(addr);
	free(nodes);
	free(status);
	return ret;
}

/*
 * Move @count pages from @first to @node in one move_pages(2) call: 0,
 * a negative errno, or the number of pages that did not get there.
 */
static inline long pages_move(char *first, unsigned long count, int node)
{
	return pages_move_stride(first, count, PAGES_SZ, node);
}

/* The PFNs behind @count pages from @first (0: not present): 0 or -errno. */
static inline int pages_pfns(const void *first, unsigned long count,
			     uint64_t *pfn)
{
	size_t len = count * sizeof(*pfn);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	unsigned long i;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, pfn, len, (uintptr_t)first / PAGES_SZ * sizeof(*pfn));
	close(fd);
	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	for (i = 0; i < count; i++)
		pfn[i] = pfn[i] >> 63 ? pfn[i] & ((1ULL << 55) - 1) : 0;
	return 0;
}

/* The PFN behind @addr, from /proc/self/pagemap; 0 if not present. */
static inline uint64_t pages_pfn(const void *addr)
{
	uint64_t pfn;

	return pages_pfns(addr, 1, &pfn) ? 0 : pfn;
}

/*
 * Where each of the @count pages from @first is, in @status: its node,
 * or a negative errno (-ENOENT: not present).  0 or -errno.
 */
static inline int pages_nodes(char *first, unsigned long count, int *status)
{
	void **addr = calloc(count, sizeof(*addr));
	unsigned long i;
	int ret = 0;

	if (!addr)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		addr[i] = first + i * PAGES_SZ;
	if (move_pages_(0, count, addr, NULL, status, 0))
		ret = -errno;
	free(addr);
	return ret;
}

/* Nodes 0 and 1 both have memory. */
static inline bool pages_two_nodes(void)
{
	return node_meminfo(0, "MemTotal") > 0 &&
	       node_meminfo(1, "MemTotal") > 0;
}

#endif /* PAGES_H */
