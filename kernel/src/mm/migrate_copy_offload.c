// SPDX-License-Identifier: GPL-2.0
/*
 * Copy offload for page migration: one registered migrator, the reasons
 * it serves, and the dispatch of batch copies from migrate_pages_batch().
 *
 * The dispatch runs under SRCU and the migrator's module is pinned while
 * it is registered, so unregistering waits for every batch in flight and
 * the callback's code cannot go away under it.  A static key keeps the
 * dispatch out of the migration path while nothing is registered.
 */
#define pr_fmt(fmt) "migrate_offload: " fmt

#include <linux/bitmap.h>
#include <linux/ctype.h>
#include <linux/jump_label.h>
#include <linux/kstrtox.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/migrate.h>
#include <linux/migrate_copy_offload.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmstat.h>

#include <trace/events/migrate.h>

#include "internal.h"

DEFINE_STATIC_KEY_FALSE(migrate_offload_enabled);

DEFINE_STATIC_SRCU(migrate_offload_srcu);
/* Serialises registration; the active migrator changes only under it. */
static DEFINE_MUTEX(migrate_offload_mutex);
static struct migrator __rcu *migrate_offload_active;
static unsigned long migrate_offload_reasons;

static bool reason_mask_valid(unsigned long mask)
{
	return !(mask & ~MIGRATE_OFFLOAD_ALL_REASONS);
}

/**
 * migrate_offload_register - make @m the migrator for batch copies
 * @m: the migrator; must stay valid until migrate_offload_unregister()
 * @reason_mask: the migration reasons (BIT(MR_*)) whose batches @m copies
 *
 * Pins @m->owner until the migrator is unregistered.  Context: process,
 * may sleep.
 *
 * Return: 0 on success; -EINVAL if @m lacks a name or an offload_copy
 * callback or @reason_mask has bits outside %MIGRATE_OFFLOAD_ALL_REASONS
 * (beyond the known reasons, or MR_MEMORY_FAILURE); -EBUSY if a
 * migrator is already registered (@m included); -ENODEV if @m->owner is
 * being unloaded.
 */
int migrate_offload_register(struct migrator *m, unsigned long reason_mask)
{
	if (!m || !m->name || !m->offload_copy || !reason_mask_valid(reason_mask))
		return -EINVAL;

	guard(mutex)(&migrate_offload_mutex);
	if (rcu_access_pointer(migrate_offload_active))
		return -EBUSY;
	if (!try_module_get(m->owner))
		return -ENODEV;

	WRITE_ONCE(migrate_offload_reasons, reason_mask);
	rcu_assign_pointer(migrate_offload_active, m);
	static_branch_enable(&migrate_offload_enabled);
	pr_info("%s registered\n", m->name);
	return 0;
}
EXPORT_SYMBOL_GPL(migrate_offload_register);

/**
 * migrate_offload_unregister - stop using @m for batch copies
 * @m: the registered migrator
 *
 * Waits until no batch copy is running in @m, then drops the reference
 * on @m->owner.  Must not be called from @m->offload_copy.  Context:
 * process, may sleep.
 *
 * Return: 0 on success, -EINVAL if @m is not the registered migrator.
 */
int migrate_offload_unregister(struct migrator *m)
{
	guard(mutex)(&migrate_offload_mutex);
	if (!m || rcu_access_pointer(migrate_offload_active) != m)
		return -EINVAL;

	static_branch_disable(&migrate_offload_enabled);
	RCU_INIT_POINTER(migrate_offload_active, NULL);
	synchronize_srcu(&migrate_offload_srcu);
	module_put(m->owner);
	pr_info("%s unregistered\n", m->name);
	return 0;
}
EXPORT_SYMBOL_GPL(migrate_offload_unregister);

