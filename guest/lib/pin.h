/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running on the CPUs of one NUMA node (sched_setaffinity() needs
 * _GNU_SOURCE before the first include).
 */
#ifndef PIN_H
#define PIN_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmtest.h"

/* Run on the CPUs of @node only (its sysfs cpulist): 0 or -errno. */
static inline int pin_to_node(int node)
{
	char path[64], list[64], *p;
	cpu_set_t set;
	long a, b;
	int rc;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
		 node);
	rc = file_read(path, list, sizeof(list));
	if (rc)
		return rc;
	CPU_ZERO(&set);
	for (p = list; *p;) {
		a = strtol(p, &p, 10);
		b = *p == '-' ? strtol(p + 1, &p, 10) : a;
		while (a <= b)
			CPU_SET(a++, &set);
		if (*p != ',')
			break;
		p++;
	}
	if (!CPU_COUNT(&set))
		return -ENODEV;
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

#endif /* PIN_H */
