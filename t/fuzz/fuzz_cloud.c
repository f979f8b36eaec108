/*
 * fuzz_cloud.c -- a cloud vendor's answer through hg_cloud_answer(), the
 * part of the cloud adapters that reads what a remote server sent.
 *
 * Input: byte 0 picks the provider (and the size of the message buffer),
 * byte 1 the action whose answer it is, byte 2 the HTTP status; the rest
 * is the body, any bytes.  Whatever it is, the result is one of the
 * documented classes, and the message and every string read are one line
 * of well-formed UTF-8 (they go to task messages, the log and MySQL).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cloud.h"
#include "utf8.h"

static const char *const actions[] = {
	"DescribeInstances", "StartInstance", "StopInstance",
	"RebootInstance", "StartInstances", "StopInstances",
	"RebootInstances", "StartDevices", "ShutdownDevices", "RebootDevices",
	"DescribeOperationResult", "startVirtualMachine",
	"stopVirtualMachine", "rebootVirtualMachine", "queryAsyncJobResult",
	"listUsers",
};
static const long statuses[] = { 200, 400, 401, 403, 404, 431, 500, 530,
	204, 302, 0, 999 };
static const size_t msglens[] = { 1024, 512, 64, 16, 5, 2, 1, 0 };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* One line of well-formed UTF-8, or NULL. */
static void
check_text(const char *s)
{
	const char	*p;

	if (s == NULL)
		return;
	if (!hg_utf8_wellformed(s, strlen(s)))
		abort();
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_arena		 a;
	struct hg_cloud_answer	 an;
	char			 msg[1024 + 1];
	size_t			 msglen;
	int			 rc;

	if (size < 3)
		return 0;
	msglen = msglens[(data[0] >> 2) % NELEM(msglens)];
	memset(msg, 'x', sizeof(msg));
	msg[0] = '\0';
	msg[sizeof(msg) - 1] = '\0';
	hg_arena_init(&a);
	rc = hg_cloud_answer(&a, (enum hg_cloud_provider)(data[0] % 3),
	    actions[data[1] % NELEM(actions)], statuses[data[2] %
	    NELEM(statuses)], (const char *)data + 3, size - 3, &an, msg,
	    msglen);
	if (rc != HG_CLOUD_OK && rc != HG_CLOUD_ECRED &&
	    rc != HG_CLOUD_EUPSTREAM && rc != HG_CLOUD_ENET)
		abort();
	if (msglen > 0) {
		if (strlen(msg) >= msglen)
			abort();
		if (rc != HG_CLOUD_OK && msglen > 4 && msg[0] == '\0')
			abort();	/* an error says what it is */
		check_text(msg);
	}
	if (msg[msglen] != (msglen == 0 ? '\0' : 'x') && msglen < 1024)
		abort();	/* wrote past msglen */
	check_text(an.an_code);
	check_text(an.an_request);
	check_text(an.an_state);
	check_text(an.an_op);
	check_text(an.an_op_state);
	check_text(an.an_op_request);
	check_text(an.an_job);
	check_text(an.an_status);
	check_text(an.an_substatus);
	check_text(an.an_vm_state);
	check_text(an.an_job_code);
	check_text(an.an_job_text);
	hg_arena_free(&a);
	return 0;
}
