/* SPDX-License-Identifier: MIT */
/*
 * Reads an iCalendar file with libical (the library that writes the feeds,
 * here reading them back) and prints the normalised JSON that
 * tests/ical_check.py documents and tests/js/ical_check.mjs prints too.
 * Exits 1, the reasons on stderr, when the file breaks a rule the feeds
 * keep (CRLF, content lines of at most 75 octets, no UTF-8 character cut
 * by a fold, VERSION and PRODID, each event's UID and DTSTAMP) or libical
 * reports an error (its X-LIC-ERROR properties); 2 when one cannot be read.
 *
 *     build/rel/tests/ical_check FILE.ics...
 *
 * One line of JSON a file, in the order given.
 *
 * A test tool, not part of dondoc: it uses libical and Jansson directly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libical/ical.h>

#define MAX_LINE_ERRORS 10

static void add_error(json_t *errs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_error(json_t *errs, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	json_array_append_new(errs, json_string(buf));
}

/* The length of the valid UTF-8 character at s (n bytes left), or 0. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned min;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = utf8_char(s + i, n - i)))
			return false;
	return true;
}

/*
 * The rules of the bytes, worded as ical_check.py words them: every line
 * ends with CRLF, none is over 75 octets, each is UTF-8 by itself (so no
 * character was cut at a fold).
 */
static void line_errors(const unsigned char *raw, size_t n, json_t *errs)
{
	json_t *bad = json_array();
	size_t start = 0;
	size_t no = 0;

	if (n == 0 || raw[n - 1] != '\n')
		add_error(errs, "the file does not end with CRLF");
	while (start < n) {
		const unsigned char *lf = memchr(raw + start, '\n', n - start);
		size_t end = lf ? (size_t)(lf - raw) : n;
		size_t len = end - start;

		no++;
		if (lf) {
			if (len && raw[end - 1] == '\r')
				len--;
			else
				add_error(bad, "line %zu: ends with a bare LF", no);
		}
		if (memchr(raw + start, '\r', len))
			add_error(bad, "line %zu: a bare CR", no);
		if (len > 75)
			add_error(bad, "line %zu: %zu octets (at most 75)", no, len);
		if (!utf8_valid(raw + start, len))
			add_error(bad, "line %zu: not UTF-8 by itself (a character cut at a fold?)", no);
		start = end + 1;
	}
	size_t nbad = json_array_size(bad);
	for (size_t i = 0; i < nbad && i < MAX_LINE_ERRORS; i++)
		json_array_append(errs, json_array_get(bad, i));
	if (nbad > MAX_LINE_ERRORS)
		add_error(errs, "and %zu more", nbad - MAX_LINE_ERRORS);
	json_decref(bad);
}

/* A DATE or DATE-TIME as the normalised JSON writes it. */
static json_t *when(struct icaltimetype t)
{
	char buf[32];

	if (icaltime_is_null_time(t))
		return json_null();
	if (t.is_date) {
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.year, t.month, t.day);
		return json_string(buf);
	}
	bool utc = icaltime_is_utc(t);
	if (!utc && t.zone) {
		t = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
		utc = true;
	}
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s", t.year, t.month, t.day, t.hour,
		 t.minute, t.second, utc ? "Z" : "");
	return json_string(buf);
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The property's value as libical reads it (unescaped for TEXT), or null. */
static json_t *value_of(icalcomponent *c, icalproperty_kind kind)
{
	icalproperty *p = icalcomponent_get_first_property(c, kind);
	json_t *r;

	if (!p)
		return json_null();
	switch (kind) {
	case ICAL_SUMMARY_PROPERTY:
		return string_or_null(icalproperty_get_summary(p));
	case ICAL_DESCRIPTION_PROPERTY:
		return string_or_null(icalproperty_get_description(p));
	case ICAL_UID_PROPERTY:
		return string_or_null(icalproperty_get_uid(p));
	case ICAL_PRODID_PROPERTY:
		return string_or_null(icalproperty_get_prodid(p));
	case ICAL_VERSION_PROPERTY:
		return string_or_null(icalproperty_get_version(p));
	default:
		break;
	}
	/* Enumerations (METHOD, STATUS, ACTION): their names. */
	char *s = icalproperty_get_value_as_string_r(p);
	r = string_or_null(s);
	free(s);
	return r;
}

/* The X- property named name, as libical reads it (unescaped as TEXT), or null. */
static json_t *x_value(icalcomponent *c, const char *name)
{
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
		if (strcasecmp(icalproperty_get_x_name(p), name) == 0)
			return string_or_null(icalproperty_get_x(p));
	return json_null();
}

