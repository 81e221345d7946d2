/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of inbound.c's isolation (issue 10): which failures are the
 * environment's (retried) and which the update's (answered and
 * acknowledged), and an update whose answer cannot be rendered, handled
 * alone and in a caller's transaction (the webhook's group commit) next
 * to one that works.  A real SQLite registry in a temporary directory;
 * the shipped templates, with one answer made to render over the cap.
 */
#include "testlib.h"

#include <errno.h>

#include "clock.h"
#include "command.h"
#include "inbound.h"
#include "render.h"
#include "schedule.h"
#include "store.h"

struct fx {
	char dir[64];
	struct store *s;
	struct schedule *sch;
	struct renderer *rend;
};

/* Copies the .mustache files of from into a new folder to. */
static void
copy_dir(const char *from, const char *to)
{
	DIR *d = opendir(from);
	struct dirent *de;

	assert_non_null(d);
	assert_int_equal(mkdir(to, 0755), 0);
	while ((de = readdir(d))) {
		char src[512], dst[512], *text;
		FILE *f;
		long n;

		if (!strstr(de->d_name, ".mustache"))
			continue;
		snprintf(src, sizeof(src), "%s/%s", from, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", to, de->d_name);
		f = fopen(src, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		n = ftell(f);
		rewind(f);
		text = malloc((size_t)n + 1);
		assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		testlib_write_bytes(dst, text, (size_t)n);
		free(text);
	}
	closedir(d);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[128], *msg = NULL, *big;

	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-inbound.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/tpl", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/tpl/vi", f->dir);
	copy_dir("templates/vi", path);
	snprintf(path, sizeof(path), "%s/tpl/vi/partials", f->dir);
	copy_dir("templates/vi/partials", path);
	/* Over the 1 MiB cap whatever the data: nothing a load can see. */
	big = malloc(200001);
	memset(big, 'x', 200000);
	snprintf(path, sizeof(path), "%s/tpl/vi/partials/big.chat.mustache", f->dir);
	testlib_write_bytes(path, big, 200000);
	free(big);
	snprintf(path, sizeof(path), "%s/tpl/vi/link_instructions.chat.mustache", f->dir);
	testlib_write(path, "{{> big}}{{> big}}{{> big}}{{> big}}{{> big}}{{> big}}\n");
	snprintf(path, sizeof(path), "%s/tpl", f->dir);
	if (renderer_load(path, &f->rend, &msg) < 0 ||
	    schedule_load("schedules", TESTLIB_TODAY, &f->sch, &msg) < 0) {
		fprintf(stderr, "setup: %s\n", msg ? msg : "?");
		return -1;
	}
	testlib_store_where(path, sizeof(path), f->dir, "r.db");
	assert_int_equal(store_open(path, STORE_CREATE, &f->s, NULL), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	renderer_free(f->rend);
	schedule_free(f->sch);
	testlib_rmtree(f->dir);
	free(f);
	return 0;
}

static struct command_in
in_for(const struct fx *f, const char *text)
{
	return (struct command_in){ .channel = "telegram", .chat_id = "42", .text = text,
				    .now = 1759200000, .today = { 2025, 9, 30 },
				    .cal = f->sch->cal };
}

static void
test_transient(void **state)
{
	(void)state;
	/* The registry locked, the disk full or failing: the same update may work later. */
	assert_true(inbound_transient(-EBUSY));
	assert_true(inbound_transient(-ENOSPC));
	assert_true(inbound_transient(-EIO));
	assert_true(inbound_transient(-EROFS));
	/* The update's own: it would fail the same each time. */
	assert_false(inbound_transient(-ENOBUFS));	/* an answer over the cap */
	assert_false(inbound_transient(-ENOENT));	/* a template not there */
	assert_false(inbound_transient(-ELOOP));	/* partials nested for ever */
	assert_false(inbound_transient(-EINVAL));	/* a row the registry refuses */
	assert_false(inbound_transient(-EEXIST));
}

/* An unrenderable update acknowledged: recorded as handled, answered with the generic error. */
static void
test_unrenderable_answered(void **state)
{
	struct fx *f = *state;
	struct inbound_env env = { .s = f->s, .rend = f->rend, .sch = f->sch };
	struct command_in in = in_for(f, "/viec");
	struct inbound_result res = { 0 };

	assert_int_equal(inbound_handle(&env, &in, 7, 3, &res), 0);
	assert_string_equal(res.command, "failed");
	assert_true(res.refused);
	assert_true(res.direct);	/* a chat linked to no one: sent at once */
	assert_non_null(strstr(res.chat, "Hệ thống gặp lỗi"));
	assert_non_null(strstr(res.toast, "Chưa ghi nhận"));
	inbound_result_release(&res);
	/* Recorded: the same update again is a duplicate, never handled twice. */
	assert_int_equal(inbound_handle(&env, &in, 7, 3, &res), 0);
	assert_true(res.duplicate);
	inbound_result_release(&res);
}

/* In a caller's transaction (group commit): the poisoned one answered, the next handled. */
static void
test_unrenderable_in_batch(void **state)
{
	struct fx *f = *state;
	struct inbound_env env = { .s = f->s, .rend = f->rend, .sch = f->sch, .in_txn = true };
	struct command_in bad = in_for(f, "/viec"), good = in_for(f, "/start NOSUCHCODE");
	struct inbound_result res = { 0 };

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(inbound_handle(&env, &bad, 11, 0, &res), 0);
	assert_string_equal(res.command, "failed");
	inbound_result_release(&res);
	assert_int_equal(inbound_handle(&env, &good, 12, 0, &res), 0);
	assert_string_equal(res.command, "link");
	assert_null(strstr(res.chat, "Hệ thống gặp lỗi"));
	inbound_result_release(&res);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_chat_update_seen(f->s, "telegram", 11, 1759200000), -EEXIST);
	assert_int_equal(store_chat_update_seen(f->s, "telegram", 12, 1759200000), -EEXIST);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transient),
		cmocka_unit_test_setup_teardown(test_unrenderable_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unrenderable_in_batch, setup, teardown),
	};

	return cmocka_run_group_tests_name("inbound", tests, NULL, NULL);
}
