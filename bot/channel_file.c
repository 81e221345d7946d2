/* SPDX-License-Identifier: MIT */
/*
 * The file channel: each message becomes one file in the outbox directory,
 * so a newcomer sees reminders without any credentials (DESIGN §6).
 *
 * A message is written to a temporary file, flushed and renamed to
 * "<id>-<person>.txt", so a reader never sees half a message and a retry
 * of the same message replaces its file instead of adding one.  Every
 * delivery also appends one line to "deliveries.log" (id, person, time,
 * and the pid of the process that wrote it, one of several instances
 * maybe): that log is how a crash test counts what was delivered twice.
 *
 * An attachment (the digest's workbook) is written beside the message,
 * as "<id>-<its filename>", before the message that names it, the same
 * way: a reader who sees the message finds the file whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "channel.h"
#include "config.h"
#include "mime.h"
#include "registry.h"
#include "xalloc.h"

struct file_channel {
	char *dir;
	int delay_ms;	/* [file] delay_ms: a slow link, for tests and demos */
};

static int
file_open(const struct config *cfg, void **ret, char **reterr_msg)
{
	struct file_channel *fc;
	char *probe = NULL;
	int fd;

	if (mkdir(cfg->outbox_dir, 0750) < 0 && errno != EEXIST) {
		*reterr_msg = xasprintf("cannot create the outbox directory '%s': %s",
					cfg->outbox_dir, strerror(errno));
		return -errno;
	}
	/* Find out now, not at the first reminder, that we cannot write there. */
	probe = xasprintf("%s/.dondoc-probe-XXXXXX", cfg->outbox_dir);
	fd = mkstemp(probe);
	if (fd < 0) {
		int e = errno;

		*reterr_msg = xasprintf("cannot write in the outbox directory '%s': %s",
					cfg->outbox_dir, strerror(e));
		free(probe);
		return -e;
	}
	close(fd);
	(void)unlink(probe);
	free(probe);
	fc = xcalloc(1, sizeof(*fc));
	fc->dir = xstrdup(cfg->outbox_dir);
	fc->delay_ms = cfg->file_delay_ms;
	*ret = fc;
	return 0;
}

static void
file_close(void *state)
{
	struct file_channel *fc = state;

	if (fc) {
		free(fc->dir);
		free(fc);
	}
}

/* Writes all of data to fd; 0 or -errno. */
static int
write_all(int fd, const char *data, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, data, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * Writes n bytes of data to path through a temporary file, flushed and
 * renamed; 0 or -errno.
 */
static int
write_file(const char *dir, int64_t id, const char *path, const void *data, size_t n)
{
	char *tmp = xasprintf("%s/.%lld.att.tmp", dir, (long long)id);
	int fd, r = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || (r = write_all(fd, data, n)) < 0 || fsync(fd) < 0)
		r = r < 0 ? r : -errno;
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	free(tmp);
	return r;
}

/* A filename as it may go in the outbox directory: no '/', no leading dot. */
static char *
safe_name(const char *name)
{
	char *out = xstrdup(name && *name ? name : "attachment");

	for (char *p = out; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20)
			*p = '_';
	if (out[0] == '.')
		out[0] = '_';
	return out;
}

/*
 * Writes the attachments of m beside its message, naming each in b (a
 * line "Attachment: NAME").  0, or -errno with the path in *ret_path.
 */
static int
write_attachments(struct file_channel *fc, const struct outgoing *m, struct buf *b,
		  char **ret_path)
{
	for (size_t i = 0; i < m->n_attachments; i++) {
		const struct mime_attachment *a = &m->attachments[i];
		char *name = safe_name(a->filename), *path;
		int r;

		path = xasprintf("%s/%06lld-%s", fc->dir, (long long)m->id, name);
		r = write_file(fc->dir, m->id, path, a->data ? a->data : "", a->len);
		if (r < 0) {
			free(name);
			*ret_path = path;
			return r;
		}
		(void)buf_addf(b, "Attachment: %06lld-%s\n", (long long)m->id, name);
		free(name);
		free(path);
	}
	return 0;
}

static enum delivery
file_send(void *state, const struct outgoing *m, int *ret_retry_after, char **reterr_msg)
{
	struct file_channel *fc = state;
	char *tmp = NULL, *final = NULL, *log = NULL;
	struct buf b;
	int fd = -1, r = 0;
	enum delivery d = DELIVERY_SENT;

	*ret_retry_after = 0;
	if (fc->delay_ms > 0) {
		struct timespec ts = { fc->delay_ms / 1000, (long)(fc->delay_ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	buf_init(&b, (size_t)64 << 20);
	(void)buf_addf(&b, "To: %s\nKind: %s\nSubject: %s\n", m->to->name, m->kind, m->subject);
	final = xasprintf("%s/%06lld-%lld.txt", fc->dir, (long long)m->id, (long long)m->to->id);
	r = write_attachments(fc, m, &b, &tmp);
	if (r < 0) {
		free(final);
		final = tmp;
		tmp = NULL;
		goto fail;
	}
	(void)buf_addf(&b, "\n%s\n", m->body);
	tmp = xasprintf("%s/.%lld.tmp", fc->dir, (long long)m->id);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || (r = write_all(fd, b.p, b.len)) < 0 || fsync(fd) < 0) {
		r = r < 0 ? r : -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, final) < 0) {
		r = -errno;
		goto fail;
	}
	/* The delivery log: one line per delivery, appended atomically. */
	log = xasprintf("%s/deliveries.log", fc->dir);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd >= 0) {
		char line[96];
		int n = snprintf(line, sizeof(line), "%lld %lld %lld %ld\n", (long long)m->id,
				 (long long)m->to->id, (long long)time(NULL), (long)getpid());

		(void)write_all(fd, line, (size_t)n);
		close(fd);
		fd = -1;
	}
	goto out;
fail:
	/* A full or read-only disk may recover: retry later. */
	*reterr_msg = xasprintf("cannot write '%s': %s", final, strerror(-r));
	d = DELIVERY_RETRY;
	if (fd >= 0)
		close(fd);
	if (tmp)
		(void)unlink(tmp);
out:
	buf_release(&b);
	free(tmp);
	free(final);
	free(log);
	return d;
}

static int
file_check(void *state, char **ret_msg)
{
	struct file_channel *fc = state;

	/* open() already proved the directory writable. */
	*ret_msg = xasprintf("messages are written to '%s'", fc->dir);
	return 0;
}

const struct channel_ops channel_file_ops = {
	.name = "file",
	.label_vi = "tệp trên máy chủ",
	.form = CHANNEL_FORM_MAIL,
	.order = 40,	/* last: it reaches everyone (no address, no reaches) */
	.open = file_open,
	.close = file_close,
	.send = file_send,
	.check = file_check,
};
