/* SPDX-License-Identifier: MIT */
/*
 * Runs dondoc-ical and reads what it prints; see expand.h and ical_main.c.
 *
 * The child gets /dev/null for input, a pipe for output and our stderr
 * (where only a crashing helper writes); default signal dispositions and
 * an empty mask, whatever the daemon set for itself.  A helper that does
 * not finish within EXPAND_TIMEOUT_MS is killed: a reload must not hang
 * the daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "expand.h"
#include "xalloc.h"

#ifndef DONDOC_LIBEXECDIR
#define DONDOC_LIBEXECDIR "/usr/local/libexec/dondoc"
#endif
#define HELPER "dondoc-ical"
#define OUTPUT_MAX_BYTES (8 * 1024 * 1024)	/* a daily rule over 4 years is 60 KB */

extern char **environ;

char *
expand_helper_path(void)
{
	char exe[PATH_MAX], *slash, *p;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			p = xasprintf("%s/%s", exe, HELPER);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	p = xasprintf("%s/%s", DONDOC_LIBEXECDIR, HELPER);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}

void
expand_release(struct expansion *e)
{
	free(e->days);
	for (size_t i = 0; i < EXPAND_MAX_RULES; i++)
		free(e->occ[i].v);
	memset(e, 0, sizeof(*e));
}


/* Starts the helper with argv, its output on *ret_fd; 0 or -errno. */
static int
spawn(char *const *argv, pid_t *ret_pid, int *ret_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int fd[2], r;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return -errno;
	sigemptyset(&none);
	sigfillset(&dfl);
	sigdelset(&dfl, SIGKILL);
	sigdelset(&dfl, SIGSTOP);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* dup2 clears FD_CLOEXEC on the copy: the helper's stdout stays open. */
	r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	if (!r)
		r = posix_spawnattr_setsigmask(&attr, &none);
	if (!r)
		r = posix_spawnattr_setsigdefault(&attr, &dfl);
	if (!r)
		r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (!r)
		r = posix_spawn(ret_pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fd[1]);
	if (r) {
		close(fd[0]);
		return -r;
	}
	*ret_fd = fd[0];
	return 0;
}

/*
 * Reads fd to its end into out, within the deadline; 0, -ETIMEDOUT,
 * -EFBIG or -errno.
 */
static int
read_all(int fd, struct buf *out, int64_t deadline)
{
	char chunk[16384];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - clock_mono_ms();
		ssize_t n;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (buf_add(out, chunk, (size_t)n) < 0)
			return -EFBIG;
	}
}

/* Waits for pid to end until the deadline; 0, -ETIMEDOUT or -errno. */
static int
reap(pid_t pid, int64_t deadline, int *status)
{
	struct timespec pause = { 0, 1000000 };	/* 1 ms, doubling to 64 ms */

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (clock_mono_ms() >= deadline)
			return -ETIMEDOUT;
		(void)nanosleep(&pause, NULL);
		if (pause.tv_nsec < 64000000)
			pause.tv_nsec *= 2;
	}
}

static void
occ_add(struct expand_occ *o, struct date d, size_t *cap)
{
	o->v = xgrowroom(o->v, cap, o->n + 1, sizeof(*o->v));
	o->v[o->n++] = d;
}

/*
 * Reads the helper's lines into e; 1 when the output was complete
 * ("end"), 0 when it stopped early, -EINVAL with *culprit and *msg for
 * an error line or a line that makes no sense.
 */
static int
parse_output(char *text, size_t n_rules, struct expansion *e, int *culprit, char **msg)
{
	size_t cap_days = 0, cap_occ[EXPAND_MAX_RULES] = { 0 };
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct date d;
		unsigned idx;
		int off = 0;

		if (strcmp(line, "end") == 0)
			return 1;
		if (strncmp(line, "error holidays ", 15) == 0) {
			*culprit = EXPAND_HOLIDAYS;
			*msg = xstrdup(line + 15);
			return -EINVAL;
		}
		if (sscanf(line, "error rrule %u %n", &idx, &off) == 1 && off > 0 && idx < n_rules) {
			*culprit = (int)idx;
			*msg = xstrdup(line + off);
			return -EINVAL;
		}
		if ((strncmp(line, "off ", 4) == 0 || strncmp(line, "work ", 5) == 0) &&
		    date_parse_iso(line + (line[0] == 'o' ? 4 : 5), &d) == 0) {
			e->days = xgrowroom(e->days, &cap_days, e->n_days + 1, sizeof(*e->days));
			e->days[e->n_days].d = d;
			e->days[e->n_days].work = line[0] == 'w';
			e->n_days++;
			continue;
		}
		if (sscanf(line, "rrule %u %n", &idx, &off) == 1 && off > 0 && idx < n_rules &&
		    date_parse_iso(line + off, &d) == 0) {
			occ_add(&e->occ[idx], d, &cap_occ[idx]);
			continue;
		}
		*culprit = EXPAND_HELPER;
		*msg = xasprintf("the " HELPER " helper printed a line dondoc does not "
				 "understand: '%.80s' (is it from another version?)", line);
		return -EINVAL;
	}
	return 0;
}