/**
 * migrate_offload_set_reason_mask - change the reasons @m serves
 * @m: the registered migrator
 * @reason_mask: the migration reasons (BIT(MR_*)) whose batches @m copies
 *
 * Batches already dispatched are not affected.
 *
 * Return: 0 on success, -EINVAL if @m is not the registered migrator or
 * @reason_mask has bits outside %MIGRATE_OFFLOAD_ALL_REASONS.
 */
int migrate_offload_set_reason_mask(struct migrator *m,
				    unsigned long reason_mask)
{
	if (!reason_mask_valid(reason_mask))
		return -EINVAL;

	guard(mutex)(&migrate_offload_mutex);
	if (!m || rcu_access_pointer(migrate_offload_active) != m)
		return -EINVAL;
	WRITE_ONCE(migrate_offload_reasons, reason_mask);
	return 0;
}
EXPORT_SYMBOL_GPL(migrate_offload_set_reason_mask);

/**
 * migrate_offload_reason_mask_parse - parse a set of migration reasons
 * @buf: NUL-terminated text: "all", "none", a hexadecimal mask with a 0x
 *	prefix, or a comma-separated list of names from migrate_reason_names[]
 *	(e.g. "compaction,demotion"); leading and trailing white space,
 *	such as the newline of a sysfs write, is ignored
 * @mask: where to store the mask of BIT(MR_*) values
 *
 * "all" is %MIGRATE_OFFLOAD_ALL_REASONS: every reason but memory_failure,
 * which no migrator may serve.
 *
 * Return: 0 on success; -EINVAL if @buf is empty, longer than
 * %MIGRATE_OFFLOAD_MASK_MAX, names an unknown reason or memory_failure,
 * has an empty list element, or is a mask with bits outside
 * %MIGRATE_OFFLOAD_ALL_REASONS.  @mask is written only on success.
 */
int migrate_offload_reason_mask_parse(const char *buf, unsigned long *mask)
{
	char text[MIGRATE_OFFLOAD_MASK_MAX + 1];
	unsigned long result = 0;
	char *s, *name;
	int i;

	if (strnlen(buf, sizeof(text)) == sizeof(text))
		return -EINVAL;
	strscpy(text, buf);
	s = strim(text);
	if (!*s)
		return -EINVAL;

	if (!strcmp(s, "all")) {
		result = MIGRATE_OFFLOAD_ALL_REASONS;
	} else if (!strcmp(s, "none")) {
		result = 0;
	} else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit(s[2]) || kstrtoul(s + 2, 16, &result) ||
		    !reason_mask_valid(result))
			return -EINVAL;
	} else {
		while ((name = strsep(&s, ",")) != NULL) {
			i = match_string(migrate_reason_names, MR_TYPES, name);
			if (i < 0 || !reason_mask_valid(BIT(i)))
				return -EINVAL;
			result |= BIT(i);
		}
	}
	*mask = result;
	return 0;
}
EXPORT_SYMBOL_GPL(migrate_offload_reason_mask_parse);

/**
 * migrate_offload_reason_mask_format - print a set of migration reasons
 * @buf: output buffer
 * @size: size of @buf
 * @mask: mask of BIT(MR_*) values
 *
 * Writes "none", "all", or the comma-separated reason names in MR_* order,
 * without a trailing newline; migrate_offload_reason_mask_parse() reads
 * it back.
 *
 * Return: the length written (without the NUL), -EINVAL if @mask has bits
 * outside %MIGRATE_OFFLOAD_ALL_REASONS, -ENOSPC if @buf is too small.
 */
