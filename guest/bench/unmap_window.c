// SPDX-License-Identifier: GPL-2.0
/*
 * unmap_window: how long each folio stays unmapped while move_pages(2)
 * migrates it, and how often the batch copy step copies a folio for
 * nothing, per setting of vm.migrate_batch_copy with no migrator.
 *
 *   unmap_window [-m MB] [-r RUNS] [-c NAME=VALUE[,NAME=VALUE...]] [-s]
 *                [-M dcbm|mtcopy|test_migrator]
 *
 * Each run maps a fresh region of 4K pages (anonymous, or with -s a
 * memfd: shmem), faults it in on node 0 and moves it to node 1 with one
 * move_pages() call, every page checked afterwards.  The kernel's own
 * migrate:set_migration_pte and migrate:remove_migration_pte events
 * (global trace clock) give, per page, the time from its unmap to its
 * remap: the time a task touching it would wait.  -c names the settings
 * of the sysctl compared, e.g. stock=0,step=1, alternating run by run.
 *
 * With -M, that migrator is registered for every reason and takes every
 * batch (dcbm on one swdma channel with DMA_MEMCPY_SG, mtcopy with one
 * thread), and a setting may end in @SIZE, the batch size it asks for
 * (batch_bytes, in bytes or with a k or m suffix), e.g. b8m=1@8m: the
 * window per folio against the batch size.  Lines are then named
 * unmap_window_batch and carry migrator= and batch=.
 *
 * With -s, a reader thread keeps read(2)ing the memfd while the pages
 * move: each read takes a page cache reference on a folio, which can make
 * its move fail with -EAGAIN after the step copied it, so the copy is
 * redone in the retry (/proc/vmstat migrate_batch_copy_wasted).
 *
 * Output, per setting (window statistics over every unmap of every page
 * of every run, a page unmapped twice by a retry counting twice;
 * step_folios and wasted from /proc/vmstat):
 *   unmap_window mem=anon|shmem copy=NAME mb=M runs=R pages=N mean_us=..
 *     sd_us=.. (of the runs' means) p50_us=.. p99_us=.. max_us=..
 *     step_folios=.. wasted=..
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "../lib/pages.h"

#define MAX_RUNS 64
#define MAX_CONFIGS 4
#define BATCH_SYSCTL "/proc/sys/vm/migrate_batch_copy"
#define TRACEFS "/sys/kernel/tracing"
#define EV "/events/migrate/"

struct config {
	char name[16];
	char value[8];
	char batch[24];		/* the migrator's batch_bytes, "" to keep */
	double mean[MAX_RUNS];
	double *win;		/* every page's window, all runs */
	unsigned long n, cap;
	long long step_folios, wasted;
};

static volatile int reader_stop;
static const char *migrator;	/* -M */
static char mig_dir[96];

static int mig_param(const char *name, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s%s", mig_dir, name);
	if (!file_write(path, val))
		return 0;
	fprintf(stderr, "cannot write %s to %s\n", val, path);
	return -1;
}

/* Register -M's migrator for every batch: 0 or -1. */
static int migrator_on(void)
{
	if (!strcmp(migrator, "dcbm") &&
	    (mig_param("nr_dma_chan", "1") || mig_param("use_sg", "on")))
		return -1;
	if (!strcmp(migrator, "mtcopy") && mig_param("nr_threads", "1"))
		return -1;
	return mig_param("min_batch_bytes", "0") ||
	       mig_param("reason_mask", "all") ||
	       mig_param("offloading", "1") ? -1 : 0;
}

static void *reader(void *arg)
{
	int fd = *(int *)arg;
	char buf[PAGES_SZ];
	off_t off = 0;

	while (!reader_stop) {
		if (pread(fd, buf, sizeof(buf), off) <= 0)
			off = 0;
		else
			off += 64 * PAGES_SZ;	/* spread over the region */
	}
	return NULL;
}

