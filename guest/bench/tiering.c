// SPDX-License-Identifier: GPL-2.0
/*
 * A tiering workload: a working set of 4K pages, read by threads on the
 * fast node's CPUs with a skewed pattern (a share of the reads in a hot
 * window, the rest anywhere), the hot window moving to another part of
 * the working set at set intervals: to the window-sized stretch with the
 * fewest pages on the fast node, so that every phase starts with a hot
 * set to promote.  Whatever moves the pages between
 * tiers (NUMA balancing's tiering mode, DAMON, reclaim) is the system's
 * business; this only reads, checks and reports.
 *
 *   tiering [-m MB] [-H hot%] [-p pct] [-t threads] [-i ms] [-n samples]
 *           [-P phases] [-F node] [-s node] [-B node] [-S seed] [-l k=v,...]
 *
 *   -m  working set (default 512 MB)
 *   -H  hot window, in percent of the working set (default 10)
 *   -p  share of the reads that go to the hot window (default 90)
 *   -t  reader threads (default: the fast node's CPUs)
 *   -i  sample interval (default 1000 ms)
 *   -n  samples per phase (default 20); the hot window moves between
 *   -P  phases (default 3)
 *   -F  the fast node (default 0): readers run on its CPUs, and the
 *       residency figures count pages there
 *   -s  the slow node (default 2): the working set is bound to the two
 *       (MPOL_BIND), so that what the fast node cannot hold goes to the
 *       slow tier rather than to another fast node; MPOL_F_NUMA_BALANCING
 *       lets NUMA balancing move it between them (it skips a bound
 *       mapping without)
 *   -B  bind the working set to this node alone instead, without
 *       MPOL_F_NUMA_BALANCING: the speed of one tier, nothing migrating
 *   -S  pattern seed (default 1)
 *   -l  labels for every output line (policy=nb,copy=stock: what the
 *       caller set up, which this program does not know)
 *
 * Every word read is checked against the pattern written first.  Output,
 * one line each, a table name then key=value (the labels first):
 *
 *   tiering_sample phase=K t=SECS acc_s=N hot_fast_pct=X ws_fast_pct=Y
 *   tiering_phase phase=K steady_acc_s=N reconverge_s=S hot_fast_pct=X
 *          hot_reconverge_s=S start_fast_pct=X (the new window's share on
 *          the fast node when it became hot)
 *   tiering_total accesses=N bad_words=N secs=S COUNTER=N ... (/proc/vmstat
 *          deltas of the migration counters) copy_batches=N copy_bytes=N
 *          copy_ns=N copy_dropped=N (the batch copy steps of the run, summed
 *          by a histogram trigger on mm_migrate_copy_batch; absent on a
 *          kernel without CONFIG_HIST_TRIGGERS)
 *
 * Steady state is the mean of a phase's second half; re-convergence is
 * the time from the shift to the first sample back within 10% of it
 * (accesses/s), or with HOT_SETTLED_PCT of the hot window on the fast
 * node (hot-set re-convergence; -1: not within the phase).  Exit
 * status 1 if any word read was wrong or a step failed.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../lib/batch_trace.h"
#include "../lib/pages.h"
#include "../lib/pin.h"

#define RESIDENCY_SAMPLE	2048	/* pages whose node a sample asks */
#define BATCH			1024	/* reads between counter updates */
#define MAX_SAMPLES		10000
#define HOT_SETTLED_PCT		80	/* of the hot window on the fast node */

static const char *const counters[] = {
	"numa_pte_updates", "numa_hint_faults", "pgpromote_candidate",
	"pgpromote_success", "pgdemote_kswapd", "pgdemote_direct",
	"pgscan_kswapd",
	"numa_pages_migrated", "pgmigrate_success", "migrate_offload_copied",
	"migrate_offload_fallback",
};
#define NR_COUNTERS	(sizeof(counters) / sizeof(counters[0]))

static struct {
	char *buf;
	unsigned long pages, hot_pages, hot_pct;
	uint64_t seed;
	atomic_ulong hot_start;		/* first page of the hot window */
	atomic_ullong accesses, bad;
	atomic_bool stop;
} ws;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Read one 64-byte line of a page at a time, hot window or anywhere. */
static void *reader(void *arg)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL * ((uintptr_t)arg + 1);
	const volatile uint64_t *p = (const volatile uint64_t *)ws.buf;
	unsigned long i, pg, w, k;
	uint64_t r, bad = 0;

	while (!atomic_load_explicit(&ws.stop, memory_order_relaxed)) {
		unsigned long h0 = atomic_load_explicit(&ws.hot_start,
							memory_order_relaxed);

		for (i = 0; i < BATCH; i++) {
			r = xorshift(&s);
			if (r % 100 < ws.hot_pct)
				pg = (h0 + (r >> 8) % ws.hot_pages) % ws.pages;
			else
				pg = (r >> 8) % ws.pages;
			w = (r >> 40) % (PAGES_WORDS / 8) * 8;
			for (k = w; k < w + 8; k++)
				bad += p[pg * PAGES_WORDS + k] !=
				       pages_pattern(ws.seed, pg, k);
		}
		atomic_fetch_add_explicit(&ws.accesses, BATCH,
					  memory_order_relaxed);
	}
	atomic_fetch_add(&ws.bad, bad);
	return NULL;
}