int migrate_offload_reason_mask_format(char *buf, size_t size,
				       unsigned long mask)
{
	size_t len = 0;
	int i, n;

	if (!reason_mask_valid(mask))
		return -EINVAL;
	if (!mask || mask == MIGRATE_OFFLOAD_ALL_REASONS) {
		n = snprintf(buf, size, "%s", mask ? "all" : "none");
		return n < size ? n : -ENOSPC;
	}
	for (i = 0; i < MR_TYPES; i++) {
		if (!(mask & BIT(i)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? "," : "",
			     migrate_reason_names[i]);
		if (n >= size - len)
			return -ENOSPC;
		len += n;
	}
	return len;
}
EXPORT_SYMBOL_GPL(migrate_offload_reason_mask_format);

/* Register or unregister through @ctl, with its hooks.  @ctl->lock held. */
static int ctl_switch(struct migrate_offload_ctl *ctl, bool on)
{
	int rc;

	lockdep_assert_held(&ctl->lock);
	if (on == ctl->enabled)
		return 0;
	if (!on) {
		rc = migrate_offload_unregister(ctl->migrator);
		if (rc)
			return rc;
		if (ctl->disable)
			ctl->disable(ctl);
		ctl->enabled = false;
		return 0;
	}
	if (ctl->enable) {
		rc = ctl->enable(ctl);
		if (rc)
			return rc;
	}
	rc = migrate_offload_register(ctl->migrator, ctl->reason_mask);
	if (rc) {
		if (ctl->disable)
			ctl->disable(ctl);
		return rc;
	}
	ctl->enabled = true;
	return 0;
}

/*
 * Before migrate_offload_ctl_start(), while the module's parameters are
 * parsed (for a built-in migrator: on the kernel command line, before the
 * mm core is up), the value is only recorded.
 */
static int enabled_set(const char *val, const struct kernel_param *kp)
{
	struct migrate_offload_ctl *ctl = kp->arg;
	unsigned int on;
	int rc;

	rc = kstrtouint(val, 10, &on);
	if (rc || on > 1)
		return -EINVAL;

	guard(mutex)(&ctl->lock);
	if (!ctl->live) {
		ctl->requested = on;
		return 0;
	}
	return ctl_switch(ctl, on);
}

/**
 * migrate_offload_ctl_start - let the controls act, and apply the load-time value
 * @ctl: the controls
 *
 * Call it last in the module's init function, and declare that function
 * with late_initcall() (module_init() for a module), so that a built-in
 * migrator starts once the mm core, the workqueues and the drivers it
 * needs (DMA providers) are up.  Until then, "offloading" only records
 * its value; if that was 1, the migrator is enabled and registered here.
 *
 * Return: 0, or why the load-time offloading=1 could not be applied;
 * the init function returns it, so that a module does not load half
 * enabled.  The controls act from now on either way.
 */
int migrate_offload_ctl_start(struct migrate_offload_ctl *ctl)
{
	int rc;

	guard(mutex)(&ctl->lock);
	ctl->live = true;
	if (!ctl->requested)
		return 0;
	rc = ctl_switch(ctl, true);
	if (rc)
		pr_err("%s: offloading=1 at load failed: %d\n",
		       ctl->migrator->name, rc);
	return rc;
}
EXPORT_SYMBOL_GPL(migrate_offload_ctl_start);

/**
 * migrate_offload_ctl_stop - unregister the migrator if enabled, for good
 * @ctl: the controls
 *
 * Call it in the module's exit function.  Registration pins the module,
 * so it is normally unregistered already; a forced unload
 * (CONFIG_MODULE_FORCE_UNLOAD) gets here registered, and must not leave
 * the migrator registered when its code goes.  The controls no longer act
 * afterwards.
 */
void migrate_offload_ctl_stop(struct migrate_offload_ctl *ctl)
{
	guard(mutex)(&ctl->lock);
	if (ctl->enabled)
		WARN_ON(ctl_switch(ctl, false));
	ctl->live = false;
	ctl->requested = false;
}
EXPORT_SYMBOL_GPL(migrate_offload_ctl_stop);

static int enabled_get(char *buf, const struct kernel_param *kp)
{
	struct migrate_offload_ctl *ctl = kp->arg;

	return sysfs_emit(buf, "%d\n", READ_ONCE(ctl->enabled));
}

/* The "offloading" parameter of struct migrate_offload_ctl */
const struct kernel_param_ops migrate_offload_enabled_ops = {
	.set = enabled_set,
	.get = enabled_get,
};
EXPORT_SYMBOL_GPL(migrate_offload_enabled_ops);

static int reasons_set(const char *val, const struct kernel_param *kp)
{
	struct migrate_offload_ctl *ctl = kp->arg;
	unsigned long mask;
	int rc;

	rc = migrate_offload_reason_mask_parse(val, &mask);
	if (rc)
		return rc;

	guard(mutex)(&ctl->lock);
	if (ctl->enabled) {
		rc = migrate_offload_set_reason_mask(ctl->migrator, mask);
		if (rc)
			return rc;
	}
	WRITE_ONCE(ctl->reason_mask, mask);
	return 0;
}

/*
 * Lockless: @ctl->lock is held across unregistering, which waits for the
 * batches in flight, and reading the mask need not wait for that.
 */
static int reasons_get(char *buf, const struct kernel_param *kp)
{
	struct migrate_offload_ctl *ctl = kp->arg;
	int len;

	len = migrate_offload_reason_mask_format(buf, PAGE_SIZE - 1,
						 READ_ONCE(ctl->reason_mask));
	if (len < 0)
		return len;
	buf[len++] = '\n';
	return len;
}

/* The "reason_mask" parameter of struct migrate_offload_ctl */
const struct kernel_param_ops migrate_offload_reasons_ops = {
	.set = reasons_set,
	.get = reasons_get,
};
EXPORT_SYMBOL_GPL(migrate_offload_reasons_ops);

static int counter_set(const char *val, const struct kernel_param *kp)
{
	unsigned long v;

	if (kstrtoul(val, 10, &v) || v)
		return -EINVAL;
	atomic_long_set(kp->arg, 0);
	return 0;
}

static int counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(kp->arg));
}

