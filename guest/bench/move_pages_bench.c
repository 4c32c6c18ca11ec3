// SPDX-License-Identifier: GPL-2.0
/*
 * move_pages_bench: move_pages(2) throughput from node 0 to node 1.
 *
 *   move_pages_bench [-f 4k|2m] [-m MB] [-r RUNS] [-c COPY[,COPY...]]
 *
 * Each run maps a fresh anonymous region, binds it to node 0, faults it in
 * (as 2M THPs with -f 2m: the region is 2M aligned and MADV_HUGEPAGE),
 * then times one move_pages() call that moves every folio to node 1,
 * passing one address per folio.  One untimed warm-up run comes first, so
 * that the host's first touch of guest memory is not measured.  After the
 * timed call, every folio's status must say node 1 and every page must
 * still hold its pattern, or the run fails: a fast but wrong migration is
 * not a result.
 *
 * -c selects how migration copies folios: "stock" (folio by folio, during
 * each move: vm.migrate_batch_copy=0) or "batch" (the batch copy step,
 * vm.migrate_batch_copy=1); without -c the kernel's setting is left alone.
 * With several, the runs alternate between them, so that every mode sees
 * the same conditions; the setting is restored at the end.
 *
 * Output, one line per copy mode (thp_pct: share of the region that was
 * THP-backed in the last run):
 *   move_pages folio=F copy=C mb=M runs=R gbps_mean=.. gbps_sd=.. gbps_min=.. gbps_max=.. thp_pct=..
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>

#include "../lib/vmtest.h"

#define MAX_RUNS 1000
#define MAX_MODES 4
#define SZ_2M (2UL << 20)
#define BATCH_SYSCTL "/proc/sys/vm/migrate_batch_copy"

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

/* Move @len bytes of @folio sized folios to node 1 once: GB/s, or < 0. */
static double one_run(size_t folio, size_t len, uint64_t seed, double *thp)
{
	size_t nr = len / folio, i;
	void **pages = calloc(nr, sizeof(*pages));
	int *nodes = calloc(nr, sizeof(*nodes));
	int *status = calloc(nr, sizeof(*status));
	double t0, t1, gbps = -1;
	char *map, *buf;
	long ret, huge;

	if (!pages || !nodes || !status) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	map = mmap(NULL, len + SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		goto out;
	}
	buf = (char *)(((uintptr_t)map + SZ_2M - 1) & ~(SZ_2M - 1));
	if (madvise(buf, len, folio == SZ_2M ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		perror("madvise");
		goto unmap;
	}
	if (mbind_node(buf, len, 0)) {
		perror("mbind");
		goto unmap;
	}
	memset(buf, 0, len);
	fill((uint64_t *)buf, len, seed);
	huge = anon_huge_kb();
	*thp = huge < 0 ? 0 : 100.0 * huge * 1024 / len;
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
		goto unmap;
	}
	for (i = 0; i < nr; i++)
		if (status[i] != 1) {
			fprintf(stderr, "folio %zu: status %d, expected node 1\n",
				i, status[i]);
			goto unmap;
		}
	if (!verify((uint64_t *)buf, len, seed))
		gbps = len / (t1 - t0) / 1e9;
unmap:
	munmap(map, len + SZ_2M);
out:
	free(pages);
	free(nodes);
	free(status);
	return gbps;
}

/* Parse -c: up to MAX_MODES of "stock" and "batch". */
static int parse_modes(char *arg, const char **modes)
{
	char *m;
	int n = 0;

	for (m = strtok(arg, ","); m; m = strtok(NULL, ",")) {
		if ((strcmp(m, "stock") && strcmp(m, "batch")) || n == MAX_MODES) {
			fprintf(stderr, "bad value for -c: '%s' (stock or batch, at most %d)\n",
				m, MAX_MODES);
			exit(2);
		}
		modes[n++] = m;
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *fname = "4K", *modes[MAX_MODES] = { "" };
	static double gbps[MAX_MODES][MAX_RUNS];
	int mb = 256, runs = 5, nmodes = 1, r, m, opt;
	char old[16] = "";
	size_t folio = 4096, len;
	double thp = 0, v;
	struct stats s;

	while ((opt = getopt(argc, argv, "f:m:r:c:")) != -1) {
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
		case 'c': nmodes = parse_modes(optarg, modes); break;
		default:
			fprintf(stderr, "usage: move_pages_bench [-f 4k|2m] [-m MB] [-r RUNS] [-c stock,batch]\n");
			return 2;
		}
	}
	len = (size_t)mb << 20;
	len -= len % SZ_2M;
	if (!len) {
		fprintf(stderr, "-m must be at least 2\n");
		return 2;
	}
	if (*modes[0] && file_read(BATCH_SYSCTL, old, sizeof(old))) {
		fprintf(stderr, "-c needs %s (CONFIG_MIGRATION_COPY_OFFLOAD)\n",
			BATCH_SYSCTL);
		return 1;
	}

	for (r = -1; r < runs; r++) {	/* run -1 is the warm-up */
		for (m = 0; m < nmodes; m++) {
			if (*modes[m] &&
			    file_write(BATCH_SYSCTL,
				       strcmp(modes[m], "stock") ? "1" : "0")) {
				fprintf(stderr, "cannot write %s\n", BATCH_SYSCTL);
				return 1;
			}
			v = one_run(folio, len, r + 2, &thp);
			if (v < 0)
				return 1;
			if (r >= 0)
				gbps[m][r] = v;
		}
	}
	if (*old)
		file_write(BATCH_SYSCTL, old);

	for (m = 0; m < nmodes; m++) {
		s = stats_of(gbps[m], runs);
		printf("move_pages folio=%s copy=%s mb=%d runs=%d gbps_mean=%.3f gbps_sd=%.3f gbps_min=%.3f gbps_max=%.3f thp_pct=%.0f\n",
		       fname, *modes[m] ? modes[m] : "default", mb, runs,
		       s.mean, s.sd, s.min, s.max, thp);
	}
	return 0;
}
