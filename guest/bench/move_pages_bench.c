// SPDX-License-Identifier: GPL-2.0
/*
 * move_pages_bench: move_pages(2) throughput from node 0 to node 1, and the
 * throughput of the batch copy step alone, per copy configuration.
 *
 *   move_pages_bench [-f 4k|64k|1m|2m] [-m MB] [-r RUNS] [-c CONFIG[,CONFIG...]]
 *                    [-S SIZE] [-t PREFIX] [-p]
 *
 * Each run maps a fresh anonymous region, binds it to node 0, faults it in
 * as folios of the -f size (the region is 2M aligned; for 64k, 1m and 2m
 * that size alone of all anonymous mTHP sizes is enabled in
 * /sys/kernel/mm/transparent_hugepage and the region is MADV_HUGEPAGE, for
 * 4k none is and the region is MADV_NOHUGEPAGE), then times
 * one move_pages() call that moves every folio to node 1, passing one
 * address per folio.  One untimed warm-up run comes first, so that the
 * host's first touch of guest memory is not measured.  After the timed
 * call, every folio's status must say node 1 and every page must still
 * hold its pattern, or the run fails: a fast but wrong migration is not a
 * result.
 *
 * -c selects how migration copies folios, one or several of:
 *   stock      folio by folio during each move (vm.migrate_batch_copy=0)
 *   batch      the batch copy step, copied by the CPU (no migrator;
 *              vm.migrate_batch_copy=2)
 *   dcbm:N     the batch step offloaded to dcbm on N DMA channels, one
 *              descriptor per entry (use_sg=off)
 *   dcbm_sg:N  the same with one DMA_MEMCPY_SG transaction per channel
 *              (use_sg=on)
 *   mtcopy:N   the batch step offloaded to mtcopy with N threads
 * and a migrator's configuration may end in @SIZE, the batch size it asks
 * for (its batch_bytes; default the migrator's own), and in
 * /SIZE, the smallest share it cuts a batch into (min_share_bytes; default
 * the migrator's own), sizes in bytes or with a k or m suffix: e.g.
 * dcbm_sg:4@8m/2m is dcbm on 4 channels in batches of 8 MiB, cut into
 * shares of at least 2 MiB.  -S SIZE is the share size of configurations
 * without one.
 * Without -c the kernel's settings are left alone ("default").  With
 * several, the runs alternate between them, so that every configuration
 * sees the same conditions; the settings are restored at the end.
 *
 * While moving, the mm_migrate_copy_batch tracepoint is on: each event
 * carries the bytes and the duration of one batch copy (the CPU's or the
 * migrator's offload_copy()), so the copy step's own throughput, without
 * the page-table work around it, comes from the same runs.
 *
 * -t names the tables PREFIX_move_pages and PREFIX_batch_copy, to keep
 * the lines of a separate comparison apart.
 *
 * -p prints a "@@vmtest progress" line after each round of runs (the VM's
 * progress channel, see guest/lib.sh).
 *
 * Output, per configuration (folio_pct: share of the region that was
 * backed by folios of the -f size in the last run):
 *   move_pages folio=F copy=C mb=M runs=R gbps_mean=.. gbps_sd=.. gbps_min=.. gbps_max=.. folio_pct=..
 *   batch_copy folio=F copy=C mb=M runs=R gbps_mean=.. gbps_sd=.. batches=.. offloaded_pct=..
 *     batch=B share=S batch_bytes_mean=.. batch_us_mean=..
 * (no batch_copy line for stock, which has no batch step; batches is per
 * run, batch_bytes_mean and batch_us_mean per batch, over all runs; batch
 * and share are the migrator's batch_bytes and min_share_bytes in the
 * runs, 0 without a migrator).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "../lib/batch_trace.h"
#include "../lib/vmtest.h"

#define MAX_RUNS 1000
#define MAX_CONFIGS 24
#define SZ_2M (2UL << 20)
#define BATCH_SYSCTL "/proc/sys/vm/migrate_batch_copy"
#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"
#define DCBM "/sys/module/dcbm/parameters/"
#define MTCOPY "/sys/module/mtcopy/parameters/"

enum copier { STOCK, BATCH, DCBM_ENTRY, DCBM_SG, MTCOPY_N };

struct config {
	char name[24];
	enum copier copier;
	long n;			/* channels or threads */
	unsigned long batch;	/* batch_bytes, 0: the migrator's default */
	unsigned long share;	/* min_share_bytes, 0: the migrator's default */
	unsigned long eff_batch, eff_share;	/* what apply() set */
};