const struct kernel_param_ops migrate_offload_counter_ops = {
	.set = counter_set,
	.get = counter_get,
};
EXPORT_SYMBOL_GPL(migrate_offload_counter_ops);

/* Unlike param_set_ulong(), every malformed value is -EINVAL. */
static int ulong_set(const char *val, const struct kernel_param *kp)
{
	unsigned long v;

	if (kstrtoul(val, 10, &v))
		return -EINVAL;
	WRITE_ONCE(*(unsigned long *)kp->arg, v);
	return 0;
}

const struct kernel_param_ops migrate_offload_ulong_ops = {
	.set = ulong_set,
	.get = param_get_ulong,
};
EXPORT_SYMBOL_GPL(migrate_offload_ulong_ops);

/**
 * migrate_offload_parse_batch_bytes - parse a batch size parameter
 * @val: plain decimal bytes
 * @bytes: where to store the value
 *
 * For a migrator whose batch_bytes parameter needs a setter of its own
 * (e.g. to resize what it keeps per batch); migrate_offload_batch_bytes_ops
 * is this and a store.
 *
 * Return: 0 on success; -EINVAL unless @val is 0 or a multiple of
 * PAGE_SIZE from %MIGRATE_OFFLOAD_BATCH_BYTES_DEFAULT to
 * %MIGRATE_OFFLOAD_BATCH_BYTES_MAX, in which case @bytes is not written.
 */
int migrate_offload_parse_batch_bytes(const char *val, unsigned long *bytes)
{
	unsigned long v;

	if (kstrtoul(val, 10, &v))
		return -EINVAL;
	if (v && (v < MIGRATE_OFFLOAD_BATCH_BYTES_DEFAULT ||
		  v > MIGRATE_OFFLOAD_BATCH_BYTES_MAX || !PAGE_ALIGNED(v)))
		return -EINVAL;
	*bytes = v;
	return 0;
}
EXPORT_SYMBOL_GPL(migrate_offload_parse_batch_bytes);

