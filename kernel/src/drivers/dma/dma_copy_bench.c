// SPDX-License-Identifier: GPL-2.0
/*
 * dma_copy_bench - what a DMA_MEMCPY client pays per phase: prep, submit,
 * issue and wait, for one descriptor per scatterlist entry (prep_memcpy)
 * against one DMA_MEMCPY_SG transaction per batch (prep_memcpy_sg), and
 * for reference what the CPUs achieve on the same folios (cpu_memcpy:
 * "channels" kernel threads copying page by page as migration's CPU copy
 * does, no DMA at all).
 *
 * Test-only.  Driven from /sys/kernel/debug/dma_copy_bench/: set the
 * parameters, write 1 to "run" (it returns when the run is over), read
 * "result".  One kthread per channel, each on a CPU of its own (the
 * source node's first), copies total_mb from folios on src_node to folios
 * on dst_node, in batches of sge entries of folio_kb each; every batch is
 * mapped before the clock starts.  The phases are
 * thread time summed over the channels; wall time runs from the start of
 * the threads to the end of the last one's copies.
 * In cpu_memcpy mode only wall time is measured.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#define BENCH_MAX_CHANS		32
#define BENCH_MAX_SGE		4096

enum bench_mode { MODE_MEMCPY, MODE_MEMCPY_SG, MODE_CPU };
static const char * const mode_names[] = {
	"prep_memcpy", "prep_memcpy_sg", "cpu_memcpy"
};

enum { PH_PREP, PH_SUBMIT, PH_ISSUE, PH_WAIT, NR_PH };

struct bench_params {
	u32 mode, channels, folio_kb, sge, total_mb, verify;
	u32 src_node, dst_node;
};

struct bench_result {
	u64 phase_ns[NR_PH];
	u64 wall_ns, prep_calls, bytes, errors;
	u32 channels;
	int status;
};

static DEFINE_MUTEX(bench_lock);	/* parameters, runs, results */
static struct bench_params params = {
	.mode = MODE_MEMCPY_SG, .channels = 1, .folio_kb = 4, .sge = 512,
	.total_mb = 64, .verify = 1, .src_node = 0, .dst_node = 1,
};

static struct bench_result result;

struct bench_run;

struct bench_thread {
	struct bench_run *run;
	unsigned int idx;
	struct dma_chan *chan;
	struct task_struct *task;
	struct completion done;		/* of one batch */
	atomic_t pending;
	bool error;
	struct page **src, **dst;	/* nr_folios each */
	unsigned int nr_folios;
	u64 phase_ns[NR_PH], prep_calls, bytes;
	ktime_t end;			/* of the copies, before the check */
	int status;
};

static void bench_callback(void *arg, const struct dmaengine_result *res)
{
	struct bench_thread *t = arg;

	if (res->result != DMA_TRANS_NOERROR)
		WRITE_ONCE(t->error, true);
	complete(&t->done);
}

struct bench_run {
	struct bench_params p;
	struct bench_thread t[BENCH_MAX_CHANS];
	struct completion go;
	atomic_t ready;
	struct completion all_ready;
	struct completion exited[BENCH_MAX_CHANS];
	bool aborted;			/* a thread failed to set up */
};

static unsigned int bench_order(const struct bench_params *p)
{
	return ilog2(p->folio_kb * SZ_1K / PAGE_SIZE);
}

static void bench_free_pages(struct bench_thread *t, unsigned int order)
{
	unsigned int i;

	for (i = 0; i < t->nr_folios; i++) {
		if (t->src && t->src[i])
			__free_pages(t->src[i], order);
		if (t->dst && t->dst[i])
			__free_pages(t->dst[i], order);
	}
	kvfree(t->src);
	kvfree(t->dst);
}

static int bench_alloc_pages(struct bench_thread *t, const struct bench_params *p)
{
	gfp_t gfp = GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN | __GFP_NORETRY;
	unsigned int order = bench_order(p), i;
	size_t bytes = (size_t)p->folio_kb * SZ_1K;

	t->nr_folios = (u64)p->total_mb * SZ_1M / bytes;
	t->src = kvcalloc(t->nr_folios, sizeof(*t->src), GFP_KERNEL);
	t->dst = kvcalloc(t->nr_folios, sizeof(*t->dst), GFP_KERNEL);
	if (!t->src || !t->dst)
		return -ENOMEM;
	for (i = 0; i < t->nr_folios; i++) {
		t->src[i] = alloc_pages_node(p->src_node, gfp, order);
		t->dst[i] = alloc_pages_node(p->dst_node, gfp, order);
		if (!t->src[i] || !t->dst[i])
			return -ENOMEM;
		memset(page_address(t->src[i]), (i * 131 + 7) & 0xff, bytes);
		memset(page_address(t->dst[i]), 0, bytes);
	}
	return 0;
}