/*
 * Percent of @count pages from @first (RESIDENCY_SAMPLE of them, evenly
 * spaced, if more) on @node; -1 if move_pages(2) fails.
 */
static double residency(unsigned long first, unsigned long count, int node)
{
	unsigned long n = count < RESIDENCY_SAMPLE ? count : RESIDENCY_SAMPLE;
	static void *addr[RESIDENCY_SAMPLE];
	static int status[RESIDENCY_SAMPLE];
	unsigned long i, on = 0;

	for (i = 0; i < n; i++)
		addr[i] = ws.buf + ((first + i * count / n) % ws.pages) * PAGES_SZ;
	if (move_pages_(0, n, addr, NULL, status, 0))
		return -1;
	for (i = 0; i < n; i++)
		on += status[i] == node;
	return 100.0 * on / n;
}

/*
 * The first page of the next hot window: of the window-sized stretches
 * after @prev (every one, @prev's included, if @first), the one with the
 * fewest pages on @node, the earliest of equals; its share there into
 * @pct.
 */
static unsigned long next_window(unsigned long prev, bool first, int node,
				 double *pct)
{
	unsigned long n = ws.pages / ws.hot_pages, k, start, best = prev;
	double r;

	*pct = 101;
	for (k = first ? 0 : 1; k < n; k++) {
		start = (prev + k * ws.hot_pages) % ws.pages;
		r = residency(start, ws.hot_pages, node);
		if (r >= 0 && r < *pct) {
			*pct = r;
			best = start;
		}
	}
	return best;
}

static void vmstat_read(long long *v)
{
	unsigned int i;

	for (i = 0; i < NR_COUNTERS; i++)
		v[i] = vmstat_now(counters[i]);
}

static int usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-m MB] [-H hot%%] [-p pct] [-t threads] [-i ms] [-n samples] [-P phases] [-F node] [-s node] [-B node] [-S seed] [-l k=v,...]\n",
		prog);
	return 2;
}

