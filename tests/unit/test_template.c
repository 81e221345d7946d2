/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/template.c.  Every case of the official Mustache spec's
 * required modules (shared/refdata/mustache-spec/, read at run time) runs
 * as its own cmocka test named after its file and case, with HTML
 * escaping as the spec expects; then our own cases: the three escape
 * modes, compile errors and their lines, the output cap, runaway partial
 * recursion, partial indentation, Vietnamese text and truthiness.
 */
#include "testlib.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <jansson.h>

#include "macro.h"
#include "template.h"
#include "xalloc.h"

#define MAX_OUT (1024 * 1024)

static const char *const spec_files[] = {
	"comments", "delimiters", "interpolation", "inverted", "partials", "sections",
};

/* Partials by name: a small table the callback searches. */
struct partials {
	const char **names;
	struct template **templates;
	size_t n;
};

static const struct template *
find_partial(const char *name, void *userdata)
{
	const struct partials *p = userdata;
	size_t k;

	for (k = 0; k < p->n; k++)
		if (strcmp(p->names[k], name) == 0)
			return p->templates[k];
	return NULL;
}

static void
partials_add(struct partials *p, const char *name, const char *text)
{
	char *err = NULL;
	int r;

	p->names = xgrowarray(p->names, p->n, sizeof(*p->names));
	p->templates = xgrowarray(p->templates, p->n, sizeof(*p->templates));
	r = template_compile(name, text, &p->templates[p->n], &err);
	if (r < 0)
		fail_msg("partial '%s': %s", name, err);
	p->names[p->n++] = name;
}

static void
partials_release(struct partials *p)
{
	size_t k;

	for (k = 0; k < p->n; k++)
		template_free(p->templates[k]);
	free(p->templates);
	free(p->names);
}

/* Compiles text (and partials), renders data, returns the new output. */
static char *
render(const char *text, const json_t *data, enum template_escape esc, struct partials *p)
{
	struct template *t = NULL;
	char *err = NULL, *out = NULL;
	int r;

	r = template_compile("test", text, &t, &err);
	if (r < 0)
		fail_msg("compile: %s", err);
	r = template_render(t, data, esc, p ? find_partial : NULL, p, MAX_OUT, &out);
	assert_int_equal(r, 0);
	template_free(t);
	return out;
}

/* One spec case; *state is its object in the spec file. */
static void
test_spec_case(void **state)
{
	const json_t *tc = *state;
	const json_t *partials = json_object_get(tc, "partials");
	struct partials p = { 0 };
	const char *key;
	json_t *value;
	char *out;

	json_object_foreach((json_t *)partials, key, value)
		partials_add(&p, key, json_string_value(value));
	out = render(json_string_value(json_object_get(tc, "template")),
		     json_object_get(tc, "data"), TEMPLATE_ESCAPE_HTML, &p);
	assert_string_equal(out, json_string_value(json_object_get(tc, "expected")));
	free(out);
	partials_release(&p);
}

static void
test_spec_missing(void **state)
{
	(void)state;
	print_message("shared/refdata/mustache-spec not found (set DONDOC_SHARED), "
		      "skipping the spec cases\n");
	skip();
}

static void
test_escape_modes(void **state)
{
	static const struct {
		enum template_escape esc;
		const char *want;
	} cases[] = {
		{ TEMPLATE_ESCAPE_HTML, "&lt;script&gt;&amp;&quot;&#39;" },
		{ TEMPLATE_ESCAPE_TELEGRAM, "&lt;script&gt;&amp;\"'" },
		{ TEMPLATE_ESCAPE_NONE, "<script>&\"'" },
	};
	json_t *data = json_pack("{s:s}", "x", "<script>&\"'");
	size_t k;

	(void)state;
	for (k = 0; k < ELEMENTSOF(cases); k++) {
		char *out = render("{{x}}|{{{x}}}|{{&x}}", data, cases[k].esc, NULL);
		char *want = xasprintf("%s|<script>&\"'|<script>&\"'", cases[k].want);
		char *e = template_escape("<script>&\"'", cases[k].esc);

		assert_string_equal(out, want);
		assert_string_equal(e, cases[k].want);
		free(e);
		free(want);
		free(out);
	}
	assert_null(template_escape(NULL, TEMPLATE_ESCAPE_HTML));
	json_decref(data);
}