/* Batch @b: folios [b * sge, min((b + 1) * sge, nr_folios)) */
struct bench_batch {
	struct sg_table src, dst;
	bool mapped;
};

static void bench_unmap(struct bench_thread *t, struct bench_batch *bb,
			unsigned int nr)
{
	struct device *dev = dmaengine_get_dma_device(t->chan);
	unsigned int b;

	for (b = 0; b < nr; b++) {
		if (bb[b].mapped) {
			dma_unmap_sgtable(dev, &bb[b].src, DMA_TO_DEVICE, 0);
			dma_unmap_sgtable(dev, &bb[b].dst, DMA_FROM_DEVICE, 0);
		}
		sg_free_table(&bb[b].src);
		sg_free_table(&bb[b].dst);
	}
	kvfree(bb);
}

static struct bench_batch *bench_map(struct bench_thread *t,
				     const struct bench_params *p,
				     unsigned int *nr_batches)
{
	struct device *dev = dmaengine_get_dma_device(t->chan);
	size_t bytes = (size_t)p->folio_kb * SZ_1K;
	unsigned int nr = DIV_ROUND_UP(t->nr_folios, p->sge), b, i, n;
	struct scatterlist *s, *d;
	struct bench_batch *bb;

	bb = kvcalloc(nr, sizeof(*bb), GFP_KERNEL);
	if (!bb)
		return NULL;
	for (b = 0; b < nr; b++) {
		n = min(p->sge, t->nr_folios - b * p->sge);
		if (sg_alloc_table(&bb[b].src, n, GFP_KERNEL) ||
		    sg_alloc_table(&bb[b].dst, n, GFP_KERNEL))
			goto fail;
		s = bb[b].src.sgl;
		d = bb[b].dst.sgl;
		for (i = 0; i < n; i++, s = sg_next(s), d = sg_next(d)) {
			sg_set_page(s, t->src[b * p->sge + i], bytes, 0);
			sg_set_page(d, t->dst[b * p->sge + i], bytes, 0);
		}
		if (dma_map_sgtable(dev, &bb[b].src, DMA_TO_DEVICE, 0))
			goto fail;
		if (dma_map_sgtable(dev, &bb[b].dst, DMA_FROM_DEVICE, 0)) {
			dma_unmap_sgtable(dev, &bb[b].src, DMA_TO_DEVICE, 0);
			goto fail;
		}
		bb[b].mapped = true;
		/* Entries are paired one to one below. */
		if (bb[b].src.nents != bb[b].dst.nents)
			goto fail;
	}
	*nr_batches = nr;
	return bb;
fail:
	bench_unmap(t, bb, nr);
	return NULL;
}

static u64 bench_lap(ktime_t *t0)
{
	ktime_t now = ktime_get();
	u64 ns = ktime_to_ns(ktime_sub(now, *t0));

	*t0 = now;
	return ns;
}

