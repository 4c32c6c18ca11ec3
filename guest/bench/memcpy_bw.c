// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy_bw: the VM's memory copy bandwidth, node 0 to node 1.
 *
 *   memcpy_bw [-t THREADS] [-m MB_PER_THREAD] [-r RUNS]
 *
 * Each thread is pinned to its own CPU and copies its own source buffer
 * (bound to node 0) to its own destination buffer (bound to node 1), the
 * direction of a migration.  A run is timed from a common start barrier to
 * the last thread's end; the result is total bytes over wall time.  This
 * is the ceiling that every migration copy figure is compared with.
 *
 * Output, one line:
 *   memcpy threads=T mb=M runs=R gbps_mean=.. gbps_sd=.. gbps_min=.. gbps_max=..
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
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
static int nr_runs;

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
	while ((opt = getopt(argc, argv, "t:m:r:")) != -1) {
		switch (opt) {
		case 't': threads = parse_pos("-t", optarg, MAX_THREADS); break;
		case 'm': mb = parse_pos("-m", optarg, 1 << 16); break;
		case 'r': nr_runs = parse_pos("-r", optarg, MAX_RUNS); break;
		default:
			fprintf(stderr, "usage: memcpy_bw [-t THREADS] [-m MB] [-r RUNS]\n");
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
	printf("memcpy threads=%d mb=%d runs=%d gbps_mean=%.3f gbps_sd=%.3f gbps_min=%.3f gbps_max=%.3f\n",
	       threads, mb, nr_runs, s.mean, s.sd, s.min, s.max);
	return 0;
}