static void
test_bad_escape(void **state)
{
	struct template *t = NULL;
	char *out = NULL;

	(void)state;
	assert_int_equal(template_compile("t", "x", &t, NULL), 0);
	assert_int_equal(template_render(t, NULL, _TEMPLATE_ESCAPE_MAX, NULL, NULL, 10, &out),
			 -EINVAL);
	assert_null(out);
	template_free(t);
}

static void
test_compile_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "a\n{{x", "vi/t.html:2: unclosed tag" },
		{ "a\n\nb {{{x}}", "vi/t.html:3: unclosed tag" },
		{ "{{#a}}\n{{!\nx\n", "vi/t.html:2: unclosed tag" },
		{ "a\n\n{{#tasks}}\nx\n", "vi/t.html:3: unclosed section 'tasks'" },
		{ "{{#a}}\n{{#b}}\n{{/a}}\n",
		  "vi/t.html:3: closing tag 'a' does not match section 'b' opened on line 2" },
		{ "x\n{{/a}}", "vi/t.html:2: closing tag 'a' without an open section" },
		{ "{{#a}}{{/a}}\n{{/a}}", "vi/t.html:2: closing tag 'a' without an open section" },
		{ "\n{{=<% %>}}", "vi/t.html:2: bad delimiter change '<% %>'" },
		{ "{{=<%%>=}}", "vi/t.html:1: bad delimiter change '<%%>'" },
		{ "{{=<% = %>=}}", "vi/t.html:1: bad delimiter change '<% = %>'" },
		{ "{{==}}", "vi/t.html:1: bad delimiter change ''" },
		{ "{{=<% %>=}}\n<%x}}", "vi/t.html:2: unclosed tag" },
		{ "a {{}}", "vi/t.html:1: empty tag" },
		{ "\n\n\n{{a b}}", "vi/t.html:4: bad tag name 'a b'" },
		{ "{{a..b}}", "vi/t.html:1: bad tag name 'a..b'" },
		{ "{{#.a}}{{/.a}}", "vi/t.html:1: bad tag name '.a'" },
		{ "{{>}}", "vi/t.html:1: empty tag" },
	};
	size_t k;

	(void)state;
	for (k = 0; k < ELEMENTSOF(cases); k++) {
		struct template *t = NULL;
		char *err = NULL;

		assert_int_equal(template_compile("vi/t.html", cases[k].text, &t, &err), -EINVAL);
		assert_null(t);
		assert_string_equal(err, cases[k].msg);
		free(err);
		/* The message is optional. */
		assert_int_equal(template_compile("vi/t.html", cases[k].text, &t, NULL), -EINVAL);
	}
}