/* Copy one mapped batch the way @mode says; 0 or -errno. */
static int bench_batch(struct bench_thread *t, struct bench_batch *bb,
		       u32 mode, struct dma_async_tx_descriptor **txs)
{
	struct scatterlist *s = bb->src.sgl, *d = bb->dst.sgl;
	unsigned int i, n = min(bb->src.nents, bb->dst.nents), nr_tx;
	ktime_t t0 = ktime_get();
	unsigned long flags;
	size_t len;

	reinit_completion(&t->done);
	WRITE_ONCE(t->error, false);
	if (mode == MODE_MEMCPY_SG) {
		txs[0] = dmaengine_prep_dma_memcpy_sg(t->chan, bb->dst.sgl,
						      bb->dst.nents, bb->src.sgl,
						      bb->src.nents,
						      DMA_PREP_INTERRUPT |
						      DMA_CTRL_ACK);
		nr_tx = txs[0] ? 1 : 0;
		t->prep_calls++;
	} else {
		for (nr_tx = 0; nr_tx < n; nr_tx++) {
			len = min(sg_dma_len(s), sg_dma_len(d));
			/*
			 * Used once each: acked, or providers that recycle
			 * only acked descriptors run out of them.
			 */
			flags = DMA_CTRL_ACK |
				(nr_tx + 1 == n ? DMA_PREP_INTERRUPT : 0);
			txs[nr_tx] = dmaengine_prep_dma_memcpy(t->chan,
							       sg_dma_address(d),
							       sg_dma_address(s),
							       len, flags);
			t->prep_calls++;
			if (!txs[nr_tx])
				break;
			s = sg_next(s);
			d = sg_next(d);
		}
	}
	t->phase_ns[PH_PREP] += bench_lap(&t0);
	if (!nr_tx || !txs[nr_tx - 1] ||
	    (mode == MODE_MEMCPY && nr_tx < n))
		goto fail;
	txs[nr_tx - 1]->callback_result = bench_callback;
	txs[nr_tx - 1]->callback_param = t;
	for (i = 0; i < nr_tx; i++)
		if (dma_submit_error(dmaengine_submit(txs[i])))
			goto fail;
	t->phase_ns[PH_SUBMIT] += bench_lap(&t0);
	dma_async_issue_pending(t->chan);
	t->phase_ns[PH_ISSUE] += bench_lap(&t0);
	if (!wait_for_completion_timeout(&t->done, msecs_to_jiffies(30000)) ||
	    READ_ONCE(t->error))
		goto fail;
	t->phase_ns[PH_WAIT] += bench_lap(&t0);
	return 0;
fail:
	/* Unsubmitted descriptors go too. */
	dmaengine_terminate_sync(t->chan);
	return -EIO;
}

/*
 * The CPU reference: copy batch @b page by page with copy_mc_highpage(),
 * as migration's CPU copy (folio_mc_copy()) does.  A page it cannot copy
 * (machine check) fails the run.
 */
static int bench_cpu_batch(struct bench_thread *t, const struct bench_params *p,
			   unsigned int b)
{
	unsigned int i, pg, end = min(t->nr_folios, (b + 1) * p->sge);
	unsigned int nr_pages = 1U << bench_order(p);

	for (i = b * p->sge; i < end; i++) {
		for (pg = 0; pg < nr_pages; pg++)
			if (copy_mc_highpage(t->dst[i] + pg, t->src[i] + pg))
				return -EIO;
		t->bytes += (u64)nr_pages * PAGE_SIZE;
		cond_resched();
	}
	return 0;
}

static int bench_verify(struct bench_thread *t, const struct bench_params *p)
{
	size_t bytes = (size_t)p->folio_kb * SZ_1K;
	unsigned int i;

	for (i = 0; i < t->nr_folios; i++)
		if (memcmp(page_address(t->src[i]), page_address(t->dst[i]),
			   bytes)) {
			pr_err("%s: folio %u differs after the copy\n",
			       t->chan ? dma_chan_name(t->chan) : "cpu", i);
			return -EIO;
		}
	return 0;
}

static int bench_thread_fn(void *arg)
{
	struct bench_thread *t = arg;
	struct bench_run *run = t->run;
	const struct bench_params *p = &run->p;
	struct dma_async_tx_descriptor **txs = NULL;
	struct bench_batch *bb = NULL;
	unsigned int b, nr = 0;
	int rc;

	rc = bench_alloc_pages(t, p);
	if (!rc && p->mode == MODE_CPU) {
		nr = DIV_ROUND_UP(t->nr_folios, p->sge);
	} else if (!rc) {
		txs = kvcalloc(p->sge, sizeof(*txs), GFP_KERNEL);
		bb = bench_map(t, p, &nr);
		if (!txs || !bb)
			rc = -ENOMEM;
	}
	t->status = rc;
	if (atomic_dec_and_test(&run->ready))
		complete(&run->all_ready);
	wait_for_completion(&run->go);

	for (b = 0; !t->status && !READ_ONCE(run->aborted) && b < nr; b++) {
		if (p->mode == MODE_CPU) {
			t->status = bench_cpu_batch(t, p, b);
			continue;
		}
		t->status = bench_batch(t, &bb[b], p->mode, txs);
		if (!t->status)
			t->bytes += (u64)bb[b].src.orig_nents * p->folio_kb * SZ_1K;
	}
	t->end = ktime_get();
	if (!t->status && !run->aborted && p->verify)
		t->status = bench_verify(t, p);

	if (bb)
		bench_unmap(t, bb, nr);
	kvfree(txs);
	bench_free_pages(t, bench_order(p));
	kthread_complete_and_exit(&run->exited[t->idx], 0);
}

