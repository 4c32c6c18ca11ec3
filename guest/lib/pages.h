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
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

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
 * Move @count pages from @first to @node in one move_pages(2) call: 0,
 * a negative errno, or the number of pages that did not get there.
 */
static inline long pages_move(char *first, unsigned long count, int node)
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
		addr[i] = first + i * PAGES_SZ;
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

/* Nodes 0 and 1 both have memory. */
static inline bool pages_two_nodes(void)
{
	return node_meminfo(0, "MemTotal") > 0 &&
	       node_meminfo(1, "MemTotal") > 0;
}

#endif /* PAGES_H */
