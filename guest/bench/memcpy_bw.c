// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy_bw: the VM's memory copy bandwidth, node 0 to node 1.
 *
 *   memcpy_bw [-t THREADS] [-m MB_PER_THREAD] [-r RUNS] [-w]
 *
 * Each thread is pinned to its own CPU and copies its own source buffer
 * (bound to node 0) to its own destination buffer (bound to node 1), the
 * direction of a migration.  A run is timed from a common start barrier to
 * the last thread's end; the result is total bytes over wall time.  This
 * is the ceiling that every migration copy figure is compared with.
 *
 * The copy is glibc's memcpy(), or with -w a loop of 64-bit loads and
 * stores, eight per iteration, which is how the kernel copies a page on
 * an x86 CPU without ERMS/FSRM (memcpy_orig).  The two differ a lot under
 * emulation (TCG runs vector moves slower than integer ones), so the
 * ceiling is the faster of the two.
 *
 * Output, one line:
 *   memcpy method=libc|words threads=T mb=M runs=R gbps_mean=.. gbps_sd=.. gbps_min=.. gbps_max=..
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>

#include "../lib/vmtest.h"

#define MAX_THREADS 64
#define MAX_RUNS 1000

struct worker {
	pthread_t tid;
	int cpu;
	size_t len;
	char *src, *dst;
};

static pthread_barrier_t start_barrier, end_barrier;
static int nr_runs, words;

/* Not vectorised, not turned back into a memcpy() call by the compiler. */
__attribute__((optimize("no-tree-vectorize", "no-tree-loop-distribute-patterns")))
static void copy_words(void *dst, const void *src, size_t len)
{
	uint64_t *d = dst;
	const uint64_t *s = src;
	size_t i, n = len / 8;

	for (i = 0; i + 8 <= n; i += 8) {
		d[i] = s[i];
		d[i + 1] = s[i + 1];
		d[i + 2] = s[i + 2];
		d[i + 3] = s[i + 3];
		d[i + 4] = s[i + 4];
		d[i + 5] = s[i + 5];
		d[i + 6] = s[i + 6];
		d[i + 7] = s[i + 7];
	}
}

static void *copy_worker(void *arg)
{
	struct worker *w = arg;
	cpu_set_t set;
	int r;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (r = 0; r < nr_runs; r++) {
		pthread_barrier_wait(&start_barrier);
		if (words)
			copy_words(w->dst, w->src, w->len);
		else
			memcpy(w->dst, w->src, w->len);
		pthread_barrier_wait(&end_barrier);
	}
	return NULL;
}

static char *alloc_on(size_t len, int node)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	if (mbind_node(p, len, node)) {
		perror("mbind");
		exit(1);
	}
	memset(p, 0x5a, len);	/* fault in before timing */
	return p;
}

int main(int argc, char **argv)
{
	int threads = 1, mb = 256, ncpu, i, r, opt;
	struct worker w[MAX_THREADS];
	double gbps[MAX_RUNS];
	struct stats s;

	nr_runs = 5;
	while ((opt = getopt(argc, argv, "t:m:r:w")) != -1) {
		switch (opt) {
		case 't': threads = parse_pos("-t", optarg, MAX_THREADS); break;
		case 'm': mb = parse_pos("-m", optarg, 1 << 16); break;
		case 'r': nr_runs = parse_pos("-r", optarg, MAX_RUNS); break;
		case 'w': words = 1; break;
		default:
			fprintf(stderr, "usage: memcpy_bw [-t THREADS] [-m MB] [-r RUNS] [-w]\n");
			return 2;
		}
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (pthread_barrier_init(&start_barrier, NULL, threads + 1) ||
	    pthread_barrier_init(&end_barrier, NULL, threads + 1))
		return 1;
	for (i = 0; i < threads; i++) {
		w[i].cpu = i % ncpu;
		w[i].len = (size_t)mb << 20;
		w[i].src = alloc_on(w[i].len, 0);
		w[i].dst = alloc_on(w[i].len, 1);
		if (pthread_create(&w[i].tid, NULL, copy_worker, &w[i])) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	}
	for (r = 0; r < nr_runs; r++) {
		double t0, t1;

		pthread_barrier_wait(&start_barrier);
		t0 = now_sec();
		pthread_barrier_wait(&end_barrier);
		t1 = now_sec();
		gbps[r] = (double)threads * ((size_t)mb << 20) / (t1 - t0) / 1e9;
	}
	for (i = 0; i < threads; i++)
		pthread_join(w[i].tid, NULL);
	s = stats_of(gbps, nr_runs);
	printf("memcpy method=%s threads=%d mb=%d runs=%d gbps_mean=%.3f gbps_sd=%.3f gbps_min=%.3f gbps_max=%.3f\n",
	       words ? "words" : "libc", threads, mb, nr_runs, s.mean, s.sd, s.min, s.max);
	return 0;
}