static int bench_check(const struct bench_params *p)
{
	if (p->mode > MODE_CPU || !p->channels ||
	    p->channels > BENCH_MAX_CHANS || !p->sge || p->sge > BENCH_MAX_SGE ||
	    !p->total_mb || p->total_mb > SZ_64K)
		return -EINVAL;
	if (p->folio_kb < PAGE_SIZE / SZ_1K || !is_power_of_2(p->folio_kb) ||
	    bench_order(p) > MAX_PAGE_ORDER ||
	    (u64)p->total_mb * SZ_1K < p->folio_kb)
		return -EINVAL;
	if (p->src_node >= MAX_NUMNODES || p->dst_node >= MAX_NUMNODES ||
	    !node_state(p->src_node, N_MEMORY) ||
	    !node_state(p->dst_node, N_MEMORY))
		return -EINVAL;
	return 0;
}

/*
 * The CPU for thread @i: the source node's CPUs first, one thread each,
 * then the online CPUs in turn.  Threads that share a CPU would measure
 * the scheduler, not the copy.
 */
static unsigned int bench_cpu(const struct bench_params *p, unsigned int i)
{
	const struct cpumask *node = cpumask_of_node(p->src_node);
	unsigned int local = cpumask_weight_and(node, cpu_online_mask);

	if (i < local)
		return cpumask_nth_and(i, node, cpu_online_mask);
	return cpumask_nth(i % num_online_cpus(), cpu_online_mask);
}

/* One run with the current parameters; its result replaces the last. */
static int bench_run(void)
{
	struct bench_result r = { .status = 0 };
	unsigned int i, n, started = 0;
	struct task_struct *task;
	struct bench_run *run;
	dma_cap_mask_t mask;
	ktime_t t0;
	int rc = 0, ph;

	lockdep_assert_held(&bench_lock);
	rc = bench_check(&params);
	if (rc)
		return rc;
	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	run->p = params;
	init_completion(&run->go);
	init_completion(&run->all_ready);

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	if (run->p.mode == MODE_MEMCPY_SG)
		dma_cap_set(DMA_MEMCPY_SG, mask);
	for (n = 0; n < run->p.channels; n++) {
		if (run->p.mode == MODE_CPU)
			continue;	/* no channel: the thread copies */
		run->t[n].chan = dma_request_chan_by_mask(&mask);
		if (IS_ERR(run->t[n].chan)) {
			pr_warn("%u of %u channels available\n", n,
				run->p.channels);
			rc = -ENODEV;
			goto release;
		}
	}

	atomic_set(&run->ready, n);
	for (i = 0; i < n; i++) {
		struct bench_thread *t = &run->t[i];

		t->run = run;
		t->idx = i;
		init_completion(&t->done);
		init_completion(&run->exited[i]);
		task = kthread_create_on_node(bench_thread_fn, t,
					      run->p.src_node, "dma_bench/%u",
					      i);
		if (IS_ERR(task)) {
			rc = PTR_ERR(task);
			break;
		}
		/* Best effort: a CPU that went away leaves the thread free. */
		set_cpus_allowed_ptr(task, cpumask_of(bench_cpu(&run->p, i)));
		wake_up_process(task);
		started++;
	}
	if (started < n && atomic_sub_and_test(n - started, &run->ready))
		complete(&run->all_ready);
	if (started)
		wait_for_completion(&run->all_ready);
	for (i = 0; i < started; i++)
		if (run->t[i].status)
			rc = run->t[i].status;
	WRITE_ONCE(run->aborted, rc != 0);

	t0 = ktime_get();
	complete_all(&run->go);
	for (i = 0; i < started; i++)
		wait_for_completion(&run->exited[i]);
	/* Wall time: from the start to the last thread's last copy. */
	for (i = 0; i < started; i++)
		r.wall_ns = max_t(u64, r.wall_ns,
				  ktime_to_ns(ktime_sub(run->t[i].end, t0)));

	r.channels = n;
	for (i = 0; i < started; i++) {
		struct bench_thread *t = &run->t[i];

		for (ph = 0; ph < NR_PH; ph++)
			r.phase_ns[ph] += t->phase_ns[ph];
		r.prep_calls += t->prep_calls;
		r.bytes += t->bytes;
		r.errors += !!t->status;
		if (t->status && !rc)
			rc = t->status;
	}
	r.status = rc;
	result = r;
release:
	while (n--)
		if (run->t[n].chan)
			dma_release_channel(run->t[n].chan);
	kfree(run);
	return rc;
}