static int batch_bytes_set(const char *val, const struct kernel_param *kp)
{
	unsigned long v;
	int rc;

	rc = migrate_offload_parse_batch_bytes(val, &v);
	if (!rc)
		WRITE_ONCE(*(unsigned long *)kp->arg, v);
	return rc;
}

const struct kernel_param_ops migrate_offload_batch_bytes_ops = {
	.set = batch_bytes_set,
	.get = param_get_ulong,
};
EXPORT_SYMBOL_GPL(migrate_offload_batch_bytes_ops);

static int share_bytes_set(const char *val, const struct kernel_param *kp)
{
	unsigned long v;

	if (kstrtoul(val, 10, &v) || v < PAGE_SIZE ||
	    v > MIGRATE_OFFLOAD_BATCH_BYTES_MAX || !PAGE_ALIGNED(v))
		return -EINVAL;
	WRITE_ONCE(*(unsigned long *)kp->arg, v);
	return 0;
}

const struct kernel_param_ops migrate_offload_share_bytes_ops = {
	.set = share_bytes_set,
	.get = param_get_ulong,
};
EXPORT_SYMBOL_GPL(migrate_offload_share_bytes_ops);

/**
 * migrate_offload_batch_size - the bytes of a batch laid out as arrays
 * @nr: the number of folios of the batch
 *
 * For migrators that keep the memory of migrate_offload_batch_layout()
 * allocated, so that a batch allocates nothing.
 *
 * Return: the size of the folio arrays, the page index of every folio and
 * the failure bitmap for @nr folios.
 */
size_t migrate_offload_batch_size(unsigned int nr)
{
	return 2 * nr * sizeof(struct folio *) +
	       (nr + 1 + 2 * BITS_TO_LONGS(nr)) * sizeof(unsigned long);
}
EXPORT_SYMBOL_GPL(migrate_offload_batch_size);

/**
 * migrate_offload_batch_layout - lay a batch out as arrays in given memory
 * @b: filled in
 * @dst_list: the destination folios, as given to offload_copy()
 * @src_list: the source folios
 * @nr: the number of folios on each list, at least one
 * @mem: at least migrate_offload_batch_size(@nr) bytes, suitably aligned
 *	for pointers; its previous content does not matter
 *
 * Allocates nothing, so it is what a migrator uses in reclaim and
 * compaction, where the batch must not take memory from the reserves.
 * Give the memory back only after migrate_offload_batch_mark().
 */
void migrate_offload_batch_layout(struct migrate_offload_batch *b,
				  struct list_head *dst_list,
				  struct list_head *src_list, unsigned int nr,
				  void *mem)
{
	unsigned long pages = 0;
	struct folio *folio;
	unsigned int i = 0;

	b->src = mem;
	b->dst = b->src + nr;
	b->first = (unsigned long *)(b->dst + nr);
	b->failed = b->first + nr + 1;
	b->poisoned = b->failed + BITS_TO_LONGS(nr);
	b->nr = nr;
	bitmap_zero(b->failed, nr);
	bitmap_zero(b->poisoned, nr);

	list_for_each_entry(folio, src_list, lru) {
		b->src[i] = folio;
		b->first[i++] = pages;
		pages += folio_nr_pages(folio);
	}
	b->first[nr] = pages;
	i = 0;
	list_for_each_entry(folio, dst_list, lru)
		b->dst[i++] = folio;
}
EXPORT_SYMBOL_GPL(migrate_offload_batch_layout);

/**
 * migrate_offload_batch_init - lay a batch out as arrays it allocates
 * @b: filled in
 * @dst_list: the destination folios, as given to offload_copy()
 * @src_list: the source folios
 * @nr: the number of folios on each list, at least one
 * @extra: bytes the caller wants in the same allocation (per-share state)
 *
 * As migrate_offload_batch_layout(), in one allocation that also holds
 * @extra zeroed bytes.  The allocation never dips into the memory
 * reserves (migration runs from reclaim and compaction, with PF_MEMALLOC),
 * does not warn and does not retry hard: if it fails, the batch stays
 * with the CPU.
 *
 * Return: the @extra bytes (or a non-NULL pointer if @extra is 0), NULL if
 * the allocation failed.  Free with migrate_offload_batch_finish().
 */
