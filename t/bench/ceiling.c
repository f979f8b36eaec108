/*
 * ceiling.c -- the benchmark's ceiling: a minimal prefork libfcgi responder
 * that answers every request with a fixed JSON body of a given size, behind
 * the same nginx as hangard.  Whatever hangard reaches is measured against
 * what FastCGI itself costs on this machine.
 *
 *	ceiling SOCKET WORKERS BODYBYTES
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

int
main(int argc, char *argv[])
{
	FCGX_Request	 req;
	char		*body, head[256];
	int		 fd, i, n, hlen;
	size_t		 size;

	if (argc != 4) {
		fprintf(stderr, "usage: ceiling SOCKET WORKERS BODYBYTES\n");
		return 2;
	}
	n = atoi(argv[2]);
	size = (size_t)atol(argv[3]);
	if (size < 16)
		size = 16;
	body = malloc(size + 1);
	/* {"results":"xxxx...."} padded to exactly size bytes */
	memset(body, 'x', size);
	memcpy(body, "{\"results\":\"", 12);
	memcpy(body + size - 2, "\"}", 2);
	body[size] = '\0';
	hlen = snprintf(head, sizeof(head), "Status: 200 OK\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n\r\n", size);
	FCGX_Init();
	unlink(argv[1]);
	if ((fd = FCGX_OpenSocket(argv[1], 1024)) < 0) {
		perror("ceiling: socket");
		return 1;
	}
	chmod(argv[1], 0666);
	for (i = 0; i < n; i++)
		if (fork() == 0) {
			FCGX_InitRequest(&req, fd, 0);
			while (FCGX_Accept_r(&req) >= 0) {
				FCGX_PutStr(head, hlen, req.out);
				FCGX_PutStr(body, (int)size, req.out);
				FCGX_Finish_r(&req);
			}
			_exit(0);
		}
	while (wait(NULL) > 0)
		;
	return 0;
}