/* The migrators' batch_bytes and min_share_bytes before, restored at the end */
static char dcbm0[2][32], mtcopy0[2][32];
static unsigned long def_share;	/* -S */
static const char *const size_params[2] = { "batch_bytes", "min_share_bytes" };

/* Save (@save) or restore the size parameters of the migrator at @dir. */
static void sizes_keep(const char *dir, char (*val)[32], bool save)
{
	char path[128];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s%s", dir, size_params[i]);
		if (save && file_read(path, val[i], sizeof(val[i])))
			val[i][0] = '\0';
		else if (!save && val[i][0])
			file_write(path, val[i]);
	}
}

/* Every anonymous mTHP size the kernel offers, and its setting before. */
#define MAX_THP_SIZES 16
static unsigned int thp_kb[MAX_THP_SIZES], nr_thp;
static char thp_old[MAX_THP_SIZES][32];

static int thp_path(char *buf, size_t size, unsigned int kb, const char *file)
{
	return snprintf(buf, size, THP_DIR "hugepages-%ukB/%s", kb, file);
}

/*
 * Enable anonymous folios of @kb kB alone (4: none), so that the kernel
 * cannot pick another size for the region; 0 or -1.
 */
static int thp_select(unsigned int kb)
{
	char path[128], cur[64];
	struct dirent *de;
	unsigned int i, k;
	DIR *d;

	if (!nr_thp) {
		d = opendir(THP_DIR);
		if (!d) {
			perror(THP_DIR);
			return -1;
		}
		/* Sizes for files only have no "enabled" */
		while ((de = readdir(d)) && nr_thp < MAX_THP_SIZES) {
			if (sscanf(de->d_name, "hugepages-%ukB", &k) != 1)
				continue;
			thp_path(path, sizeof(path), k, "enabled");
			if (!access(path, F_OK))
				thp_kb[nr_thp++] = k;
		}
		closedir(d);
		for (i = 0; i < nr_thp; i++) {
			thp_path(path, sizeof(path), thp_kb[i], "enabled");
			if (file_read(path, cur, sizeof(cur))) {
				fprintf(stderr, "cannot read %s\n", path);
				return -1;
			}
			/* "always [inherit] madvise never": the word in brackets */
			sscanf(strchr(cur, '[') ? strchr(cur, '[') + 1 : cur,
			       "%31[a-z]", thp_old[i]);
		}
	}
	for (i = 0; i < nr_thp; i++)
		if (thp_kb[i] == kb)
			break;
	if (kb != 4 && i == nr_thp) {
		fprintf(stderr, "this kernel has no %u kB anonymous folios\n", kb);
		return -1;
	}
	for (i = 0; i < nr_thp; i++) {
		thp_path(path, sizeof(path), thp_kb[i], "enabled");
		if (file_write(path, thp_kb[i] == kb ? "always" : "never")) {
			fprintf(stderr, "cannot write %s\n", path);
			return -1;
		}
	}
	return 0;
}

static void thp_restore(void)
{
	char path[128];
	unsigned int i;

	for (i = 0; i < nr_thp; i++) {
		thp_path(path, sizeof(path), thp_kb[i], "enabled");
		if (thp_old[i][0])
			file_write(path, thp_old[i]);
	}
}

/* Folios of @kb kB faulted in so far (anon_fault_alloc), or 0 for 4K. */
static long long thp_faults(unsigned int kb)
{
	char path[128];

	if (kb == 4)
		return 0;
	thp_path(path, sizeof(path), kb, "stats/anon_fault_alloc");
	return file_number(path);
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

/* What the mm_migrate_copy_batch events of one run add up to. */
struct copy_step {
	unsigned long long bytes, ns, folios, copied, batches;
};

static int trace_sum(struct copy_step *cs)
{
	FILE *f = batch_trace_open();
	struct batch_event e;
	char line[512];
	int rc = 0;

	memset(cs, 0, sizeof(*cs));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (batch_trace_lost(line)) {
			fprintf(stderr, "the trace lost events: %s", line);
			rc = -1;
		}
		if (line[0] == '#' || !strstr(line, "mm_migrate_copy_batch:"))
			continue;
		if (!batch_event_parse(line, &e)) {
			fprintf(stderr, "bad event: %s", line);
			rc = -1;
			continue;
		}
		cs->bytes += e.bytes;
		cs->ns += e.duration_ns;
		cs->folios += e.nr_folios;
		cs->copied += strcmp(e.copier, "cpu") ? e.nr_copied : 0;
		cs->batches++;
	}
	fclose(f);
	return rc;
}