void *migrate_offload_batch_init(struct migrate_offload_batch *b,
				 struct list_head *dst_list,
				 struct list_head *src_list, unsigned int nr,
				 size_t extra)
{
	size_t arrays;
	void *mem;

	if (WARN_ON_ONCE(!nr))
		return NULL;
	arrays = migrate_offload_batch_size(nr);
	mem = kvzalloc(arrays + extra, GFP_KERNEL | __GFP_NORETRY |
		       __GFP_NOWARN | __GFP_NOMEMALLOC);
	if (!mem)
		return NULL;
	migrate_offload_batch_layout(b, dst_list, src_list, nr, mem);
	return mem + arrays;
}
EXPORT_SYMBOL_GPL(migrate_offload_batch_init);

/**
 * migrate_offload_batch_folio - the folio holding a page of the batch
 * @b: the batch
 * @pg: a batch page index, below migrate_offload_batch_pages()
 *
 * Return: the index of the last folio starting at or before @pg.
 */
unsigned int migrate_offload_batch_folio(const struct migrate_offload_batch *b,
					 unsigned long pg)
{
	unsigned int lo = 0, hi = b->nr - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (b->first[mid] <= pg)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}
EXPORT_SYMBOL_GPL(migrate_offload_batch_folio);

/**
 * migrate_offload_batch_fail_range - flag the folios of a page range failed
 * @b: the batch
 * @start: first batch page index
 * @end: one past the last
 *
 * Every folio with a page in [@start, @end) stays unmarked, so the CPU
 * copies it.  Atomic: shares may fail concurrently.
 */
void migrate_offload_batch_fail_range(struct migrate_offload_batch *b,
				      unsigned long start, unsigned long end)
{
	unsigned int f;

	if (start >= end)
		return;
	for (f = migrate_offload_batch_folio(b, start);
	     f < b->nr && b->first[f] < end; f++)
		set_bit(f, b->failed);
}
EXPORT_SYMBOL_GPL(migrate_offload_batch_fail_range);

/**
 * migrate_offload_batch_poison - flag the folio of a page poisoned
 * @b: the batch
 * @pg: the batch page index whose source page raised a machine check
 *	(a machine-check safe copy of it failed)
 *
 * Its destination is marked with folio_mark_migrate_poisoned(), so that
 * its migration fails with -EHWPOISON and the CPU does not read the
 * source again; the rest of the folio need not be copied.  Atomic:
 * shares may fail concurrently.
 */
void migrate_offload_batch_poison(struct migrate_offload_batch *b,
				  unsigned long pg)
{
	set_bit(migrate_offload_batch_folio(b, pg), b->poisoned);
}
EXPORT_SYMBOL_GPL(migrate_offload_batch_poison);

/**
 * migrate_offload_batch_mark - mark what was copied
 * @b: the batch
 *
 * Marks every destination folio flagged poisoned as such, and every one
 * flagged neither poisoned nor failed as copied.  For a batch laid out
 * with migrate_offload_batch_layout(); its memory may be re-used once
 * this returns.
 *
 * Return: the number of folios marked copied.
 */
unsigned int migrate_offload_batch_mark(struct migrate_offload_batch *b)
{
	unsigned int f, copied = 0;

	for (f = 0; f < b->nr; f++) {
		if (test_bit(f, b->poisoned)) {
			folio_mark_migrate_poisoned(b->dst[f]);
			continue;
		}
		if (test_bit(f, b->failed))
			continue;
		folio_mark_migrate_copied(b->dst[f]);
		copied++;
	}
	return copied;
}
EXPORT_SYMBOL_GPL(migrate_offload_batch_mark);

