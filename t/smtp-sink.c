/*
 * smtp-sink.c -- a minimal SMTP server for tests: accepts every message and
 * writes it to DIR/mail-N.eml, so a test can read what Hangar mailed.
 *
 *	smtp-sink PORT DIR
 *
 * Listens on 127.0.0.1 only, one connection at a time.  It speaks just what
 * libcurl's SMTP client uses: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
 * While DIR/delay-ms holds a number, each session waits that many
 * milliseconds before its greeting: a slow mail server, for tests.
 * While DIR/refuse-ADDR holds a number N > 0, RCPT TO:<ADDR> is refused
 * (550) and N goes down by one: a mail server that refuses a recipient N
 * times, for tests of retries (a huge N: refuses for good).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int	count;

static void
reply(FILE *out, const char *line)
{
	fprintf(out, "%s\r\n", line);
	fflush(out);
}

/* Refuse this RCPT?  Counts down DIR/refuse-ADDR (see above). */
static int
refused(const char *dir, const char *line)
{
	const char	*lt = strchr(line, '<'), *gt;
	char		 addr[512], path[4096];
	FILE		*f;
	long		 n = 0;

	if (lt == NULL || (gt = strchr(lt, '>')) == NULL ||
	    (size_t)(gt - lt - 1) >= sizeof(addr))
		return 0;
	snprintf(addr, sizeof(addr), "%.*s", (int)(gt - lt - 1), lt + 1);
	if (strchr(addr, '/') != NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/refuse-%s", dir, addr);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%ld", &n) != 1)
		n = 0;
	fclose(f);
	if (n <= 0)
		return 0;
	if ((f = fopen(path, "w")) != NULL) {
		fprintf(f, "%ld\n", n - 1);
		fclose(f);
	}
	return 1;
}

static void
session(int fd, const char *dir)
{
	FILE	*in = fdopen(fd, "r"), *out = fdopen(dup(fd), "w"), *mail;
	char	 line[8192], path[4096], tmp[4096];

	snprintf(path, sizeof(path), "%s/delay-ms", dir);
	if ((mail = fopen(path, "r")) != NULL) {
		long ms = 0;

		if (fscanf(mail, "%ld", &ms) == 1 && ms > 0 && ms < 60000)
			usleep((useconds_t)ms * 1000);
		fclose(mail);
	}
	reply(out, "220 smtp-sink ready");
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncasecmp(line, "EHLO", 4) == 0)
			reply(out, "250 smtp-sink");
		else if (strncasecmp(line, "RCPT", 4) == 0 &&
		    refused(dir, line))
			reply(out, "550 refused (smtp-sink refuse file)");
		else if (strncasecmp(line, "HELO", 4) == 0 ||
		    strncasecmp(line, "MAIL", 4) == 0 ||
		    strncasecmp(line, "RCPT", 4) == 0 ||
		    strncasecmp(line, "RSET", 4) == 0 ||
		    strncasecmp(line, "NOOP", 4) == 0)
			reply(out, "250 ok");
		else if (strncasecmp(line, "DATA", 4) == 0) {
			snprintf(tmp, sizeof(tmp), "%s/.mail-%d.tmp", dir, count);
			snprintf(path, sizeof(path), "%s/mail-%d.eml", dir, count++);
			if ((mail = fopen(tmp, "w")) == NULL) {
				reply(out, "451 cannot store");
				continue;
			}
			reply(out, "354 go ahead");
			while (fgets(line, sizeof(line), in) != NULL &&
			    strcmp(line, ".\r\n") != 0 && strcmp(line, ".\n") != 0)
				fputs(line[0] == '.' ? line + 1 : line, mail);
			fclose(mail);
			rename(tmp, path);	/* readers never see half a mail */
			reply(out, "250 stored");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			reply(out, "221 bye");
			break;
		} else
			reply(out, "502 not implemented");
	}
	fclose(in);
	fclose(out);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	sin;
	int			s, c, one = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: smtp-sink PORT DIR\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 16) == -1) {
		perror("smtp-sink");
		return 1;
	}
	for (;;) {
		if ((c = accept(s, NULL, NULL)) == -1)
			continue;
		session(c, argv[2]);
	}
}
