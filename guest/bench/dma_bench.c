// SPDX-License-Identifier: GPL-2.0
/*
 * dma_bench: drive the dma_copy_bench module (CONFIG_DMA_COPY_BENCH) for
 * one cell of the setup-cost table and print its statistics.
 *
 *   dma_bench [-c CHANNELS] [-f 4k|2m] [-s SGE] [-m MB] [-r RUNS] [-K]
 *
 * Each run copies MB per channel from node 0 to node 1 in batches of SGE
 * entries of one folio each, once with one dmaengine_prep_dma_memcpy() per
 * entry (prep_memcpy) and once with one dmaengine_prep_dma_memcpy_sg() per
 * batch (prep_memcpy_sg); the two modes alternate run by run so that both
 * see the same conditions, after one untimed warm-up run of each.  The module verifies every copy; a run that
 * fails or moves fewer bytes than asked fails the program.
 *
 * -K measures the kernel's CPU copy instead (cpu_memcpy: CHANNELS kernel
 * threads copying page by page like migration's CPU copy, no DMA), the
 * ceiling the migrators' copies are compared with:
 *   memcpy method=kernel threads=C mb=MB runs=R gbps_mean=.. gbps_sd=.. gbps_min=.. gbps_max=..
 *
 * Output, one line per mode, times in ms (the phases are thread time
 * summed over the channels, run is wall time):
 *   dma_copy mode=M chan=C folio=F sge=S mb=MB runs=R run_ms_mean=.. run_ms_sd=..
 *            prep_ms_mean=.. .. wait_ms_sd=.. prep_calls=N
 */
#include "../lib/vmtest.h"

#define DIR "/sys/kernel/debug/dma_copy_bench/"
#define MAX_RUNS 1000
#define NR_MODES 2
#define NR_VALS 5	/* run, prep, submit, issue, wait */

static const char * const modes[NR_MODES] = { "prep_memcpy", "prep_memcpy_sg" };
static const char * const vals[NR_VALS] = { "run", "prep", "submit", "issue", "wait" };
static const char * const keys[NR_VALS] = { "wall_ns", "prep_ns", "submit_ns", "issue_ns", "wait_ns" };

static int set(const char *knob, long val)
{
	char path[128], buf[32];
	int rc;

	snprintf(path, sizeof(path), DIR "%s", knob);
	snprintf(buf, sizeof(buf), "%ld", val);
	rc = file_write(path, buf);
	if (rc)
		fprintf(stderr, "dma_bench: %s=%ld: %s\n", knob, val, strerror(-rc));
	return rc;
}

int main(int argc, char **argv)
{
	static double v[NR_MODES][NR_VALS][MAX_RUNS];
	long long calls[NR_MODES] = { -1, -1 }, c, bytes;
	long chans = 1, folio_kb = 4, sge = 512, mb = 64, runs = 5;
	int r, m, i, rc, opt, cpu = 0;
	static double gbps[MAX_RUNS];
	struct stats s;

	while ((opt = getopt(argc, argv, "c:f:s:m:r:K")) != -1) {
		switch (opt) {
		case 'c': chans = parse_pos("-c", optarg, 32); break;
		case 'f':
			if (!strcmp(optarg, "4k")) {
				folio_kb = 4;
			} else if (!strcmp(optarg, "2m")) {
				folio_kb = 2048;
			} else {
				fprintf(stderr, "bad value for -f: '%s' (4k or 2m)\n", optarg);
				return 2;
			}
			break;
		case 's': sge = parse_pos("-s", optarg, 4096); break;
		case 'm': mb = parse_pos("-m", optarg, 65536); break;
		case 'r': runs = parse_pos("-r", optarg, MAX_RUNS); break;
		case 'K': cpu = 1; break;
		default:
			fprintf(stderr, "usage: dma_bench [-c CHANNELS] [-f 4k|2m] [-s SGE] [-m MB] [-r RUNS] [-K]\n");
			return 2;
		}
	}
	if (access(DIR "run", W_OK)) {
		fprintf(stderr, "dma_bench: %s: %s (is dma_copy_bench loaded?)\n",
			DIR "run", strerror(errno));
		return 1;
	}
	if (set("channels", chans) || set("folio_kb", folio_kb) ||
	    set("sge", sge) || set("total_mb", mb) || set("verify", 1) ||
	    set("src_node", 0) || set("dst_node", 1))
		return 1;

	if (cpu) {
		if (file_write(DIR "mode", "cpu_memcpy"))
			return 1;
		for (r = -1; r < runs; r++) {	/* run -1 warms up */
			rc = file_write(DIR "run", "1");
			bytes = file_key(DIR "result", "bytes");
			if (rc || bytes != (long long)mb * chans << 20) {
				fprintf(stderr, "dma_bench: cpu_memcpy, run %d: %s, %lld bytes\n",
					r, strerror(-rc), bytes);
				return 1;
			}
			if (r >= 0)
				gbps[r] = bytes / (file_key(DIR "result", "wall_ns") / 1e9) / 1e9;
		}
		s = stats_of(gbps, runs);
		printf("memcpy method=kernel threads=%ld mb=%ld runs=%ld gbps_mean=%.3f gbps_sd=%.3f gbps_min=%.3f gbps_max=%.3f\n",
		       chans, mb, runs, s.mean, s.sd, s.min, s.max);
		return 0;
	}

	for (r = -1; r < runs; r++) {	/* run -1 warms up */
		for (m = 0; m < NR_MODES; m++) {
			rc = file_write(DIR "mode", modes[m]);
			if (!rc)
				rc = file_write(DIR "run", "1");
			if (rc) {
				fprintf(stderr, "dma_bench: %s, %ld channel(s), run %d: %s (details in dmesg)\n",
					modes[m], chans, r, strerror(-rc));
				return 1;
			}
			if (r < 0)
				continue;
			bytes = file_key(DIR "result", "bytes");
			if (bytes != (long long)mb * chans << 20) {
				fprintf(stderr, "dma_bench: %s: copied %lld bytes, expected %lld\n",
					modes[m], bytes, (long long)mb * chans << 20);
				return 1;
			}
			for (i = 0; i < NR_VALS; i++)
				v[m][i][r] = file_key(DIR "result", keys[i]) / 1e6;
			c = file_key(DIR "result", "prep_calls");
			if (calls[m] >= 0 && c != calls[m]) {
				fprintf(stderr, "dma_bench: %s: %lld prep calls, %lld the run before\n",
					modes[m], c, calls[m]);
				return 1;
			}
			calls[m] = c;
		}
	}

	for (m = 0; m < NR_MODES; m++) {
		printf("dma_copy mode=%s chan=%ld folio=%s sge=%ld mb=%ld runs=%ld",
		       modes[m], chans, folio_kb == 4 ? "4KB" : "2MB", sge, mb,
		       runs);
		for (i = 0; i < NR_VALS; i++) {
			s = stats_of(v[m][i], runs);
			printf(" %s_ms_mean=%.2f %s_ms_sd=%.2f", vals[i], s.mean,
			       vals[i], s.sd);
		}
		printf(" prep_calls=%lld\n", calls[m]);
	}
	return 0;
}