static bool value_param_is(icalproperty *p, icalparameter_value v)
{
	icalparameter *par = icalproperty_get_first_parameter(p, ICAL_VALUE_PARAMETER);

	return par && icalparameter_get_value(par) == v;
}

static void date_prop(icalcomponent *ev, icalproperty_kind kind, const char *name, json_t *out,
		      json_t *errs, const char *where)
{
	icalproperty *p = icalcomponent_get_first_property(ev, kind);
	char key[32];

	snprintf(key, sizeof key, "%s-date", name);
	if (!p) {
		json_object_set_new(out, name, json_null());
		json_object_set_new(out, key, json_false());
		return;
	}
	struct icaltimetype t = icalvalue_get_datetimedate(icalproperty_get_value(p));
	icalparameter *tzid = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	if (tzid && !t.is_date) {
		/* The calendar's VTIMEZONE, else libical's own zone of that name. */
		const char *id = icalparameter_get_tzid(tzid);
		icaltimezone *z = icalcomponent_get_timezone(icalcomponent_get_parent(ev), id);

		if (!z)
			z = icaltimezone_get_builtin_timezone(id);
		if (z)
			t = icaltime_set_timezone(&t, z);
		else
			add_error(errs, "%s: %s: unknown TZID %s", where, name, id);
	}
	if (t.is_date && !value_param_is(p, ICAL_VALUE_DATE))
		add_error(errs, "%s: %s is a date without VALUE=DATE", where, icalproperty_get_property_name(p));
	json_object_set_new(out, name, when(t));
	json_object_set_new(out, key, json_boolean(t.is_date));
}

/* Every X-LIC-ERROR libical left in c and under it. */
static void lic_errors(icalcomponent *c, json_t *errs)
{
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY))
		add_error(errs, "libical: %s", icalproperty_get_xlicerror(p));
	for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
	     k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		lic_errors(k, errs);
}

static json_t *event(icalcomponent *ev, json_t *errs)
{
	json_t *out = json_object();
	json_t *uid = value_of(ev, ICAL_UID_PROPERTY);
	const char *where = json_is_string(uid) ? json_string_value(uid) : "an event";
	icalproperty *p;

	if (json_is_null(uid))
		add_error(errs, "an event without UID");
	if (!icalcomponent_get_first_property(ev, ICAL_DTSTAMP_PROPERTY))
		add_error(errs, "%s: no DTSTAMP", where);
	if (!icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY))
		add_error(errs, "%s: no DTSTART", where);
	json_object_set_new(out, "uid", uid);
	p = icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY);
	json_object_set_new(out, "sequence", p ? json_integer(icalproperty_get_sequence(p)) : json_null());
	date_prop(ev, ICAL_DTSTART_PROPERTY, "dtstart", out, errs, where);
	date_prop(ev, ICAL_DTEND_PROPERTY, "dtend", out, errs, where);
	json_object_set_new(out, "summary", value_of(ev, ICAL_SUMMARY_PROPERTY));
	json_object_set_new(out, "description", value_of(ev, ICAL_DESCRIPTION_PROPERTY));
	json_object_set_new(out, "status", value_of(ev, ICAL_STATUS_PROPERTY));
	/* libical makes one CATEGORIES property of each value of a list. */
	json_t *cats = json_array();
	for (p = icalcomponent_get_first_property(ev, ICAL_CATEGORIES_PROPERTY); p;
	     p = icalcomponent_get_next_property(ev, ICAL_CATEGORIES_PROPERTY))
		json_array_append_new(cats, string_or_null(icalproperty_get_categories(p)));
	json_object_set_new(out, "categories", cats);
	p = icalcomponent_get_first_property(ev, ICAL_DTSTAMP_PROPERTY);
	json_object_set_new(out, "dtstamp", p ? when(icalproperty_get_dtstamp(p)) : json_null());
	p = icalcomponent_get_first_property(ev, ICAL_LASTMODIFIED_PROPERTY);
	json_object_set_new(out, "last-modified", p ? when(icalproperty_get_lastmodified(p)) : json_null());
	json_t *alarms = json_array();
	for (icalcomponent *a = icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT); a;
	     a = icalcomponent_get_next_component(ev, ICAL_VALARM_COMPONENT)) {
		json_t *al = json_object();
		json_t *trig = json_null();

		json_object_set_new(al, "action", value_of(a, ICAL_ACTION_PROPERTY));
		p = icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY);
		if (p) {
			struct icaltriggertype t = icalproperty_get_trigger(p);

			if (!icaltime_is_null_time(t.time))
				trig = when(t.time);
			else
				trig = json_integer(icaldurationtype_as_int(t.duration));
		}
		json_object_set_new(al, "trigger", trig);
		json_array_append_new(alarms, al);
	}
	json_object_set_new(out, "alarms", alarms);
	return out;
}

