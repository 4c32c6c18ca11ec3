// SPDX-License-Identifier: GPL-2.0
/*
 * move_pages_bench: move_pages(2) throughput from node 0 to node 1.
 *
 *   move_pages_bench [-f 4k|2m] [-m MB] [-r RUNS]
 *
 * Each run maps a fresh anonymous region, binds it to node 0, faults it in
 * (as 2M THPs with -f 2m: the region is 2M aligned and MADV_HUGEPAGE),
 * then times one move_pages() call that moves every folio to node 1,
 * passing one address per folio.  One untimed warm-up run comes first, so
 * that the host's first touch of guest memory is not measured.  After the timed call, every folio's
 * status must say node 1 and every page must still hold its pattern, or
 * the run fails: a fast but wrong migration is not a result.
 *
 * Output, one line (thp_pct: share of the region that was THP-backed):
 *   move_pages folio=F mb=M runs=R gbps_mean=.. gbps_sd=.. gbps_min=.. gbps_max=.. thp_pct=..
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>

#include "../lib/vmtest.h"

#define MAX_RUNS 1000
#define SZ_2M (2UL << 20)

static long anon_huge_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void fill(uint64_t *p, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len / 8; i += 512)	/* one word per 4K page */
		p[i] = seed ^ (i * 0x9e3779b97f4a7c15ULL);
}

static int verify(const uint64_t *p, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len / 8; i += 512)
		if (p[i] != (seed ^ (i * 0x9e3779b97f4a7c15ULL))) {
			fprintf(stderr, "content mismatch at page %zu\n", i / 512);
			return -1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	size_t folio = 4096, len, nr, i;
	int mb = 256, runs = 5, r, opt;
	double gbps[MAX_RUNS], thp = 0;
	const char *fname = "4K";
	struct stats s;

	while ((opt = getopt(argc, argv, "f:m:r:")) != -1) {
		switch (opt) {
		case 'f':
			if (!strcmp(optarg, "4k")) {
				folio = 4096;
				fname = "4K";
			} else if (!strcmp(optarg, "2m")) {
				folio = SZ_2M;
				fname = "2M";
			} else {
				fprintf(stderr, "bad value for -f: '%s' (4k or 2m)\n", optarg);
				return 2;
			}
			break;
		case 'm': mb = parse_pos("-m", optarg, 1 << 16); break;
		case 'r': runs = parse_pos("-r", optarg, MAX_RUNS); break;
		default:
			fprintf(stderr, "usage: move_pages_bench [-f 4k|2m] [-m MB] [-r RUNS]\n");
			return 2;
		}
	}
	len = (size_t)mb << 20;
	len -= len % SZ_2M;
	if (!len) {
		fprintf(stderr, "-m must be at least 2\n");
		return 2;
	}
	nr = len / folio;

	for (r = -1; r < runs; r++) {	/* run -1 is the warm-up */
		void **pages = calloc(nr, sizeof(*pages));
		int *nodes = calloc(nr, sizeof(*nodes));
		int *status = calloc(nr, sizeof(*status));
		char *map, *buf;
		double t0, t1;
		long ret, huge;

		if (!pages || !nodes || !status) {
			fprintf(stderr, "out of memory\n");
			return 1;
		}
		map = mmap(NULL, len + SZ_2M, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		buf = (char *)(((uintptr_t)map + SZ_2M - 1) & ~(SZ_2M - 1));
		if (madvise(buf, len, folio == SZ_2M ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
			perror("madvise");
			return 1;
		}
		if (mbind_node(buf, len, 0)) {
			perror("mbind");
			return 1;
		}
		memset(buf, 0, len);
		fill((uint64_t *)buf, len, r + 2);
		huge = anon_huge_kb();
		thp = huge < 0 ? 0 : 100.0 * huge * 1024 / len;
		for (i = 0; i < nr; i++) {
			pages[i] = buf + i * folio;
			nodes[i] = 1;
			status[i] = -1;
		}
		t0 = now_sec();
		ret = move_pages_(0, nr, pages, nodes, status, MPOL_MF_MOVE);
		t1 = now_sec();
		if (ret) {
			fprintf(stderr, "move_pages returned %ld (%s)\n", ret,
				ret < 0 ? strerror(errno) : "pages not migrated");
			return 1;
		}
		for (i = 0; i < nr; i++)
			if (status[i] != 1) {
				fprintf(stderr, "folio %zu: status %d, expected node 1\n",
					i, status[i]);
				return 1;
			}
		if (verify((uint64_t *)buf, len, r + 2))
			return 1;
		if (r >= 0)
			gbps[r] = len / (t1 - t0) / 1e9;
		munmap(map, len + SZ_2M);
		free(pages);
		free(nodes);
		free(status);
	}
	s = stats_of(gbps, runs);
	printf("move_pages folio=%s mb=%d runs=%d gbps_mean=%.3f gbps_sd=%.3f gbps_min=%.3f gbps_max=%.3f thp_pct=%.0f\n",
	       fname, mb, runs, s.mean, s.sd, s.min, s.max, thp);
	return 0;
}