static int result_show(struct seq_file *m, void *v)
{
	guard(mutex)(&bench_lock);
	seq_printf(m, "mode %s\nchannels %u\nfolio_kb %u\nsge %u\n",
		   mode_names[params.mode], result.channels, params.folio_kb,
		   params.sge);
	seq_printf(m, "wall_ns %llu\nprep_ns %llu\nsubmit_ns %llu\nissue_ns %llu\nwait_ns %llu\n",
		   result.wall_ns, result.phase_ns[PH_PREP],
		   result.phase_ns[PH_SUBMIT], result.phase_ns[PH_ISSUE],
		   result.phase_ns[PH_WAIT]);
	seq_printf(m, "prep_calls %llu\nbytes %llu\nerrors %llu\nstatus %d\n",
		   result.prep_calls, result.bytes, result.errors,
		   result.status);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(result);

static ssize_t run_write(struct file *file, const char __user *buf,
			 size_t len, loff_t *ppos)
{
	unsigned int go;
	int rc = kstrtouint_from_user(buf, len, 10, &go);

	if (rc)
		return rc;
	if (go != 1)
		return -EINVAL;
	guard(mutex)(&bench_lock);
	rc = bench_run();
	return rc ? rc : len;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
};

/* A u32 parameter with its bounds, checked at write time. */
struct bench_knob {
	const char *name;
	u32 *val;
	u32 min, max;
	bool node;		/* must name a node with memory */
};

static struct bench_knob knobs[] = {
	{ "channels", &params.channels, 1, BENCH_MAX_CHANS },
	{ "folio_kb", &params.folio_kb, 4, 4 << MAX_PAGE_ORDER },
	{ "sge", &params.sge, 1, BENCH_MAX_SGE },
	{ "total_mb", &params.total_mb, 1, SZ_64K },
	{ "verify", &params.verify, 0, 1 },
	{ "src_node", &params.src_node, 0, MAX_NUMNODES - 1, true },
	{ "dst_node", &params.dst_node, 0, MAX_NUMNODES - 1, true },
};

static int knob_get(void *data, u64 *val)
{
	struct bench_knob *k = data;

	guard(mutex)(&bench_lock);
	*val = *k->val;
	return 0;
}

static int knob_set(void *data, u64 val)
{
	struct bench_knob *k = data;

	if (val < k->min || val > k->max)
		return -EINVAL;
	if (k->node && !node_state(val, N_MEMORY))
		return -EINVAL;
	if (k->val == &params.folio_kb && !is_power_of_2(val))
		return -EINVAL;
	guard(mutex)(&bench_lock);
	*k->val = val;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(knob_fops, knob_get, knob_set, "%llu\n");

static int mode_show(struct seq_file *m, void *v)
{
	guard(mutex)(&bench_lock);
	seq_printf(m, "%s\n", mode_names[params.mode]);
	return 0;
}

static int mode_open(struct inode *inode, struct file *file)
{
	return single_open(file, mode_show, NULL);
}

static ssize_t mode_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	char buf[32];
	int mode;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mode = sysfs_match_string(mode_names, buf);
	if (mode < 0)
		return -EINVAL;
	guard(mutex)(&bench_lock);
	params.mode = mode;
	return len;
}

static const struct file_operations mode_fops = {
	.owner = THIS_MODULE,
	.open = mode_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = mode_write,
};

static struct dentry *bench_dir;

static int __init bench_init(void)
{
	unsigned int i;

	bench_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		debugfs_create_file_unsafe(knobs[i].name, 0600, bench_dir,
					   &knobs[i], &knob_fops);
	debugfs_create_file("mode", 0600, bench_dir, NULL, &mode_fops);
	debugfs_create_file("run", 0200, bench_dir, NULL, &run_fops);
	debugfs_create_file("result", 0400, bench_dir, NULL, &result_fops);
	return 0;
}
module_init(bench_init);

static void __exit bench_exit(void)
{
	/* Waits for a run in progress: its write holds the file. */
	debugfs_remove_recursive(bench_dir);
}
module_exit(bench_exit);

MODULE_DESCRIPTION("dmaengine memcpy vs memcpy_sg setup cost benchmark (test only)");
MODULE_LICENSE("GPL");
