// SPDX-License-Identifier: GPL-2.0
/*
 * A migrator for testing the migration copy offload: it copies batches
 * with the CPU, checks and records what it was given, and can be told to
 * fail or decline batches.  Not for production use.
 *
 * Parameters (/sys/module/test_migrator/parameters/):
 *   offloading       1 registers the migrator, 0 unregisters it
 *   reason_mask      reasons to serve: names, "all", "none" or 0x hex
 *   fail_every       every Nth batch copies and marks only its first half,
 *                    scribbles over the other half and fails (0: never)
 *   poison_magic     a folio whose source begins with this 64-bit value
 *                    is taken as if reading it had raised a machine
 *                    check: not copied, marked poisoned, the batch failed
 *                    with -EHWPOISON (0: none)
 *   min_batch_bytes  smaller batches are declined untouched
 *   batch_bytes      batch size asked of migrate_pages() (0: its own)
 *
 * /sys/kernel/debug/test_migrator/stats shows what it saw; writing
 * anything to it resets the counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/migrate_copy_offload.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

/* Written over destinations the migrator pretends to have half-copied */
#define TEST_MIGRATOR_POISON	0x6b

static unsigned long tm_fail_every;
static unsigned long tm_poison_magic;
static unsigned long tm_min_batch_bytes;

static DEFINE_SPINLOCK(tm_stats_lock);
static struct {
	u64 batches;		/* offload_copy() calls */
	u64 folios;		/* folios in them */
	u64 bytes;
	u64 copied;		/* folios marked copied */
	u64 poisoned;		/* folios marked poisoned */
	u64 failed;		/* batches failed on purpose */
	u64 declined;		/* batches below min_batch_bytes */
	u64 max_folios;		/* largest batch seen */
	u64 max_bytes;		/* and in bytes */
	u64 bad_batches;	/* lists that broke the offload_copy() contract */
} tm_stats;

/* Check the lists against what struct migrator promises. */
static bool tm_batch_sane(struct list_head *dst_list,
			  struct list_head *src_list, unsigned int nr,
			  unsigned long *bytes)
{
	struct folio *src, *dst = list_first_entry(dst_list, struct folio, lru);
	unsigned int n = 0;

	*bytes = 0;
	list_for_each_entry(src, src_list, lru) {
		if (&dst->lru == dst_list || src == dst ||
		    folio_size(src) != folio_size(dst) ||
		    !folio_test_locked(src) || !folio_test_locked(dst) ||
		    folio_mapped(src))
			return false;
		*bytes += folio_size(src);
		dst = list_next_entry(dst, lru);
		n++;
	}
	return n == nr && &dst->lru == dst_list;
}

/* Whether @src begins with @magic: a source the test wants poisoned. */
static bool tm_begins_with(struct folio *src, unsigned long magic)
{
	unsigned long first;

	memcpy_from_folio((char *)&first, src, 0, sizeof(first));
	return first == magic;
}

static void tm_scribble(struct folio *dst)
{
	long i;

	for (i = 0; i < folio_nr_pages(dst); i++)
		memset_page(folio_page(dst, i), 0, TEST_MIGRATOR_POISON,
			    PAGE_SIZE);
}

static int tm_offload_copy(struct list_head *dst_list,
			   struct list_head *src_list, unsigned int nr)
{
	unsigned long every = READ_ONCE(tm_fail_every);
	unsigned long magic = READ_ONCE(tm_poison_magic);
	unsigned int i = 0, copied = 0, poisoned = 0;
	struct folio *src, *dst;
	unsigned long bytes;
	bool sane, fail;
	u64 batch;
	int rc = 0;

	sane = tm_batch_sane(dst_list, src_list, nr, &bytes);
	spin_lock(&tm_stats_lock);
	batch = ++tm_stats.batches;
	tm_stats.folios += nr;
	tm_stats.bytes += bytes;
	tm_stats.max_folios = max_t(u64, tm_stats.max_folios, nr);
	tm_stats.max_bytes = max_t(u64, tm_stats.max_bytes, bytes);
	tm_stats.bad_batches += !sane;
	spin_unlock(&tm_stats_lock);
	if (!sane) {
		pr_err_ratelimited("batch %llu of %u folios breaks the contract\n",
				   batch, nr);
		return -EINVAL;
	}
	if (bytes < READ_ONCE(tm_min_batch_bytes)) {
		spin_lock(&tm_stats_lock);
		tm_stats.declined++;
		spin_unlock(&tm_stats_lock);
		return -EOPNOTSUPP;
	}

