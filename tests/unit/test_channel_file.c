/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of channel_file.c: the outbox directory as a channel, on a
 * real temporary directory.
 */
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "channel.h"
#include "channels.h"
#include "config.h"
#include "mime.h"
#include "registry.h"

struct fx {
	char dir[64];		/* the temporary directory */
	char outbox[128];	/* dir/outbox, not created by setup */
	struct config cfg;
	void *ch;		/* channel state, when a test opened it */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-chfile.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->outbox, sizeof(f->outbox), "%s/outbox", f->dir);
	f->cfg.outbox_dir = f->outbox;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r;

	if (f->ch)
		channel_file_ops.close(f->ch);
	r = testlib_rmtree(f->dir);
	free(f);
	return r == 0 ? 0 : -1;
}

static int
count_lines(const char *path)
{
	char *s = testlib_slurp(path);
	int n = 0;

	if (!s)
		return -1;
	for (const char *p = s; *p; p++)
		n += *p == '\n';
	free(s);
	return n;
}

static void
test_open_creates_directory(void **state)
{
	struct fx *f = *state;
	struct stat st;
	char *msg = NULL;

	assert_int_equal(stat(f->outbox, &st), -1);
	assert_int_equal(channel_file_ops.open(&f->cfg, &f->ch, &msg), 0);
	assert_null(msg);
	assert_non_null(f->ch);
	assert_int_equal(stat(f->outbox, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* The write probe leaves nothing behind. */
	assert_int_equal(testlib_count_files(f->outbox, "", 1), 0);
	assert_string_equal(channel_file_ops.name, "file");
}

static void
test_open_existing_directory(void **state)
{
	struct fx *f = *state;
	char *msg = NULL;

	assert_int_equal(mkdir(f->outbox, 0700), 0);
	assert_int_equal(channel_file_ops.open(&f->cfg, &f->ch, &msg), 0);
	assert_null(msg);
	assert_int_equal(testlib_count_files(f->outbox, "", 1), 0);
}

static void
test_open_regular_file_fails(void **state)
{
	struct fx *f = *state;
	void *ch = NULL;
	char *msg = NULL;
	FILE *fp = fopen(f->outbox, "w");

	assert_non_null(fp);
	fputs("not a directory\n", fp);
	fclose(fp);
	assert_true(channel_file_ops.open(&f->cfg, &ch, &msg) < 0);
	assert_null(ch);
	assert_non_null(msg);
	assert_non_null(strstr(msg, f->outbox));
	free(msg);
}

static void
test_open_missing_parent_fails(void **state)
{
	struct fx *f = *state;
	struct config cfg = { 0 };
	char path[192];
	void *ch = NULL;
	char *msg = NULL;

	snprintf(path, sizeof(path), "%s/no/such/outbox", f->dir);
	cfg.outbox_dir = path;
	assert_int_equal(channel_file_ops.open(&cfg, &ch, &msg), -ENOENT);
	assert_null(ch);
	assert_non_null(msg);
	assert_non_null(strstr(msg, path));
	free(msg);
}

static void
test_reaches_everyone(void **state)
{
	struct fx *f = *state;
	struct person p = { .id = 3, .name = "Nguyễn Văn An" };
	const struct channel_ops *ops[] = { &channel_file_ops };
	struct channels *cs = NULL;
	char *msg = NULL;

	/* No address of its own: whoever has none elsewhere is reached by it. */
	assert_null(channel_file_ops.address);
	assert_int_equal(channels_open_from(&f->cfg, ops, 1, &cs, &msg), 0);
	assert_string_equal(channels_pick(cs, &p), "file");
	channels_free(cs);
}

static void
test_send_writes_file_and_log(void **state)
{
	struct fx *f = *state;
	struct person p = { .id = 42, .name = "Trần Thị Bình" };
	struct outgoing m = { .id = 7, .kind = "reminder", .to = &p,
			      .subject = "[Đôn đốc] 1 nhiệm vụ sắp đến hạn",
			      .body = "Kính gửi đồng chí Trần Thị Bình,\n\nNội dung." };
	char path[256], *msg = NULL, *text, *log;
	int retry_after = -1;
	long long id = 0, person = 0, at = 0;
	time_t before = time(NULL);

	assert_int_equal(channel_file_ops.open(&f->cfg, &f->ch, &msg), 0);
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	assert_null(msg);
	assert_int_equal(retry_after, 0);

	snprintf(path, sizeof(path), "%s/000007-42.txt", f->outbox);
	text = testlib_slurp(path);
	assert_non_null(text);
	assert_string_equal(text, "To: Trần Thị Bình\n"
				  "Kind: reminder\n"
				  "Subject: [Đôn đốc] 1 nhiệm vụ sắp đến hạn\n"
				  "\n"
				  "Kính gửi đồng chí Trần Thị Bình,\n\nNội dung.\n");
	free(text);
	/* Atomic: the temporary file was renamed, nothing else is there. */
	assert_int_equal(testlib_count_files(f->outbox, ".tmp", 1), 0);
	assert_int_equal(testlib_count_files(f->outbox, ".txt", 1), 1);
	assert_int_equal(testlib_count_files(f->outbox, "", 1), 2);	/* the message and the log */

	snprintf(path, sizeof(path), "%s/deliveries.log", f->outbox);
	log = testlib_slurp(path);
	assert_non_null(log);
	assert_int_equal(sscanf(log, "%lld %lld %lld", &id, &person, &at), 3);
	assert_int_equal(id, 7);
	assert_int_equal(person, 42);
	assert_true(at >= (long long)before && at <= (long long)time(NULL));
	assert_int_equal(count_lines(path), 1);
	free(log);
}

static void
test_send_again_replaces_file(void **state)
{
	struct fx *f = *state;
	struct person p = { .id = 5, .name = "Lê Văn Cường" };
	struct outgoing m = { .id = 123456, .kind = "escalation", .to = &p,
			      .subject = "lần một", .body = "thân một" };
	char path[256], *msg = NULL, *text;
	int retry_after = 0;

	assert_int_equal(channel_file_ops.open(&f->cfg, &f->ch, &msg), 0);
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	m.subject = "lần hai";
	m.body = "thân hai";
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	assert_null(msg);

	/* One file for the message, holding the latest attempt. */
	assert_int_equal(testlib_count_files(f->outbox, ".txt", 1), 1);
	assert_int_equal(testlib_count_files(f->outbox, ".tmp", 1), 0);
	snprintf(path, sizeof(path), "%s/123456-5.txt", f->outbox);
	text = testlib_slurp(path);
	assert_non_null(text);
	assert_non_null(strstr(text, "Kind: escalation\n"));
	assert_non_null(strstr(text, "Subject: lần hai\n"));
	assert_non_null(strstr(text, "\nthân hai\n"));
	assert_null(strstr(text, "lần một"));
	free(text);
	/* But the log counts both deliveries: that is how duplicates are seen. */
	snprintf(path, sizeof(path), "%s/deliveries.log", f->outbox);
	assert_int_equal(count_lines(path), 2);
}

static void
test_send_distinct_messages(void **state)
{
	struct fx *f = *state;
	struct person a = { .id = 1, .name = "A" }, b = { .id = 2, .name = "B" };
	struct outgoing m = { .kind = "reminder", .subject = "s", .body = "b" };
	char path[256], *msg = NULL;
	int retry_after = 0;

	assert_int_equal(channel_file_ops.open(&f->cfg, &f->ch, &msg), 0);
	m.id = 1;
	m.to = &a;
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	m.id = 2;
	m.to = &b;
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	m.id = 1000000;	/* wider than six digits: still one file, not truncated */
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	assert_int_equal(testlib_count_files(f->outbox, ".txt", 1), 3);
	snprintf(path, sizeof(path), "%s/000001-1.txt", f->outbox);
	assert_int_equal(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/000002-2.txt", f->outbox);
	assert_int_equal(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/1000000-2.txt", f->outbox);
	assert_int_equal(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/deliveries.log", f->outbox);
	assert_int_equal(count_lines(path), 3);
}

/* The directory vanished under a running daemon: a transient failure, said why. */
static void
test_send_failure_retries(void **state)
{
	struct fx *f = *state;
	struct person p = { .id = 9, .name = "X" };
	struct outgoing m = { .id = 9, .kind = "reminder", .to = &p, .subject = "s", .body = "b" };
	char *msg = NULL;
	int retry_after = -1;

	assert_int_equal(channel_file_ops.open(&f->cfg, &f->ch, &msg), 0);
	assert_int_equal(testlib_rmtree(f->outbox), 0);
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_RETRY);
	assert_int_equal(retry_after, 0);
	assert_non_null(msg);
	assert_non_null(strstr(msg, f->outbox));
	free(msg);
}

static double
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void
test_delay_ms(void **state)
{
	struct fx *f = *state;
	struct person p = { .id = 1, .name = "A" };
	struct outgoing m = { .id = 1, .kind = "reminder", .to = &p, .subject = "s", .body = "b" };
	struct timespec t0, t1;
	char *msg = NULL;
	int retry_after = 0;
	double ms;

	f->cfg.file_delay_ms = 250;
	assert_int_equal(channel_file_ops.open(&f->cfg, &f->ch, &msg), 0);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
	ms = elapsed_ms(&t0, &t1);
	assert_true(ms >= 240.0);
	assert_true(ms < 5000.0);	/* generous: sanitizers and loaded machines */
}

static void
test_no_delay(void **state)
{
	struct fx *f = *state;
	struct person p = { .id = 1, .name = "A" };
	struct outgoing m = { .id = 1, .kind = "reminder", .to = &p, .subject = "s", .body = "b" };
	struct timespec t0, t1;
	char *msg = NULL;
	int retry_after = 0;

	f->cfg.file_delay_ms = 0;
	assert_int_equal(channel_file_ops.open(&f->cfg, &f->ch, &msg), 0);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
	for (int i = 0; i < 5; i++) {
		m.id = i + 1;
		assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	}
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
	/* Five sends with fsync, but no deliberate pause of 250 ms each. */
	assert_true(elapsed_ms(&t0, &t1) < 1250.0);
}

/* An attachment (the digest's workbook) is written beside its message, which names it. */
static void
test_send_writes_attachment(void **state)
{
	struct fx *f = *state;
	struct person p = { .id = 0, .name = "vp@tinhuy.example.gov.vn" };
	static const char xlsx[] = "PK\x03\x04\0bytes";
	struct mime_attachment att = { .filename = "Bao-cao-tien-do-2025-10-03.xlsx",
				       .data = xlsx, .len = sizeof(xlsx) - 1 };
	struct outgoing m = { .id = 12, .kind = "digest", .to = &p, .subject = "Báo cáo",
			      .body = "Nội dung.", .attachments = &att, .n_attachments = 1 };
	char path[256], *msg = NULL, *text;
	int retry_after = 0;
	FILE *in;
	char got[32];
	size_t n;

	assert_int_equal(channel_file_ops.open(&f->cfg, &f->ch, &msg), 0);
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	snprintf(path, sizeof(path), "%s/000012-0.txt", f->outbox);
	text = testlib_slurp(path);
	assert_non_null(text);
	assert_string_equal(text, "To: vp@tinhuy.example.gov.vn\n"
				  "Kind: digest\n"
				  "Subject: Báo cáo\n"
				  "Attachment: 000012-Bao-cao-tien-do-2025-10-03.xlsx\n"
				  "\n"
				  "Nội dung.\n");
	free(text);
	snprintf(path, sizeof(path), "%s/000012-Bao-cao-tien-do-2025-10-03.xlsx", f->outbox);
	in = fopen(path, "rb");
	assert_non_null(in);
	n = fread(got, 1, sizeof(got), in);
	fclose(in);
	assert_int_equal(n, sizeof(xlsx) - 1);
	assert_memory_equal(got, xlsx, n);
	/* A filename cannot leave the outbox directory. */
	att.filename = "../x/.hidden";
	m.id = 13;
	assert_int_equal(channel_file_ops.send(f->ch, &m, &retry_after, &msg), DELIVERY_SENT);
	snprintf(path, sizeof(path), "%s/000013-_._x_.hidden", f->outbox);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(testlib_count_files(f->outbox, ".tmp", 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_send_writes_attachment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_creates_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_existing_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_regular_file_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing_parent_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reaches_everyone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_writes_file_and_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_again_replaces_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_distinct_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_failure_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delay_ms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_delay, setup, teardown),
	};

	return cmocka_run_group_tests_name("channel_file", tests, NULL, NULL);
}