/*
 * Move @len bytes of @folio sized folios to node 1 once: GB/s, or < 0.
 * *@pct gets the share of the region backed by @folio sized folios.
 */
static double one_run(size_t folio, size_t len, uint64_t seed, double *pct)
{
	size_t nr = len / folio, i;
	void **pages = calloc(nr, sizeof(*pages));
	int *nodes = calloc(nr, sizeof(*nodes));
	int *status = calloc(nr, sizeof(*status));
	double t0, t1, gbps = -1;
	long long faults;
	char *map, *buf;
	long ret;

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
	if (madvise(buf, len, folio > 4096 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		perror("madvise");
		goto unmap;
	}
	if (mbind_node(buf, len, 0)) {
		perror("mbind");
		goto unmap;
	}
	faults = thp_faults(folio >> 10);
	memset(buf, 0, len);
	fill((uint64_t *)buf, len, seed);
	*pct = folio == 4096 ? 100 :
		100.0 * (thp_faults(folio >> 10) - faults) * folio / len;
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

/* Parse -c into @cfg: at most MAX_CONFIGS entries. */
static int parse_configs(char *arg, struct config *cfg)
{
	static const struct { const char *name; enum copier c; } kinds[] = {
		{ "stock", STOCK }, { "batch", BATCH }, { "dcbm", DCBM_ENTRY },
		{ "dcbm_sg", DCBM_SG }, { "mtcopy", MTCOPY_N },
	};
	char *tok, *colon, *end, *at, *slash, bad[64];
	unsigned int k;
	int n = 0;

	for (tok = strtok(arg, ","); tok; tok = strtok(NULL, ",")) {
		snprintf(bad, sizeof(bad), "%s", tok);
		if (n == MAX_CONFIGS || strlen(tok) >= sizeof(cfg->name))
			goto bad;
		snprintf(cfg[n].name, sizeof(cfg[n].name), "%s", tok);
		colon = strchr(tok, ':');
		if (colon)
			*colon = '\0';
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strcmp(tok, kinds[k].name))
				break;
		if (k == sizeof(kinds) / sizeof(kinds[0]))
			goto bad;
		cfg[n].copier = kinds[k].c;
		cfg[n].n = 0;
		cfg[n].batch = 0;
		cfg[n].share = 0;
		if ((kinds[k].c >= DCBM_ENTRY) != !!colon)
			goto bad;
		if (colon) {
			slash = strchr(colon + 1, '/');
			at = strchr(colon + 1, '@');
			if (slash) {
				cfg[n].share = parse_size(slash + 1);
				if (!cfg[n].share)
					goto bad;
				*slash = '\0';
			}
			if (at) {
				cfg[n].batch = parse_size(at + 1);
				if (!cfg[n].batch)
					goto bad;
				*at = '\0';
			}
			errno = 0;
			cfg[n].n = strtol(colon + 1, &end, 10);
			if (errno || *end || cfg[n].n < 1 || cfg[n].n > 16)
				goto bad;
		}
		n++;
	}
	return n;
bad:
	fprintf(stderr, "bad value for -c: '%s' (stock, batch, dcbm:N, dcbm_sg:N, mtcopy:N with N 1..16, then optionally @BATCH and /SHARE sizes; at most %d)\n",
		bad, MAX_CONFIGS);
	exit(2);
}

static int param(const char *dir, const char *name, const char *val)
{
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "%s%s", dir, name);
	rc = file_write(path, val);
	if (rc)
		fprintf(stderr, "%s=%s: %s\n", path, val, strerror(-rc));
	return rc;
}