	fail = every && batch % every == 0;
	dst = list_first_entry(dst_list, struct folio, lru);
	list_for_each_entry(src, src_list, lru) {
		bool bad = magic && tm_begins_with(src, magic);

		if (fail && i >= nr / 2) {
			tm_scribble(dst);
			rc = -EIO;
		} else if (!bad && !folio_mc_copy(dst, src)) {
			folio_mark_migrate_copied(dst);
			copied++;
		} else {
			/* A machine check, real or pretended, on the source */
			folio_mark_migrate_poisoned(dst);
			poisoned++;
			rc = -EHWPOISON;
		}
		dst = list_next_entry(dst, lru);
		i++;
		cond_resched();
	}

	spin_lock(&tm_stats_lock);
	tm_stats.copied += copied;
	tm_stats.poisoned += poisoned;
	tm_stats.failed += fail;
	spin_unlock(&tm_stats_lock);
	return rc;
}

static struct migrator test_migrator = {
	.name = "test_migrator",
	.offload_copy = tm_offload_copy,
	.owner = THIS_MODULE,
};

static DEFINE_MIGRATE_OFFLOAD_CTL(tm_ctl, &test_migrator,
				  MIGRATE_OFFLOAD_ALL_REASONS, NULL, NULL);

module_param_cb(offloading, &migrate_offload_enabled_ops, &tm_ctl, 0644);
MODULE_PARM_DESC(offloading, "Register as the migrator (0/1)");
module_param_cb(reason_mask, &migrate_offload_reasons_ops, &tm_ctl, 0644);
MODULE_PARM_DESC(reason_mask,
		 "Migration reasons to serve: names, all, none or 0x mask");

module_param_cb(fail_every, &migrate_offload_ulong_ops, &tm_fail_every, 0644);
MODULE_PARM_DESC(fail_every,
		 "Fail half of every Nth batch after scribbling on it (0: never)");
module_param_cb(poison_magic, &migrate_offload_ulong_ops, &tm_poison_magic,
		0644);
MODULE_PARM_DESC(poison_magic,
		 "Take sources beginning with this value as poisoned (0: none)");
module_param_cb(min_batch_bytes, &migrate_offload_ulong_ops,
		&tm_min_batch_bytes, 0644);
MODULE_PARM_DESC(min_batch_bytes, "Decline batches smaller than this");
module_param_cb(batch_bytes, &migrate_offload_batch_bytes_ops,
		&test_migrator.batch_bytes, 0644);
MODULE_PARM_DESC(batch_bytes,
		 "Batch size to ask migrate_pages() for (0: its own)");

static int stats_show(struct seq_file *m, void *v)
{
	spin_lock(&tm_stats_lock);
	seq_printf(m, "batches %llu\nfolios %llu\nbytes %llu\ncopied %llu\n",
		   tm_stats.batches, tm_stats.folios, tm_stats.bytes,
		   tm_stats.copied);
	seq_printf(m, "failed %llu\ndeclined %llu\nmax_folios %llu\nmax_bytes %llu\n",
		   tm_stats.failed, tm_stats.declined, tm_stats.max_folios,
		   tm_stats.max_bytes);
	seq_printf(m, "poisoned %llu\nbad_batches %llu\n", tm_stats.poisoned,
		   tm_stats.bad_batches);
	spin_unlock(&tm_stats_lock);
	return 0;
}

static int stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, stats_show, NULL);
}

static ssize_t stats_write(struct file *file, const char __user *buf,
			   size_t len, loff_t *ppos)
{
	spin_lock(&tm_stats_lock);
	memset(&tm_stats, 0, sizeof(tm_stats));
	spin_unlock(&tm_stats_lock);
	return len;
}

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.open = stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = stats_write,
};

static struct dentry *tm_debugfs;

/* Late, so that test_migrator.offloading=1 works when built in. */
static int __init test_migrator_init(void)
{
	int rc;

	tm_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0600, tm_debugfs, NULL, &stats_fops);
	pr_info("loaded: a test module, not for production use\n");
	rc = migrate_offload_ctl_start(&tm_ctl);
	if (rc)
		debugfs_remove_recursive(tm_debugfs);
	return rc;
}
late_initcall(test_migrator_init);

static void __exit test_migrator_exit(void)
{
	migrate_offload_ctl_stop(&tm_ctl);
	debugfs_remove_recursive(tm_debugfs);
}
module_exit(test_migrator_exit);

MODULE_DESCRIPTION("CPU-copy migrator for testing the migration copy offload");
MODULE_LICENSE("GPL");
