/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The migrate:mm_migrate_copy_batch tracepoint, read back from tracefs:
 * one event per batch copy step, with the migration reason, the copier
 * ("cpu" or a migrator's name), folios, bytes, folios copied and result.
 * Or summed in the kernel by a histogram trigger on it (batch_hist_*()),
 * for runs with more events than the trace buffer holds: no buffer, no
 * event lost, nothing to parse but the sums.
 */
#ifndef BATCH_TRACE_H
#define BATCH_TRACE_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "vmtest.h"

#define BATCH_TRACEFS	"/sys/kernel/tracing"
#define BATCH_TRACE_EVENT \
	BATCH_TRACEFS "/events/migrate/mm_migrate_copy_batch/enable"

/* One mm_migrate_copy_batch event, as printed in the trace */
struct batch_event {
	char task[32];		/* the migrating task's comm */
	char reason[32], copier[32];
	unsigned int nr_folios, nr_copied;
	unsigned long bytes;
	int result;
	unsigned long long duration_ns;	/* of the copy step */
};

/* Parse one line of the trace: false if it is not a batch event. */
static inline bool batch_event_parse(const char *line, struct batch_event *e)
{
	const char *p = strstr(line, "mm_migrate_copy_batch: ");
	const char *t = line + strspn(line, " ");
	size_t n = strcspn(t, " ");

	if (!p)
		return false;
	/* "comm-pid [cpu] flags timestamp: event": the comm may hold '-' */
	while (n > 0 && t[n - 1] != '-')
		n--;
	n = n ? n - 1 : 0;
	if (n >= sizeof(e->task))
		n = sizeof(e->task) - 1;
	memcpy(e->task, t, n);
	e->task[n] = '\0';
	return sscanf(p, "mm_migrate_copy_batch: reason=%31s copier=%31s nr_folios=%u bytes=%lu nr_copied=%u result=%d duration_ns=%llu",
		      e->reason, e->copier, &e->nr_folios, &e->bytes,
		      &e->nr_copied, &e->result, &e->duration_ns) == 7;
}

/* A line by which the trace says it lost events (its buffer overflowed) */
static inline bool batch_trace_lost(const char *line)
{
	return !strncmp(line, "CPU:", 4) && strstr(line, "LOST");
}

/* tracefs, mounted if it is not: 0 or -errno. */
static inline int batch_trace_mount(void)
{
	if (access(BATCH_TRACEFS "/trace", F_OK) &&
	    mount("nodev", BATCH_TRACEFS, "tracefs", 0, NULL))
		return -errno;
	return 0;
}

/* Clear the trace buffer and turn the event on: 0 or -errno. */
static inline int batch_trace_start(void)
{
	int fd, rc = batch_trace_mount();

	if (rc)
		return rc;
	fd = open(BATCH_TRACEFS "/trace", O_WRONLY | O_TRUNC);	/* clears it */
	if (fd < 0)
		return -errno;
	close(fd);
	return file_write(BATCH_TRACE_EVENT, "1");
}

static inline int batch_trace_stop(void)
{
	return file_write(BATCH_TRACE_EVENT, "0");
}

/* The events in the trace buffer, for reading with batch_trace_next() */
static inline FILE *batch_trace_open(void)
{
	return fopen(BATCH_TRACEFS "/trace", "r");
}

/*
 * The next batch event of @f into @e: 1, 0 at the end, -1 for a line
 * naming the event that does not parse (copied into @bad).
 */
static inline int batch_trace_next(FILE *f, struct batch_event *e, char *bad,
				   size_t size)
{
	char line[512];

	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !strstr(line, "mm_migrate_copy_batch:"))
			continue;
		if (batch_event_parse(line, e))
			return 1;
		snprintf(bad, size, "%s", line);
		return -1;
	}
	return 0;
}

#define BATCH_TRACE_TRIGGER \
	BATCH_TRACEFS "/events/migrate/mm_migrate_copy_batch/trigger"
#define BATCH_TRACE_HIST \
	BATCH_TRACEFS "/events/migrate/mm_migrate_copy_batch/hist"
/*
 * A histogram sums at most two fields beside its hit count
 * (TRACING_MAP_VALS_MAX is 3): the folios are in /proc/vmstat anyway.
 */
#define BATCH_HIST_SPEC "hist:keys=reason:vals=bytes,duration_ns"

/* The batch events since batch_hist_start(), summed over every reason */
struct batch_hist {
	unsigned long long batches, bytes, duration_ns;
	unsigned long long dropped;	/* events the histogram had no room for */
};

/*
 * Start summing the batch events in the kernel: 0, or -errno (-ENOENT or
 * -EINVAL: a kernel without CONFIG_HIST_TRIGGERS, or one already set).
 */
static inline int batch_hist_start(void)
{
	int rc = batch_trace_mount();

	return rc ? rc : file_write(BATCH_TRACE_TRIGGER, BATCH_HIST_SPEC);
}

/* Remove the histogram (and its sums): 0 or -errno. */
static inline int batch_hist_stop(void)
{
	return file_write(BATCH_TRACE_TRIGGER, "!" BATCH_HIST_SPEC);
}

/* The value after "@key: " in @line, added to @sum; false if none. */
static inline bool batch_hist_field(const char *line, const char *key,
				    unsigned long long *sum)
{
	const char *p = strstr(line, key);
	char *end;
	unsigned long long v;

	if (!p)
		return false;
	p += strlen(key);
	v = strtoull(p, &end, 10);
	if (end == p)
		return false;
	*sum += v;
	return true;
}

/* The sums so far into @h: 0, or -errno if the histogram cannot be read. */
static inline int batch_hist_read(struct batch_hist *h)
{
	FILE *f = fopen(BATCH_TRACE_HIST, "r");
	char line[512];
	bool ok = true;

	if (!f)
		return -errno;
	memset(h, 0, sizeof(*h));
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "{ reason:", 9)) {
			ok &= batch_hist_field(line, "hitcount:", &h->batches);
			ok &= batch_hist_field(line, " bytes:", &h->bytes);
			ok &= batch_hist_field(line, "duration_ns:",
					       &h->duration_ns);
		} else if (strstr(line, "Dropped:")) {
			batch_hist_field(line, "Dropped:", &h->dropped);
		}
	}
	fclose(f);
	return ok ? 0 : -EPROTO;
}

#endif /* BATCH_TRACE_H */