static json_t *calendar(icalcomponent *cal, json_t *errs)
{
	json_t *c = json_object();

	json_object_set_new(c, "prodid", value_of(cal, ICAL_PRODID_PROPERTY));
	json_object_set_new(c, "version", value_of(cal, ICAL_VERSION_PROPERTY));
	json_object_set_new(c, "method", value_of(cal, ICAL_METHOD_PROPERTY));
	json_object_set_new(c, "x-wr-calname", x_value(cal, "X-WR-CALNAME"));
	json_object_set_new(c, "x-wr-caldesc", x_value(cal, "X-WR-CALDESC"));
	json_object_set_new(c, "x-published-ttl", x_value(cal, "X-PUBLISHED-TTL"));
	const char *v = json_string_value(json_object_get(c, "version"));
	if (!v || strcmp(v, "2.0") != 0)
		add_error(errs, "VERSION is %s, not 2.0", v ? v : "missing");
	if (!json_is_string(json_object_get(c, "prodid")) ||
	    !*json_string_value(json_object_get(c, "prodid")))
		add_error(errs, "no PRODID");
	icalproperty *ri = icalcomponent_get_first_property(cal, ICAL_REFRESHINTERVAL_PROPERTY);
	json_t *secs = json_null();
	json_t *val = json_null();
	if (ri) {
		struct icaldurationtype d = icalproperty_get_refreshinterval(ri);
		char *vp = icalproperty_get_parameter_as_string_r(ri, "VALUE");

		if (icaldurationtype_is_bad_duration(d))
			add_error(errs, "REFRESH-INTERVAL is not a duration");
		else
			secs = json_integer(icaldurationtype_as_int(d));
		val = string_or_null(vp);
		free(vp);
	}
	json_object_set_new(c, "refresh-interval", secs);
	json_object_set_new(c, "refresh-interval-value", val);
	return c;
}

static int read_file(const char *path, char **ret, size_t *ret_n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	size_t cap = 0;
	int r = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(f))
		r = -EIO;
out:
	fclose(f);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = 0;
	*ret = buf;
	*ret_n = n;
	return 0;
}

/* Prints path's reading as one line of JSON: 0, 1 when it broke a rule, 2 when it cannot be read. */
static int check_file(const char *path)
{
	char *raw = NULL;
	size_t n = 0;
	int r;

	json_t *errs = json_array();
	json_t *out = json_object();
	json_t *cal = json_null();
	json_t *events = json_array();
	icalcomponent *root = NULL;

	r = read_file(path, &raw, &n);
	if (r < 0) {
		add_error(errs, "cannot read it: %s", strerror(-r));
		goto print;
	}
	line_errors((const unsigned char *)raw, n, errs);
	icalerror_clear_errno();
	root = memchr(raw, 0, n) ? NULL : icalparser_parse_string(raw);
	if (!root) {
		add_error(errs, "libical cannot parse it%s", memchr(raw, 0, n) ? " (a NUL byte)" : "");
	} else if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		add_error(errs, "not a VCALENDAR but %s", icalcomponent_kind_to_string(icalcomponent_isa(root)));
	} else {
		lic_errors(root, errs);
		json_decref(cal);
		cal = calendar(root, errs);
		for (icalcomponent *ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); ev;
		     ev = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
			json_array_append_new(events, event(ev, errs));
	}
print:
	json_object_set_new(out, "calendar", cal);
	json_object_set_new(out, "events", events);
	json_object_set(out, "errors", errs);
	char *s = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
	if (s) {
		puts(s);
		free(s);
	}
	for (size_t i = 0; i < json_array_size(errs); i++)
		fprintf(stderr, "ical_check: %s: %s\n", path, json_string_value(json_array_get(errs, i)));
	if (!raw)
		r = 2;
	else
		r = json_array_size(errs) ? 1 : 0;
	json_decref(errs);
	json_decref(out);
	if (root)
		icalcomponent_free(root);
	free(raw);
	return r;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: ical_check FILE.ics...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int r = check_file(argv[i]);

		if (r > status)
			status = r;
	}
	icaltimezone_free_builtin_timezones();
	return status;
}
