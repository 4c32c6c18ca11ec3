/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving the kernel's dmatest module from a kselftest harness program:
 * set its parameters, start a run, wait for it, and tally the "summary"
 * line every thread prints, per channel, from the kernel log.  Used by
 * dmatest_swdma (the software engine) and zdma_dmatest (the ZynqMP DMA
 * channels of the arm64 VM).  Include after kselftest_harness.h and
 * vmtest.h.
 */
#ifndef VMTEST_DMATEST_H
#define VMTEST_DMATEST_H

#include <pthread.h>

#define DMATEST_PARAM	"/sys/module/dmatest/parameters"
#define DMATEST_MAX_CHANS	64
#define DMATEST_MEMCPY	0
#define DMATEST_MEMCPY_SG	2

struct chan_result {
	char name[32];
	unsigned long long descs, bytes, errors;	/* the engine's counters */
	unsigned long tests, failures, threads;		/* dmatest summaries */
};

/* What one dmatest run is asked to do. */
struct dmatest_job {
	unsigned int mode;		/* DMATEST_MEMCPY or DMATEST_MEMCPY_SG */
	bool polled, noverify;
	bool norandom;			/* whole buffers, equal entry counts */
	unsigned long iterations;
	unsigned int threads;		/* per channel */
	unsigned int sg_entries;	/* memcpy_sg: at most per side; 0: default */
	const char *device;		/* "": every device */
	const char *channel;		/* "": every channel of the device(s) */
};

static inline int dmatest_write_ul(const char *dir, const char *name,
				   unsigned long val)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(buf, sizeof(buf), "%lu\n", val);
	return file_write(path, buf);
}

static inline int dmatest_find_chan(struct chan_result *chan, int n,
				    const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(chan[i].name, name))
			return i;
	return -1;
}

#define DMATEST_END_MARK	"vmtest dmatest: end of run"

struct dmatest_kmsg_reader {
	int fd;
	struct chan_result *chan;
	int n;
	unsigned long lost;	/* records overwritten before being read */
	unsigned long unknown;	/* summaries of channels not in chan[] */
};

/*
 * Collect "dmatest: <chan>-<op><thread>: summary N tests, M failures" from
 * the kernel log while the run goes on (a failing run logs more than the
 * log buffer holds), until the end mark written after the run.
 */
static inline void *dmatest_kmsg_reader_fn(void *arg)
{
	struct dmatest_kmsg_reader *r = arg;
	char rec[8192];
	ssize_t len;

	for (;;) {
		unsigned long tests, failures;
		char thread[64], *msg, *dash;
		int i;

		len = read(r->fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE) {
			r->lost++;
			continue;
		}
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break;
		rec[len] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		if (strstr(msg, DMATEST_END_MARK))
			break;
		if (sscanf(msg + 1,
			   "dmatest: %63[^:]: summary %lu tests, %lu failures",
			   thread, &tests, &failures) != 3)
			continue;
		dash = strrchr(thread, '-');
		if (!dash)
			continue;
		*dash = '\0';
		i = dmatest_find_chan(r->chan, r->n, thread);
		if (i < 0) {
			r->unknown++;
			continue;
		}
		r->chan[i].tests += tests;
		r->chan[i].failures += failures;
		r->chan[i].threads++;
	}
	return NULL;
}

static inline int dmatest_modprobe(const char *args)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "modprobe %s >/dev/console 2>&1", args);
	return system(cmd);
}

/*
 * One dmatest run as @run says; the summaries are added to the channels of
 * @chan (@n of them) they name.  Loads dmatest and unloads it after.
 */
static inline int dmatest_do(struct __test_metadata *_metadata,
			      const struct dmatest_job *run,
			      struct chan_result *chan, int n)
{
	struct dmatest_kmsg_reader r = { .chan = chan, .n = n };
	pthread_t reader;
	char buf[16];
	int ret = 0;

	if (dmatest_modprobe("dmatest"))
		return -ENOENT;
	r.fd = open("/dev/kmsg", O_RDWR);
	if (r.fd < 0)
		return -errno;
	lseek(r.fd, 0, SEEK_END);
	if (pthread_create(&reader, NULL, dmatest_kmsg_reader_fn, &r)) {
		close(r.fd);
		return -EAGAIN;
	}

	EXPECT_EQ(0, dmatest_write_ul(DMATEST_PARAM, "dmatest", run->mode));
	if (run->sg_entries)
		EXPECT_EQ(0, dmatest_write_ul(DMATEST_PARAM, "sg_entries",
					      run->sg_entries));
	EXPECT_EQ(0, dmatest_write_ul(DMATEST_PARAM, "iterations",
				      run->iterations));
	EXPECT_EQ(0, dmatest_write_ul(DMATEST_PARAM, "threads_per_chan",
				      run->threads));
	EXPECT_EQ(0, dmatest_write_ul(DMATEST_PARAM, "polled", run->polled));
	EXPECT_EQ(0, dmatest_write_ul(DMATEST_PARAM, "noverify",
				      run->noverify));
	EXPECT_EQ(0, dmatest_write_ul(DMATEST_PARAM, "norandom",
				      run->norandom));
	EXPECT_EQ(0, dmatest_write_ul(DMATEST_PARAM, "timeout", 30000));
	EXPECT_EQ(0, file_write(DMATEST_PARAM "/device", run->device));
	EXPECT_EQ(0, file_write(DMATEST_PARAM "/channel", run->channel));
	EXPECT_EQ(0, file_write(DMATEST_PARAM "/run", "1"));
	/* Reading "wait" blocks until every thread has finished. */
	EXPECT_EQ(0, file_read(DMATEST_PARAM "/wait", buf, sizeof(buf)));

	if (write(r.fd, DMATEST_END_MARK "\n", strlen(DMATEST_END_MARK) + 1) < 0)
		ret = -errno;
	pthread_join(reader, NULL);
	close(r.fd);
	EXPECT_EQ(0UL, r.lost) TH_LOG("kernel log records lost");
	EXPECT_EQ(0UL, r.unknown) TH_LOG("summaries of channels not under test");
	if (dmatest_modprobe("-r dmatest"))
		ret = -EBUSY;
	return ret;
}

#endif /* VMTEST_DMATEST_H */
