// SPDX-License-Identifier: GPL-2.0
/*
 * vm-exit: end the VM and hand an exit status to the host.
 *
 *   vm-exit STATUS
 *
 * On x86, writes STATUS (0..127) to QEMU's isa-debug-exit port, which
 * makes QEMU exit with (STATUS << 1) | 1.  Without that device the write
 * has no effect and the VM is powered off instead, which the host sees as
 * a guest that did not report.  Other architectures have no such port:
 * the VM is powered off (QEMU exits with 0) and the host takes the status
 * from the "@@vmtest done rc=N" line the guest wrote before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>
#define HAVE_DEBUG_EXIT_PORT 1
#endif
#include <sys/reboot.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	char *end;
	long status;

	if (argc != 2) {
		fprintf(stderr, "usage: vm-exit STATUS\n");
		return 2;
	}
	errno = 0;
	status = strtol(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || status < 0 || status > 127) {
		fprintf(stderr, "vm-exit: bad status '%s' (0..127)\n", argv[1]);
		return 2;
	}
	sync();
#ifdef HAVE_DEBUG_EXIT_PORT
	if (ioperm(DEBUG_EXIT_PORT, 1, 1) == 0)
		outb((unsigned char)status, DEBUG_EXIT_PORT);
	else
		fprintf(stderr, "vm-exit: ioperm: %s\n", strerror(errno));
#endif
	reboot(RB_POWER_OFF);
	fprintf(stderr, "vm-exit: reboot: %s\n", strerror(errno));
	return 1;
}