static void
test_nesting_limit(void **state)
{
	char text[64 * 8 + 64 * 8 + 1] = "";
	struct template *t = NULL;
	char *err = NULL;
	size_t k, n = 0;

	(void)state;
	for (k = 0; k < 64; k++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{{#a}}");
	for (k = 0; k < 64; k++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{{/a}}");
	assert_int_equal(template_compile("t", text, &t, &err), 0);
	t = template_free(t);
	assert_null(t);
	/* Sixty-five deep is refused. */
	memmove(text + 6, text, n + 1);
	memcpy(text, "{{#a}}", 6);
	assert_int_equal(template_compile("t", text, &t, &err), -EINVAL);
	assert_string_equal(err, "t:1: section 'a' nested deeper than 64");
	free(err);
	assert_null(template_free(NULL));
}

static void
test_nobufs(void **state)
{
	json_t *data = json_pack("{s:[iiiiiiiiii]}", "l", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	struct template *t = NULL;
	char *out = NULL;

	(void)state;
	assert_int_equal(template_compile("t", "{{#l}}<{{.}}>{{/l}}", &t, NULL), 0);
	/* 9 * 3 + 4 = 31 bytes. */
	assert_int_equal(template_render(t, data, TEMPLATE_ESCAPE_NONE, NULL, NULL, 30, &out),
			 -ENOBUFS);
	assert_null(out);
	assert_int_equal(template_render(t, data, TEMPLATE_ESCAPE_NONE, NULL, NULL, 31, &out), 0);
	assert_string_equal(out, "<1><2><3><4><5><6><7><8><9><10>");
	free(out);
	out = NULL;
	/* Escaping counts: "&" becomes five bytes. */
	json_decref(data);
	data = json_pack("{s:s}", "x", "&&");
	t = template_free(t);
	assert_int_equal(template_compile("t", "{{x}}", &t, NULL), 0);
	assert_int_equal(template_render(t, data, TEMPLATE_ESCAPE_HTML, NULL, NULL, 9, &out),
			 -ENOBUFS);
	assert_int_equal(template_render(t, data, TEMPLATE_ESCAPE_NONE, NULL, NULL, 9, &out), 0);
	assert_string_equal(out, "&&");
	free(out);
	template_free(t);
	json_decref(data);
}

static void
test_recursive_partial(void **state)
{
	struct partials p = { 0 };
	struct template *t = NULL;
	json_t *tree;
	char *out = NULL;
	int r;

	(void)state;
	/* A partial that includes itself unconditionally stops at depth 64. */
	partials_add(&p, "self", "{{>self}}");
	partials_add(&p, "grow", "x{{>grow}}");
	assert_int_equal(template_compile("t", "{{>self}}", &t, NULL), 0);
	r = template_render(t, NULL, TEMPLATE_ESCAPE_NONE, find_partial, &p, MAX_OUT, &out);
	assert_int_equal(r, -ELOOP);
	assert_null(out);
	t = template_free(t);
	assert_int_equal(template_compile("t", "{{>grow}}", &t, NULL), 0);
	r = template_render(t, NULL, TEMPLATE_ESCAPE_NONE, find_partial, &p, MAX_OUT, &out);
	assert_int_equal(r, -ELOOP);
	r = template_render(t, NULL, TEMPLATE_ESCAPE_NONE, find_partial, &p, 10, &out);
	assert_int_equal(r, -ENOBUFS);
	assert_null(out);
	t = template_free(t);

	/*
	 * Recursion the data ends is fine.  Leaves need their own empty
	 * "kids": a missing one would be found further down the context
	 * stack, and the recursion would then only end at the limit.
	 */
	partials_add(&p, "node", "{{name}}({{#kids}}{{>node}}{{/kids}})");
	tree = json_pack("{s:s, s:[{s:s, s:[{s:s, s:[]}]}, {s:s, s:[]}]}", "name", "1", "kids",
			 "name", "1.1", "kids", "name", "1.1.1", "kids", "name", "1.2", "kids");
	out = render("{{>node}}", tree, TEMPLATE_ESCAPE_NONE, &p);
	assert_string_equal(out, "1(1.1(1.1.1())1.2())");
	free(out);
	json_decref(tree);
	partials_release(&p);
}

static void
test_partial_indentation(void **state)
{
	struct partials p = { 0 };
	char *out;

	(void)state;
	partials_add(&p, "a", "a1\n  {{>b}}\nz\n");
	partials_add(&p, "b", "b1\nb2\n");
	partials_add(&p, "inline", "x{{>c}}\n");
	partials_add(&p, "c", "c1\nc2");
	partials_add(&p, "open", "{{>last}}\nz\n");
	partials_add(&p, "last", "b");

	/* Nested standalone partials add their indentations up. */
	out = render("  {{>a}}\n", NULL, TEMPLATE_ESCAPE_NONE, &p);
	assert_string_equal(out, "  a1\n    b1\n    b2\n  z\n");
	free(out);
	/* An inline partial's own lines are not indented. */
	out = render("  {{>inline}}\n", NULL, TEMPLATE_ESCAPE_NONE, &p);
	assert_string_equal(out, "  xc1\nc2\n");
	free(out);
	/* The line after a standalone partial is a new line of the parent. */
	out = render("  {{>open}}\n", NULL, TEMPLATE_ESCAPE_NONE, &p);
	assert_string_equal(out, "  b  z\n");
	free(out);
	partials_release(&p);
}

static void
test_no_partials(void **state)
{
	struct partials p = { 0 };
	char *out;

	(void)state;
	out = render("a{{>p}}b\n  {{>p}}\nc", NULL, TEMPLATE_ESCAPE_HTML, NULL);
	assert_string_equal(out, "ab\nc");
	free(out);
	out = render("a{{>p}}b", NULL, TEMPLATE_ESCAPE_HTML, &p);
	assert_string_equal(out, "ab");
	free(out);
}

struct seen {
	char names[64];
	unsigned lines[4];
	size_t n;
};

static int
note_partial(const char *name, unsigned line, void *userdata)
{
	struct seen *sn = userdata;

	if (strcmp(name, "stop") == 0)
		return -ECANCELED;
	snprintf(sn->names + strlen(sn->names), sizeof(sn->names) - strlen(sn->names), "%s%s",
		 sn->n ? "," : "", name);
	sn->lines[sn->n++] = line;
	return 0;
}

/* Every partial of a template, in sections or not, with its line: what a loader checks. */
static void
test_each_partial(void **state)
{
	struct template *t = NULL;
	struct seen sn = { 0 };

	(void)state;
	assert_int_equal(template_compile("vi/x.text.mustache",
					  "{{> a}}\n{{#tasks}}\n  {{> b}}\n{{/tasks}}\n"
					  "{{=<% %>=}}\n<%^none%>x <%> c.d %><%/none%>\n", &t, NULL), 0);
	assert_string_equal(template_name(t), "vi/x.text.mustache");
	assert_int_equal(template_each_partial(t, note_partial, &sn), 0);
	assert_string_equal(sn.names, "a,b,c.d");
	assert_int_equal(sn.n, 3);
	assert_int_equal(sn.lines[0], 1);
	assert_int_equal(sn.lines[1], 3);
	assert_int_equal(sn.lines[2], 6);
	template_free(t);
	assert_int_equal(template_compile("t", "{{> stop}}{{> a}}", &t, NULL), 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(template_each_partial(t, note_partial, &sn), -ECANCELED);
	assert_int_equal(sn.n, 0);
	template_free(t);
}

static void
test_vietnamese(void **state)
{
	/* "ệ" composed, and "ệ" as e + U+0323 + U+0302: both kept byte for byte. */
	static const char text[] =
		"Kính gửi đồng chí {{ten}},\n"
		"\n"
		"Ban Chỉ đạo nhắc {{so}} nhiệm vụ sắp đến hạn:\n"
		"{{#viec}}\n"
		"  • {{ma}} — {{tieu_de}} (hạn: {{han}})\n"
		"{{/viec}}\n"
		"{{^viec}}\n"
		"  Không có nhiệm vụ nào.\n"
		"{{/viec}}\n"
		"Trân trọng.\n";
	json_t *data = json_pack("{s:s, s:i, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}",
				 "ten", "Nguyễn Thị Hằng", "so", 2, "viec",
				 "ma", "NV-01", "tieu_de", "Báo cáo sơ kết & đánh giá <quý II>",
				 "han", "Quý II/2025",
				 "ma", "NV-02", "tieu_de", "Hoàn thi\x65\xcc\xa3\xcc\x82n đề án",
				 "han", "30/9/2025");
	char *out;

	(void)state;
	out = render(text, data, TEMPLATE_ESCAPE_HTML, NULL);
	assert_string_equal(out,
		"Kính gửi đồng chí Nguyễn Thị Hằng,\n"
		"\n"
		"Ban Chỉ đạo nhắc 2 nhiệm vụ sắp đến hạn:\n"
		"  • NV-01 — Báo cáo sơ kết &amp; đánh giá &lt;quý II&gt; (hạn: Quý II/2025)\n"
		"  • NV-02 — Hoàn thi\x65\xcc\xa3\xcc\x82n đề án (hạn: 30/9/2025)\n"
		"Trân trọng.\n");
	free(out);
	json_object_set_new(data, "viec", json_array());
	out = render(text, data, TEMPLATE_ESCAPE_NONE, NULL);
	assert_string_equal(out,
		"Kính gửi đồng chí Nguyễn Thị Hằng,\n"
		"\n"
		"Ban Chỉ đạo nhắc 2 nhiệm vụ sắp đến hạn:\n"
		"  Không có nhiệm vụ nào.\n"
		"Trân trọng.\n");
	free(out);
	json_decref(data);
}

static void
test_values_and_truthiness(void **state)
{
	json_t *data = json_pack("{s:s, s:i, s:{}, s:f, s:f, s:I, s:I, s:[i,i], s:{s:b}, s:b}",
				 "empty", "", "zero", 0, "obj", "tenth", 0.1, "third", 1.0 / 3,
				 "big", (json_int_t)-9007199254740993LL,
				 "min", (json_int_t)LLONG_MIN,
				 "list", 1, 2, "o", "k", 1, "t", 1);
	json_t *root;
	char *out;

	(void)state;
	/* "" is falsey (optional text fields guard their line); 0 and {} are not. */
	out = render("{{#empty}}E{{/empty}}{{^empty}}e{{/empty}}"
		     "{{#zero}}Z{{/zero}}{{#obj}}O{{/obj}}", data, TEMPLATE_ESCAPE_HTML, NULL);
	assert_string_equal(out, "eZO");
	free(out);
	out = render("{{tenth}} {{third}} {{big}} {{min}} {{zero}} {{t}} {{list}} {{o}} "
		     "[{{missing}}] [{{o.k.x}}]", data, TEMPLATE_ESCAPE_HTML, NULL);
	assert_string_equal(out, "0.1 0.3333333333333333 -9007199254740993 -9223372036854775808 0 "
			    "true [1,2] {&quot;k&quot;:true} [] []");
	free(out);
	/* A scalar root and a NULL root. */
	root = json_string("<x>");
	out = render("{{.}}", root, TEMPLATE_ESCAPE_HTML, NULL);
	assert_string_equal(out, "&lt;x&gt;");
	free(out);
	json_decref(root);
	out = render("[{{.}}{{a}}{{#a}}x{{/a}}{{^a}}y{{/a}}]", NULL, TEMPLATE_ESCAPE_HTML, NULL);
	assert_string_equal(out, "[y]");
	free(out);
	json_decref(data);
}

static void
test_render_many(void **state)
{
	struct template *t = NULL;
	json_t *a = json_pack("{s:s}", "x", "a"), *b = json_pack("{s:s}", "x", "b");
	char *out = NULL;
	int k;

	(void)state;
	assert_int_equal(template_compile("t", "<{{x}}>", &t, NULL), 0);
	for (k = 0; k < 4; k++) {
		assert_int_equal(template_render(t, k % 2 ? b : a, TEMPLATE_ESCAPE_NONE, NULL, NULL,
						 100, &out), 0);
		assert_string_equal(out, k % 2 ? "<b>" : "<a>");
		free(out);
	}
	template_free(t);
	json_decref(a);
	json_decref(b);
}

/*
 * Loads the spec files into *ret_roots and fills one test per case;
 * returns the number of tests, or 0 when shared/ is missing.
 */
static size_t
load_spec(json_t **roots, struct CMUnitTest **ret_table, char ***ret_names)
{
	const char *shared = testlib_shared();
	struct CMUnitTest *table = NULL;
	char **names = NULL;
	size_t f, k, n = 0;

	if (!shared)
		return 0;
	for (f = 0; f < ELEMENTSOF(spec_files); f++) {
		char *path = xasprintf("%s/refdata/mustache-spec/%s.json", shared, spec_files[f]);
		json_error_t e;
		json_t *tests;

		roots[f] = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
		if (!roots[f]) {
			fprintf(stderr, "%s:%d: %s\n", path, e.line, e.text);
			exit(1);
		}
		free(path);
		tests = json_object_get(roots[f], "tests");
		table = xgrowto(table, n + json_array_size(tests), sizeof(*table));
		names = xgrowto(names, n + json_array_size(tests), sizeof(*names));
		for (k = 0; k < json_array_size(tests); k++, n++) {
			json_t *tc = json_array_get(tests, k);

			names[n] = xasprintf("%s: %s", spec_files[f],
					     json_string_value(json_object_get(tc, "name")));
			memset(&table[n], 0, sizeof(table[n]));
			table[n].name = names[n];
			table[n].test_func = test_spec_case;
			table[n].initial_state = tc;
		}
	}
	*ret_table = table;
	*ret_names = names;
	return n;
}

int
main(void)
{
	static const struct CMUnitTest missing[] = {
		cmocka_unit_test(test_spec_missing),
	};
	static const struct CMUnitTest others[] = {
		cmocka_unit_test(test_escape_modes),
		cmocka_unit_test(test_bad_escape),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_nobufs),
		cmocka_unit_test(test_recursive_partial),
		cmocka_unit_test(test_partial_indentation),
		cmocka_unit_test(test_no_partials),
		cmocka_unit_test(test_each_partial),
		cmocka_unit_test(test_vietnamese),
		cmocka_unit_test(test_values_and_truthiness),
		cmocka_unit_test(test_render_many),
	};
	json_t *roots[ELEMENTSOF(spec_files)] = { 0 };
	struct CMUnitTest *table = NULL;
	char **names = NULL;
	size_t k, n;
	int failed;

	n = load_spec(roots, &table, &names);
	if (n > 0)
		failed = _cmocka_run_group_tests("mustache spec", table, n, NULL, NULL);
	else
		failed = cmocka_run_group_tests_name("mustache spec", missing, NULL, NULL);
	failed += cmocka_run_group_tests_name("template", others, NULL, NULL);
	for (k = 0; k < n; k++)
		free(names[k]);
	free(names);
	free(table);
	for (k = 0; k < ELEMENTSOF(roots); k++)
		json_decref(roots[k]);
	return failed == 0 ? 0 : 1;
}