int
expand_run(const char *holidays, const char *const *rules, size_t n_rules,
	   struct date dtstart, struct date from, struct date until,
	   struct expansion *ret, int *ret_culprit, char **reterr_msg)
{
	struct expansion e = { .n_rules = n_rules };
	char a[DATE_ISO_LEN], b[DATE_ISO_LEN], c[DATE_ISO_LEN];
	char *argv[6 + 2 * EXPAND_MAX_RULES + 1], *path, *why = NULL;
	struct buf out;
	size_t n = 0;
	int64_t deadline;
	pid_t pid;
	int fd = -1, status = 0, culprit = EXPAND_HELPER, r, rr;

	if (n_rules > EXPAND_MAX_RULES)
		return -E2BIG;
	buf_init(&out, OUTPUT_MAX_BYTES);
	path = expand_helper_path();
	if (!path) {
		r = -ENOENT;
		why = xasprintf("cannot find the " HELPER " helper beside the dondoc program "
				"or in " DONDOC_LIBEXECDIR ": it reads the holiday file and the "
				"RRULEs (reinstall dondoc: make install)");
		goto out;
	}
	date_format_iso(dtstart, a);
	date_format_iso(from, b);
	date_format_iso(until, c);
	argv[n++] = path;
	argv[n++] = a;
	argv[n++] = b;
	argv[n++] = c;
	if (holidays) {
		argv[n++] = (char *)"--holidays";
		argv[n++] = (char *)holidays;
	}
	for (size_t i = 0; i < n_rules; i++) {
		argv[n++] = (char *)"--rrule";
		argv[n++] = (char *)rules[i];
	}
	argv[n] = NULL;
	r = spawn(argv, &pid, &fd);
	if (r < 0) {
		why = xasprintf("cannot run %s: %s", path, strerror(-r));
		goto out;
	}
	deadline = clock_mono_ms() + EXPAND_TIMEOUT_MS;
	rr = read_all(fd, &out, deadline);
	close(fd);
	if (rr == 0 && reap(pid, deadline, &status) == 0)
		r = 0;
	else {
		/* Stuck, even after closing its output, or unread: stop it. */
		rr = rr < 0 ? rr : -ETIMEDOUT;
		(void)kill(pid, SIGKILL);
		while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
	}
	if (r < 0) {
		r = -errno;
		why = xasprintf("cannot wait for %s: %s", path, strerror(-r));
		goto out;
	}
	if (rr < 0) {
		r = rr;
		why = rr == -ETIMEDOUT ?
			xasprintf("%s did not finish within %d s; it was stopped", path,
				  EXPAND_TIMEOUT_MS / 1000) :
		      rr == -EFBIG ?
			xasprintf("%s printed more than %d bytes; it was stopped", path,
				  OUTPUT_MAX_BYTES) :
			xasprintf("cannot read what %s printed: %s", path, strerror(-rr));
		goto out;
	}
	r = parse_output(out.p, n_rules, &e, &culprit, &why);
	if (r < 0)
		goto out;
	if (r == 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		r = -EIO;
		culprit = EXPAND_HELPER;
		if (WIFSIGNALED(status))
			why = xasprintf("%s was killed by signal %d (%s)", path, WTERMSIG(status),
					strsignal(WTERMSIG(status)));
		else
			why = xasprintf("%s failed (exit status %d) without saying why", path,
					WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		goto out;
	}
	*ret = e;
	memset(&e, 0, sizeof(e));
	r = 0;
out:
	if (r < 0) {
		*ret_culprit = culprit;
		*reterr_msg = why;
	}
	expand_release(&e);
	buf_release(&out);
	free(path);
	return r;
}