/* A node number from an option, or exit with a message */
static unsigned long parse_node(const char *opt, const char *val)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || *end || end == val || v >= 64) {
		fprintf(stderr, "bad node for %s: '%s' (0..63)\n", opt, val);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long mb = 512, hot = 10, interval = 1000, nsamples = 20;
	unsigned long phases = 3, threads = 0, seed = 1, fast = 0, slow = 2;
	long only = -1;
	static double acc[MAX_SAMPLES], hotres[MAX_SAMPLES];
	static double start_pct[MAX_SAMPLES];	/* per phase */
	unsigned long hot0;
	char labels[128] = "";
	long long v0[NR_COUNTERS], v1[NR_COUNTERS];
	unsigned long long last = 0, total;
	pthread_t *tid;
	double t0, t, prev;
	unsigned long i, k, j, mask;
	struct batch_hist h;
	int opt, hist, rc = 0;

	ws.hot_pct = 90;
	while ((opt = getopt(argc, argv, "m:H:p:t:i:n:P:F:s:B:S:l:")) != -1) {
		switch (opt) {
		case 'm': mb = parse_pos("-m", optarg, 1L << 20); break;
		case 'H': hot = parse_pos("-H", optarg, 50); break;
		case 'p': ws.hot_pct = parse_pos("-p", optarg, 100); break;
		case 't': threads = parse_pos("-t", optarg, 256); break;
		case 'i': interval = parse_pos("-i", optarg, 60000); break;
		case 'n': nsamples = parse_pos("-n", optarg, MAX_SAMPLES); break;
		case 'P': phases = parse_pos("-P", optarg, MAX_SAMPLES); break;
		case 'F': fast = parse_node("-F", optarg); break;
		case 's': slow = parse_node("-s", optarg); break;
		case 'B': only = parse_node("-B", optarg); break;
		case 'S': seed = parse_pos("-S", optarg, LONG_MAX); break;
		case 'l':
			if (strlen(optarg) >= sizeof(labels) - 1 ||
			    strchr(optarg, ' ')) {
				fprintf(stderr, "bad value for -l: '%s'\n", optarg);
				return 2;
			}
			labels[0] = ' ';
			strcpy(labels + 1, optarg);
			for (i = 1; labels[i]; i++)
				if (labels[i] == ',')
					labels[i] = ' ';
			break;
		default:
			return usage(argv[0]);
		}
	}
	if (optind != argc)
		return usage(argv[0]);
	if (nsamples * phases > MAX_SAMPLES) {
		fprintf(stderr, "-n x -P: at most %d samples\n", MAX_SAMPLES);
		return 2;
	}
	if (pin_to_node(fast)) {
		fprintf(stderr, "cannot run on node %lu's CPUs\n", fast);
		return 1;
	}
	if (!threads) {
		cpu_set_t set;

		sched_getaffinity(0, sizeof(set), &set);
		threads = CPU_COUNT(&set);
	}

	ws.pages = mb << 8;
	ws.hot_pages = ws.pages * hot / 100 ? ws.pages * hot / 100 : 1;
	ws.seed = seed;
	ws.buf = mmap(NULL, ws.pages * PAGES_SZ, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mask = only < 0 ? 1UL << fast | 1UL << slow : 1UL << only;
	if (ws.buf == MAP_FAILED ||
	    madvise(ws.buf, ws.pages * PAGES_SZ, MADV_NOHUGEPAGE) ||
	    syscall(SYS_mbind, ws.buf, ws.pages * PAGES_SZ,
		    MPOL_BIND | (only < 0 ? MPOL_F_NUMA_BALANCING : 0), &mask,
		    sizeof(mask) * 8, 0)) {
		perror("working set");
		return 1;
	}
	printf("@@vmtest progress tiering: filling %lu MB, hot window %lu%% read %lu%% of the time, %lu thread(s) on node %lu\n",
	       mb, hot, ws.hot_pct, threads, fast);
	fflush(stdout);
	pages_fill(ws.buf, ws.pages, ws.seed);

	tid = calloc(threads, sizeof(*tid));
	if (!tid)
		return 1;
	hist = batch_hist_start();
	if (hist)
		fprintf(stderr, "no histogram of the batch events (%s): no copy-step time\n",
			strerror(-hist));
	vmstat_read(v0);
	for (i = 0; i < threads; i++) {
		if (pthread_create(&tid[i], NULL, reader, (void *)i)) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	}
	t0 = prev = now();
	for (k = 0; k < phases; k++) {
		hot0 = next_window(atomic_load(&ws.hot_start), !k, fast,
				   &start_pct[k]);
		atomic_store(&ws.hot_start, hot0);
		for (j = 0; j < nsamples; j++) {
			unsigned long s = k * nsamples + j;
			unsigned long long a;

			usleep(interval * 1000);
			t = now();
			a = atomic_load(&ws.accesses);
			acc[s] = (a - last) / (t - prev);
			last = a;
			prev = t;
			hotres[s] = residency(atomic_load(&ws.hot_start),
					      ws.hot_pages, fast);
			printf("tiering_sample%s phase=%lu t=%.2f acc_s=%.0f hot_fast_pct=%.1f ws_fast_pct=%.1f\n",
			       labels, k, t - t0, acc[s], hotres[s],
			       residency(0, ws.pages, fast));
			fflush(stdout);
		}
	}
	atomic_store(&ws.stop, true);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	vmstat_read(v1);
	t = now() - t0;
	if (!hist) {
		hist = batch_hist_read(&h);
		if (hist)
			fprintf(stderr, "cannot read the histogram: %s\n",
				strerror(-hist));
		batch_hist_stop();
	}

	for (k = 0; k < phases; k++) {
		const double *a = acc + k * nsamples, *h = hotres + k * nsamples;
		double steady = 0, conv = -1, hconv = -1;
		unsigned long half = nsamples / 2;

		for (j = half; j < nsamples; j++)
			steady += a[j];
		steady /= nsamples - half;
		for (j = 0; j < nsamples && conv < 0; j++)
			if (a[j] >= 0.9 * steady && a[j] <= 1.1 * steady)
				conv = (j + 1) * interval / 1000.0;
		for (j = 0; j < nsamples && hconv < 0; j++)
			if (h[j] >= HOT_SETTLED_PCT)
				hconv = (j + 1) * interval / 1000.0;
		printf("tiering_phase%s phase=%lu steady_acc_s=%.0f reconverge_s=%.1f hot_fast_pct=%.1f hot_reconverge_s=%.1f start_fast_pct=%.1f\n",
		       labels, k, steady, conv, h[nsamples - 1], hconv,
		       start_pct[k]);
	}
	total = atomic_load(&ws.accesses);
	printf("tiering_total%s accesses=%llu bad_words=%llu secs=%.1f", labels,
	       total,
	       (unsigned long long)atomic_load(&ws.bad), t);
	for (i = 0; i < NR_COUNTERS; i++)
		printf(" %s=%lld", counters[i], v1[i] - v0[i]);
	if (!hist)
		printf(" copy_batches=%llu copy_bytes=%llu copy_ns=%llu copy_dropped=%llu",
		       h.batches, h.bytes, h.duration_ns, h.dropped);
	printf("\n");
	if (atomic_load(&ws.bad)) {
		fprintf(stderr, "%llu words read wrong\n",
			(unsigned long long)atomic_load(&ws.bad));
		rc = 1;
	}
	if (pages_verify(ws.buf, ws.pages, ws.seed)) {
		fprintf(stderr, "the working set lost its pattern\n");
		rc = 1;
	}
	munmap(ws.buf, ws.pages * PAGES_SZ);
	free(tid);
	return rc;
}
