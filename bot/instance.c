/* SPDX-License-Identifier: MIT */
/*
 * Who this process is; see instance.h.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "instance.h"

#define HOST_MAX 256

/* Set once, by pthread_once: a constant of the process (STYLE rule 11's exception). */
static pthread_once_t self_once = PTHREAD_ONCE_INIT;
static char self[HOST_MAX + 80];
static char self_host[HOST_MAX];
static unsigned long long self_ns;
static long long self_start;

static void
self_init(void)
{
	struct stat st;

	if (gethostname(self_host, sizeof(self_host)) < 0)
		snprintf(self_host, sizeof(self_host), "?");
	self_host[sizeof(self_host) - 1] = '\0';
	for (char *c = self_host; *c; c++)
		if (*c == ' ' || *c == '\t' || *c == '\n')
			*c = '_';
	/* The namespace's inode: 0 when /proc is not there (then only this pid is known). */
	self_ns = stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long long)st.st_ino : 0;
	self_start = (long long)time(NULL);
	snprintf(self, sizeof(self), "%s %ld %lld %llu", self_host, (long)getpid(), self_start,
		 self_ns);
}

const char *
instance_self(void)
{
	(void)pthread_once(&self_once, self_init);
	return self;
}

bool
instance_gone(const char *owner)
{
	char host[HOST_MAX];
	long pid;
	long long start;
	unsigned long long ns;

	(void)instance_self();
	if (!owner || sscanf(owner, "%255s %ld %lld %llu", host, &pid, &start, &ns) != 4)
		return false;
	if (strcmp(host, self_host) != 0 || ns != self_ns || !self_ns || pid <= 0)
		return false;
	if (pid == (long)getpid())
		return start != self_start;	/* ours, from another life */
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}