/* Make migration copy the way @c says: 0 or -1. */
static int apply(struct config *c)
{
	char (*def)[32] = c->copier == MTCOPY_N ? mtcopy0 : dcbm0;
	char n[16], batch[64], share[64];

	snprintf(n, sizeof(n), "%ld", c->n);
	snprintf(batch, sizeof(batch), "%lu", c->batch);
	snprintf(share, sizeof(share), "%lu", c->share);
	if (!c->batch)
		snprintf(batch, sizeof(batch), "%s", def[0]);
	if (!c->share && def_share)
		snprintf(share, sizeof(share), "%lu", def_share);
	else if (!c->share)
		snprintf(share, sizeof(share), "%s", def[1]);
	c->eff_batch = strtoul(batch, NULL, 10);
	c->eff_share = strtoul(share, NULL, 10);
	/* Only one migrator can be registered: stop both first. */
	if ((!access(DCBM "offloading", W_OK) &&
	     param(DCBM, "offloading", "0")) ||
	    (!access(MTCOPY "offloading", W_OK) &&
	     param(MTCOPY, "offloading", "0")))
		return -1;
	/*
	 * batch: the step for every batch (2); the default (1) runs it only
	 * for the batches a migrator takes.
	 */
	if (file_write(BATCH_SYSCTL, c->copier == STOCK ? "0" :
				     c->copier == BATCH ? "2" : "1")) {
		fprintf(stderr, "cannot write %s\n", BATCH_SYSCTL);
		return -1;
	}
	switch (c->copier) {
	case STOCK:
	case BATCH:
		return 0;
	/* Every batch offloaded, whatever the defaults leave to the CPU. */
	case DCBM_ENTRY:
	case DCBM_SG:
		return param(DCBM, "min_batch_bytes", "0") ||
		       param(DCBM, "reason_mask", "all") ||
		       param(DCBM, "nr_dma_chan", n) ||
		       param(DCBM, "use_sg", c->copier == DCBM_SG ? "on" : "off") ||
		       param(DCBM, "batch_bytes", batch) ||
		       param(DCBM, "min_share_bytes", share) ||
		       param(DCBM, "offloading", "1") ? -1 : 0;
	case MTCOPY_N:
		return param(MTCOPY, "min_batch_bytes", "0") ||
		       param(MTCOPY, "reason_mask", "all") ||
		       param(MTCOPY, "nr_threads", n) ||
		       param(MTCOPY, "batch_bytes", batch) ||
		       param(MTCOPY, "min_share_bytes", share) ||
		       param(MTCOPY, "offloading", "1") ? -1 : 0;
	}
	return -1;
}

static const char *prefix = "";

static void print_stats(const char *table, const char *folio, const char *copy,
			int mb, int runs, const double *v)
{
	struct stats s = stats_of(v, runs);

	printf("%s%s%s folio=%s copy=%s mb=%d runs=%d gbps_mean=%.3f gbps_sd=%.3f gbps_min=%.3f gbps_max=%.3f",
	       prefix, *prefix ? "_" : "", table, folio, copy, mb, runs,
	       s.mean, s.sd, s.min, s.max);
}