/**
 * migrate_offload_batch_finish - mark what was copied, free the arrays
 * @b: the batch, from migrate_offload_batch_init()
 *
 * As migrate_offload_batch_mark(), then frees the allocation (the extra
 * bytes included).
 *
 * Return: the number of folios marked copied.
 */
unsigned int migrate_offload_batch_finish(struct migrate_offload_batch *b)
{
	unsigned int copied = migrate_offload_batch_mark(b);

	kvfree(b->src);
	return copied;
}
EXPORT_SYMBOL_GPL(migrate_offload_batch_finish);

/*
 * Whether a registered migrator serves @reason: migrate_pages_batch() runs
 * the batch copy step only then (vm.migrate_batch_copy=1).  A hint: the
 * migrator may go before migrate_offload_copy() is called, which then
 * says so and the CPU copies the batch.
 */
bool migrate_offload_serves(int reason)
{
	return rcu_access_pointer(migrate_offload_active) &&
	       (READ_ONCE(migrate_offload_reasons) & BIT(reason));
}

/*
 * The pages migrate_pages() may put into one batch of @reason: what the
 * registered migrator asks for (its batch_bytes) if it serves @reason,
 * bounded by %MIGRATE_OFFLOAD_BATCH_BYTES_MAX; 0 if it asks for nothing
 * or does not serve @reason, and migrate_pages() keeps its own size.
 */
unsigned long migrate_offload_batch_limit(int reason)
{
	unsigned long bytes = 0;
	struct migrator *m;
	int idx;

	if (!(READ_ONCE(migrate_offload_reasons) & BIT(reason)))
		return 0;
	idx = srcu_read_lock(&migrate_offload_srcu);
	m = srcu_dereference(migrate_offload_active, &migrate_offload_srcu);
	if (m)
		bytes = READ_ONCE(m->batch_bytes);
	srcu_read_unlock(&migrate_offload_srcu, idx);
	return min(bytes, MIGRATE_OFFLOAD_BATCH_BYTES_MAX) >> PAGE_SHIFT;
}

/*
 * Called by migrate_pages_batch() (behind the static key) with a batch of
 * eligible folios.  Returns false if no migrator serves @reason, and the
 * CPU should copy the batch; true if the registered one was given it.
 */
bool migrate_offload_copy(struct list_head *dst_list,
			  struct list_head *src_list, unsigned int nr_folios,
			  unsigned long bytes, int reason)
{
	struct migrator *m;
	unsigned int copied;
	u64 start = 0;
	int idx, rc;

	idx = srcu_read_lock(&migrate_offload_srcu);
	m = srcu_dereference(migrate_offload_active, &migrate_offload_srcu);
	if (!m || !(READ_ONCE(migrate_offload_reasons) & BIT(reason))) {
		srcu_read_unlock(&migrate_offload_srcu, idx);
		return false;
	}

	if (trace_mm_migrate_copy_batch_enabled())
		start = ktime_get_ns();
	rc = m->offload_copy(dst_list, src_list, nr_folios);
	copied = folios_migrate_copied(dst_list);
	/* Duration 0: the event was turned on while the batch was copied. */
	if (trace_mm_migrate_copy_batch_enabled())
		trace_mm_migrate_copy_batch(reason, m->name, nr_folios, bytes,
					    copied, rc,
					    start ? ktime_get_ns() - start : 0);
	srcu_read_unlock(&migrate_offload_srcu, idx);

	count_vm_event(MIGRATE_OFFLOAD_BATCH);
	count_vm_events(MIGRATE_OFFLOAD_COPIED, copied);
	count_vm_events(MIGRATE_OFFLOAD_FALLBACK, nr_folios - copied);
	if (copied < nr_folios)
		count_vm_event(MIGRATE_OFFLOAD_BATCH_FALLBACK);
	return true;
}