static int events(const char *on)
{
	return file_write(TRACEFS EV "set_migration_pte/enable", on) ||
	       file_write(TRACEFS EV "remove_migration_pte/enable", on);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Add the windows of the trace to @c; -1 if the trace lost events or a
 * page of the region has no complete pair.
 */
static int collect(struct config *c, unsigned long pages, int run,
		   uintptr_t base)
{
	double *set = calloc(pages, sizeof(*set)), sum = 0, t;
	bool *seen = calloc(pages, sizeof(*seen));
	char line[512], *p;
	unsigned long addr, i, done = 0, pairs = 0;
	FILE *f = fopen(TRACEFS "/trace", "r");
	int rc = -1;

	if (!f || !set || !seen)
		goto out;
	while (fgets(line, sizeof(line), f)) {
		bool is_set;

		if (strstr(line, "LOST") && line[0] != '#') {
			fprintf(stderr, "the trace lost events: %s", line);
			goto out;
		}
		p = strstr(line, "_migration_pte: addr=");
		if (!p || p - line < 4)
			continue;
		is_set = !strncmp(p - 3, "set", 3);
		if (sscanf(p, "_migration_pte: addr=%lx", &addr) != 1)
			continue;
		/* "... TIMESTAMP: set_migration_pte: ..." */
		*p = '\0';
		p = strrchr(line, ':');
		if (!p)
			continue;
		*p = '\0';
		p = strrchr(line, ' ');
		if (!p || sscanf(p, "%lf", &t) != 1)
			continue;
		if (addr < base || addr >= base + pages * PAGES_SZ)
			continue;
		i = (addr - base) / PAGES_SZ;
		if (is_set) {
			set[i] = t;
		} else if (set[i] > 0) {
			/* A page unmapped again (a retried unmap) counts twice. */
			if (c->n < c->cap)
				c->win[c->n++] = (t - set[i]) * 1e6;
			sum += (t - set[i]) * 1e6;
			set[i] = 0;
			pairs++;
			done += !seen[i];
			seen[i] = true;
		}
	}
	if (done != pages) {
		fprintf(stderr, "%s: %lu of %lu pages with an unmap and a remap\n",
			c->name, done, pages);
		goto out;
	}
	c->mean[run] = sum / pairs;
	rc = 0;
out:
	if (f)
		fclose(f);
	free(set);
	free(seen);
	return rc;
}

static int one_run(struct config *c, unsigned long pages, int run, bool shm)
{
	size_t len = pages * PAGES_SZ;
	long long f0 = file_key("/proc/vmstat", "migrate_batch_copy_folios");
	long long w0 = file_key("/proc/vmstat", "migrate_batch_copy_wasted");
	pthread_t t;
	int fd = -1, rc = -1, tfd;
	char *buf;

	if (shm) {
		fd = memfd_create("unmap_window", 0);
		if (fd < 0 || ftruncate(fd, len))
			return -1;
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (buf == MAP_FAILED || madvise(buf, len, MADV_NOHUGEPAGE) ||
		    mbind_node(buf, len, 0))
			goto out_fd;
	} else {
		buf = pages_map(pages);
		if (!buf)
			return -1;
	}
	pages_fill(buf, pages, run + 1);
	if (migrator && *c->batch && mig_param("batch_bytes", c->batch))
		goto out;
	if (file_write(BATCH_SYSCTL, c->value)) {
		fprintf(stderr, "cannot write %s to %s\n", c->value, BATCH_SYSCTL);
		goto out;
	}
	tfd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC);	/* clears it */
	if (tfd < 0)
		goto out;
	close(tfd);
	reader_stop = 0;
	if (shm && pthread_create(&t, NULL, reader, &fd))
		goto out;
	if (events("1"))
		goto out_reader;
	if (pages_move(buf, pages, 1)) {
		fprintf(stderr, "%s: move_pages left pages behind\n", c->name);
		goto out_events;
	}
	if (pages_verify(buf, pages, run + 1)) {
		fprintf(stderr, "%s: content changed\n", c->name);
		goto out_events;
	}
	rc = 0;
out_events:
	events("0");
out_reader:
	if (shm) {
		reader_stop = 1;
		pthread_join(t, NULL);
	}
	if (!rc)
		rc = collect(c, pages, run, (uintptr_t)buf);
	if (f0 >= 0)
		c->step_folios += file_key("/proc/vmstat",
					   "migrate_batch_copy_folios") - f0;
	if (w0 >= 0)
		c->wasted += file_key("/proc/vmstat",
				      "migrate_batch_copy_wasted") - w0;
	else
		c->wasted = -1;
out:
	munmap(buf, len);
out_fd:
	if (fd >= 0)
		close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	static struct config cfg[MAX_CONFIGS];
	int mb = 16, runs = 6, ncfg = 0, opt, r, c, rc = 1;
	char old[16] = "", *list = "stock=0,step=1", *s, *save = NULL, *at;
	char batch0[24] = "";
	unsigned long pages;
	bool shm = false;

	while ((opt = getopt(argc, argv, "m:r:c:sM:")) != -1) {
		switch (opt) {
		case 'm': mb = parse_pos("-m", optarg, 4096); break;
		case 'r': runs = parse_pos("-r", optarg, MAX_RUNS); break;
		case 'c': list = optarg; break;
		case 's': shm = true; break;
		case 'M': migrator = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-m MB] [-r RUNS] [-c NAME=VALUE[@BATCH],...] [-s] [-M MIGRATOR]\n",
				argv[0]);
			return 2;
		}
	}
	if (migrator && strcmp(migrator, "dcbm") && strcmp(migrator, "mtcopy") &&
	    strcmp(migrator, "test_migrator")) {
		fprintf(stderr, "bad value for -M: '%s' (dcbm, mtcopy or test_migrator)\n",
			migrator);
		return 2;
	}
	if (mb < 0 || runs < 0)
		return 2;
	pages = (unsigned long)mb << 20 >> 12;
	for (s = strtok_r(list, ",", &save); s && ncfg < MAX_CONFIGS;
	     s = strtok_r(NULL, ",", &save), ncfg++) {
		at = strchr(s, '@');
		if (at) {
			unsigned long b = parse_size(at + 1);

			*at = '\0';
			if (!migrator || !b) {
				fprintf(stderr, "bad batch size '%s' (bytes, or with k or m; needs -M)\n",
					at + 1);
				return 2;
			}
			snprintf(cfg[ncfg].batch, sizeof(cfg[ncfg].batch), "%lu", b);
		}
		if (sscanf(s, "%15[^=]=%7s", cfg[ncfg].name, cfg[ncfg].value) != 2) {
			fprintf(stderr, "bad setting '%s' (NAME=VALUE)\n", s);
			return 2;
		}
		/* Room for pages unmapped twice (retries) too. */
		cfg[ncfg].cap = 2 * pages * runs;
		cfg[ncfg].win = calloc(cfg[ncfg].cap, sizeof(double));
		if (!cfg[ncfg].win)
			return 1;
	}
	if (!pages_two_nodes()) {
		fprintf(stderr, "needs NUMA nodes 0 and 1 with memory\n");
		return 1;
	}
	if (access(TRACEFS "/trace", F_OK) &&
	    mount("nodev", TRACEFS, "tracefs", 0, NULL)) {
		perror("mount tracefs");
		return 1;
	}
	if (file_read(BATCH_SYSCTL, old, sizeof(old)) ||
	    file_write(TRACEFS "/trace_clock", "global") ||
	    file_write(TRACEFS "/buffer_size_kb", "16384")) {
		fprintf(stderr, "cannot set up %s or the trace\n", BATCH_SYSCTL);
		return 1;
	}
	if (migrator) {
		char path[160];

		snprintf(mig_dir, sizeof(mig_dir), "/sys/module/%s/parameters/",
			 migrator);
		snprintf(path, sizeof(path), "%sbatch_bytes", mig_dir);
		if (file_read(path, batch0, sizeof(batch0)) || migrator_on())
			goto out;
	}
	for (r = 0; r < runs; r++)
		for (c = 0; c < ncfg; c++)
			if (one_run(&cfg[c], pages, r, shm))
				goto out;
	for (c = 0; c < ncfg; c++) {
		struct stats st = stats_of(cfg[c].mean, runs);
		unsigned long n = cfg[c].n;

		qsort(cfg[c].win, n, sizeof(double), cmp_double);
		printf("unmap_window%s mem=%s copy=%s mb=%d runs=%d pages=%lu mean_us=%.1f sd_us=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f step_folios=%lld wasted=%lld",
		       migrator ? "_batch" : "", shm ? "shmem" : "anon",
		       cfg[c].name, mb, runs, n, st.mean,
		       st.sd, cfg[c].win[n / 2], cfg[c].win[n * 99 / 100],
		       cfg[c].win[n - 1], cfg[c].step_folios, cfg[c].wasted);
		if (migrator)
			printf(" migrator=%s batch=%s", migrator,
			       *cfg[c].batch ? cfg[c].batch : batch0);
		printf("\n");
	}
	rc = 0;
out:
	if (migrator) {
		mig_param("offloading", "0");
		if (*batch0)
			mig_param("batch_bytes", batch0);
	}
	file_write(BATCH_SYSCTL, old);
	file_write(TRACEFS "/buffer_size_kb", "1408");
	file_write(TRACEFS "/trace_clock", "local");
	return rc;
}