int main(int argc, char **argv)
{
	static const struct { const char *arg, *name; size_t size; } sizes[] = {
		{ "4k", "4K", 4096 }, { "64k", "64K", 64 << 10 },
		{ "1m", "1M", 1 << 20 }, { "2m", "2M", SZ_2M },
	};
	static double gbps[MAX_CONFIGS][MAX_RUNS], copy[MAX_CONFIGS][MAX_RUNS];
	static struct config cfg[MAX_CONFIGS];
	unsigned long long batches[MAX_CONFIGS] = { 0 };
	unsigned long long folios[MAX_CONFIGS] = { 0 };
	unsigned long long offloaded[MAX_CONFIGS] = { 0 };
	unsigned long long bytes[MAX_CONFIGS] = { 0 }, ns[MAX_CONFIGS] = { 0 };
	int mb = 256, runs = 5, ncfg = 0, r, c, opt, rc = 1, progress = 0;
	const char *fname = "4K";
	char old[16] = "";
	size_t folio = 4096, len;
	double pct = 0, v;
	struct copy_step cs;
	unsigned int k;

	while ((opt = getopt(argc, argv, "f:m:r:c:S:t:p")) != -1) {
		switch (opt) {
		case 'f':
			for (k = 0; k < 4 && strcmp(optarg, sizes[k].arg); k++)
				;
			if (k == 4) {
				fprintf(stderr, "bad value for -f: '%s' (4k, 64k, 1m or 2m)\n", optarg);
				return 2;
			}
			folio = sizes[k].size;
			fname = sizes[k].name;
			break;
		case 'm': mb = parse_pos("-m", optarg, 1 << 16); break;
		case 'r': runs = parse_pos("-r", optarg, MAX_RUNS); break;
		case 'c': ncfg = parse_configs(optarg, cfg); break;
		case 't': prefix = optarg; break;
		case 'S':
			def_share = parse_size(optarg);
			if (!def_share) {
				fprintf(stderr, "bad value for -S: '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p': progress = 1; break;
		default:
			fprintf(stderr, "usage: move_pages_bench [-f 4k|64k|1m|2m] [-m MB] [-r RUNS] [-c CONFIG,...] [-S SIZE] [-t PREFIX] [-p]\n");
			return 2;
		}
	}
	len = (size_t)mb << 20;
	len -= len % SZ_2M;
	if (!len) {
		fprintf(stderr, "-m must be at least 2\n");
		return 2;
	}
	if (ncfg && file_read(BATCH_SYSCTL, old, sizeof(old))) {
		fprintf(stderr, "-c needs %s (CONFIG_MIGRATION_COPY_OFFLOAD)\n",
			BATCH_SYSCTL);
		return 1;
	}
	if (!ncfg) {
		snprintf(cfg[0].name, sizeof(cfg[0].name), "default");
		ncfg = 1;
	}
	sizes_keep(DCBM, dcbm0, true);
	sizes_keep(MTCOPY, mtcopy0, true);
	rc = batch_trace_mount();
	if (rc) {
		fprintf(stderr, "mount tracefs: %s\n", strerror(-rc));
		return 1;
	}
	rc = 1;
	if (thp_select(folio >> 10) || file_write(BATCH_TRACE_EVENT, "1")) {
		fprintf(stderr, "cannot set up THP sizes or %s\n",
			BATCH_TRACE_EVENT);
		goto restore;
	}

	for (r = -1; r < runs; r++) {	/* run -1 is the warm-up */
		for (c = 0; c < ncfg; c++) {
			if (r < 0 && c)
				break;
			if (strcmp(cfg[c].name, "default") && apply(&cfg[c]))
				goto restore;
			if (batch_trace_start()) {
				fprintf(stderr, "cannot clear %s/trace\n",
					BATCH_TRACEFS);
				goto restore;
			}
			v = one_run(folio, len, r + 2, &pct);
			if (v < 0 || trace_sum(&cs))
				goto restore;
			if (r < 0)
				continue;
			gbps[c][r] = v;
			copy[c][r] = cs.ns ? cs.bytes / (cs.ns / 1e9) / 1e9 : 0;
			batches[c] += cs.batches;
			folios[c] += cs.folios;
			offloaded[c] += cs.copied;
			bytes[c] += cs.bytes;
			ns[c] += cs.ns;
		}
		if (progress && r >= 0) {
			printf("@@vmtest progress   %s folios, round %d/%d, GB/s:",
			       fname, r + 1, runs);
			for (c = 0; c < ncfg; c++)
				printf(" %s %.2f", cfg[c].name, gbps[c][r]);
			printf("\n");
			fflush(stdout);
		}
	}
	rc = 0;
	for (c = 0; c < ncfg; c++) {
		print_stats("move_pages", fname, cfg[c].name, mb, runs, gbps[c]);
		printf(" folio_pct=%.0f\n", pct);
		if (!batches[c])
			continue;
		print_stats("batch_copy", fname, cfg[c].name, mb, runs, copy[c]);
		printf(" batches=%llu offloaded_pct=%.1f batch=%lu share=%lu batch_bytes_mean=%.0f batch_us_mean=%.1f\n",
		       batches[c] / runs, 100.0 * offloaded[c] / folios[c],
		       cfg[c].eff_batch, cfg[c].eff_share,
		       (double)bytes[c] / batches[c],
		       ns[c] / 1e3 / batches[c]);
	}
restore:
	batch_trace_stop();
	if (*old) {
		if (!access(DCBM "offloading", W_OK))
			file_write(DCBM "offloading", "0");
		if (!access(MTCOPY "offloading", W_OK))
			file_write(MTCOPY "offloading", "0");
		sizes_keep(DCBM, dcbm0, false);
		sizes_keep(MTCOPY, mtcopy0, false);
		file_write(BATCH_SYSCTL, old);
	}
	thp_restore();
	return rc;
}
