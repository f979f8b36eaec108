/*
 * fuzz_conf.c -- hangar.conf through its parser (hg_conf_load): any file
 * is either taken whole or refused with a "file:line: message" error,
 * and a refused one changes nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 fd = -1;
	char		 path[64], err[512];

	if (fd == -1 && (fd = memfd_create("hangar.conf", 0)) == -1)
		abort();
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	if (hg_conf_load(path, err, sizeof(err)) != 0 &&
	    strncmp(err, path, strlen(path)) != 0 && err[0] != '\0' &&
	    strstr(err, ":") == NULL)
		abort();	/* an error that does not say where */
	return 0;
}
