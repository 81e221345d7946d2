/* SPDX-License-Identifier: MIT */
/*
 * Agency and person records: release, enumeration names, and the guesses
 * made when an import meets a new agency.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "norm.h"
#include "registry.h"
#include "xalloc.h"

static const char *const kind_names[_AGENCY_KIND_MAX] = {
	[AGENCY_DEPARTMENT] = "department",
	[AGENCY_COMMUNE] = "commune",
	[AGENCY_PARTY] = "party",
	[AGENCY_GROUP] = "group",
	[AGENCY_OTHER] = "other",
};

static const char *const role_names[_ROLE_MAX] = {
	[ROLE_FOCAL] = "focal",
	[ROLE_HEAD] = "head",
	[ROLE_LEADER] = "leader",
	[ROLE_SECRETARIAT] = "secretariat",
	[ROLE_VIEWER] = "viewer",
};

void
agency_release(struct agency *a)
{
	if (!a)
		return;
	free(a->code);
	free(a->name);
	memset(a, 0, sizeof(*a));
}

void
person_release(struct person *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->agency_code);
	free(p->agency_name);
	for (size_t i = 0; i < p->n_addresses; i++) {
		free(p->addresses[i].channel);
		free(p->addresses[i].value);
	}
	free(p->addresses);
	free(p->lang);
	memset(p, 0, sizeof(*p));
}

const struct address *
person_address_get(const struct person *p, const char *channel)
{
	for (size_t i = 0; i < p->n_addresses; i++)
		if (strcmp(p->addresses[i].channel, channel) == 0)
			return &p->addresses[i];
	return NULL;
}

const char *
person_address(const struct person *p, const char *channel)
{
	const struct address *a = person_address_get(p, channel);

	return a ? a->value : NULL;
}

bool
person_reachable(const struct person *p, const char *channel)
{
	const struct address *a = person_address_get(p, channel);

	return a && *a->value && !a->broken_at;
}

bool
person_window_open(const struct person *p, const char *channel, int64_t now, int64_t window)
{
	const struct address *a = person_address_get(p, channel);

	return a && *a->value && !a->broken_at && a->last_in > 0 && a->last_in <= now + 300 &&
	       now - a->last_in <= window;
}

const char *
person_window_state(const struct person *p, const char *channel, int64_t now, int64_t window)
{
	const struct address *a = person_address_get(p, channel);

	if (!a || !*a->value)
		return NULL;
	return person_window_open(p, channel, now, window) ? "open" : "closed";
}

struct address *
person_address_set(struct person *p, const char *channel, const char *value)
{
	struct address *a = (struct address *)person_address_get(p, channel);

	if (!value || !*value) {
		if (!a)
			return NULL;
		free(a->channel);
		free(a->value);
		/* The order of the others does not matter: the last takes its place. */
		*a = p->addresses[--p->n_addresses];
		return NULL;
	}
	if (!a) {
		/* Exact room: copies allocate n_addresses (one a channel at most). */
		p->addresses = xgrowto(p->addresses, p->n_addresses + 1, sizeof(*a));
		a = &p->addresses[p->n_addresses++];
		a->channel = xstrdup(channel);
	} else {
		free(a->value);
	}
	a->value = xstrdup(value);
	a->broken_at = 0;
	a->last_in = 0;
	return a;
}

void
person_addresses_copy(struct person *dst, const struct person *src)
{
	for (size_t i = 0; i < dst->n_addresses; i++) {
		free(dst->addresses[i].channel);
		free(dst->addresses[i].value);
	}
	free(dst->addresses);
	dst->addresses = src->n_addresses ? xcalloc(src->n_addresses, sizeof(*dst->addresses))
					  : NULL;
	dst->n_addresses = src->n_addresses;
	for (size_t i = 0; i < src->n_addresses; i++) {
		dst->addresses[i] = src->addresses[i];
		dst->addresses[i].channel = xstrdup(src->addresses[i].channel);
		dst->addresses[i].value = xstrdup(src->addresses[i].value);
	}
}

void
person_copy(struct person *dst, const struct person *src)
{
	*dst = *src;
	dst->name = src->name ? xstrdup(src->name) : NULL;
	dst->agency_code = src->agency_code ? xstrdup(src->agency_code) : NULL;
	dst->agency_name = src->agency_name ? xstrdup(src->agency_name) : NULL;
	dst->lang = src->lang ? xstrdup(src->lang) : NULL;
	dst->addresses = NULL;
	dst->n_addresses = 0;
	person_addresses_copy(dst, src);
}

const char *
agency_kind_to_string(enum agency_kind k)
{
	return k >= 0 && k < _AGENCY_KIND_MAX ? kind_names[k] : NULL;
}

enum agency_kind
agency_kind_from_string(const char *s)
{
	for (int i = 0; s && i < _AGENCY_KIND_MAX; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (enum agency_kind)i;
	return _AGENCY_KIND_INVALID;
}

static bool
starts_with_word(const char *key, const char *word)
{
	size_t n = strlen(word);

	return strncmp(key, word, n) == 0 && (key[n] == ' ' || key[n] == '\0');
}

enum agency_kind
agency_kind_guess(const char *name)
{
	char *key = norm_key(name);
	enum agency_kind k = AGENCY_OTHER;

	if (!key)
		return AGENCY_OTHER;
	if (starts_with_word(key, "cac") || strstr(key, "dia phuong"))
		k = AGENCY_GROUP;
	else if (strstr(key, "tinh uy") || strstr(key, "dang uy"))
		k = AGENCY_PARTY;
	else if (starts_with_word(key, "xa") || starts_with_word(key, "phuong") ||
		 starts_with_word(key, "ubnd xa") || starts_with_word(key, "ubnd phuong") ||
		 starts_with_word(key, "uy ban nhan dan xa") ||
		 starts_with_word(key, "uy ban nhan dan phuong"))
		k = AGENCY_COMMUNE;
	else if (starts_with_word(key, "so") || starts_with_word(key, "ban") ||
		 starts_with_word(key, "cong an") || starts_with_word(key, "van phong") ||
		 starts_with_word(key, "bao") || starts_with_word(key, "doan"))
		k = AGENCY_DEPARTMENT;
	free(key);
	return k;
}

/* True when the original word is an acronym: two or more capitals, no lowercase. */
static bool
is_acronym(const char *word, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)word;
	size_t i = 0, upper = 0;

	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);

		if (k <= 0)
			return false;
		i += (size_t)k;
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_LL)
			return false;
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_LU)
			upper++;
	}
	return upper >= 2;
}

char *
agency_code_guess(const char *name)
{
	struct buf b;
	const char *p = name;

	buf_init(&b, 64);
	while (*p) {
		size_t n = strcspn(p, " ,;/()&-.\t");
		char *word, *key;

		if (n == 0) {
			p++;
			continue;
		}
		word = xstrndup(p, n);
		key = norm_key(word);
		if (key && *key && strcmp(key, "va") != 0 && strcmp(key, "cua") != 0) {
			if (is_acronym(word, n) || (key[0] >= '0' && key[0] <= '9')) {
				/* Acronyms and numbers stay whole: "xã 12" is not "xã 1". */
				for (char *c = key; *c; c++)
					if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))
						(void)buf_addc(&b, *c);
			} else if ((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= '0' && key[0] <= '9')) {
				(void)buf_addc(&b, key[0]);
			}
		}
		free(key);
		free(word);
		p += n;
	}
	if (b.len == 0 || b.p[0] < 'a' || b.p[0] > 'z') {
		buf_reset(&b);
		(void)buf_adds(&b, "agency");
	}
	buf_truncate(&b, 24);
	{
		char *r = buf_detach(&b);

		buf_release(&b);
		return r;
	}
}

bool
agency_code_is_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > 32 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

const char *
person_role_to_string(enum person_role r)
{
	return r >= 0 && r < _ROLE_MAX ? role_names[r] : NULL;
}

enum person_role
person_role_from_string(const char *s)
{
	for (int i = 0; s && i < _ROLE_MAX; i++)
		if (strcmp(s, role_names[i]) == 0)
			return (enum person_role)i;
	return _ROLE_INVALID;
}

/* --- one person, two spellings (issue 12) -------------------------------- */

/*
 * Titles an office writes before a name, as norm_key gives them, each
 * followed by a space in the key.  Longer first where one starts another.
 */
static const char *const name_titles[] = {
	"dong chi", "d/c", "dc", "ong", "ba", "pgs", "gs", "ths", "ts", "bs", "ks",
};

/* The length of the title key starts with (and its space), or 0. */
static size_t
title_at(const char *key)
{
	for (size_t i = 0; i < sizeof(name_titles) / sizeof(name_titles[0]); i++) {
		size_t n = strlen(name_titles[i]);

		if (strncmp(key, name_titles[i], n) == 0 && key[n] == ' ')
			return n + 1;
	}
	return 0;
}

char *
person_name_key(const char *name)
{
	char *key = norm_key(name), *out, *o;
	const char *k;
	size_t skip;

	if (!key)
		return NULL;
	/* Dots and commas as spaces: "PGS.TS. Lê Văn Bình", "An, Nguyễn Văn". */
	for (char *c = key; *c; c++)
		if (*c == '.' || *c == ',')
			*c = ' ';
	out = xmalloc(strlen(key) + 1);
	o = out;
	k = key;
	while (*k == ' ')
		k++;
	/* Titles only before the name: a name never has one inside. */
	while ((skip = title_at(k)) != 0) {
		k += skip;
		while (*k == ' ')
			k++;
	}
	for (; *k; k++) {
		if (*k == ' ' && (o == out || o[-1] == ' '))
			continue;
		*o++ = *k;
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	free(key);
	return out;
}

char *
person_email_key(const char *email)
{
	char *key = norm_text(email);

	for (char *c = key; c && *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return key;
}

char *
person_phone_normalise(const char *s)
{
	bool international = *s == '+';
	const char *d = international ? s + 1 : s;
	size_t n = strlen(d);

	for (size_t i = 0; i < n; i++)
		if (d[i] < '0' || d[i] > '9')
			return NULL;
	/*
	 * A Vietnamese number has 9 (mobile) or 10 (fixed) digits after the
	 * trunk 0 or the country code 84; 8 is let through for old short
	 * ones.  Other countries only with '+', E.164's 8 to 15 digits.
	 */
	if (!international && n >= 9 && d[0] == '0' && d[1] != '0' && n <= 11)
		return xasprintf("84%s", d + 1);
	if (!international && n >= 10 && n <= 12 && strncmp(d, "84", 2) == 0 && d[2] != '0')
		return xstrdup(d);
	if (international && n >= 8 && n <= 15 && d[0] != '0' &&
	    (strncmp(d, "84", 2) != 0 || (n >= 10 && n <= 12 && d[2] != '0')))
		return xstrdup(d);
	return NULL;
}

/* --- codes that are never confusable ----------------------------------- */

/*
 * A code that collides takes more letters of the name, never a digit:
 * "snv2" beside "snv" reads as a typo of it, "sngv" does not.  The forms,
 * tried in this order (each only when it differs from the ones before):
 *
 *   0  initials             Sở Ngoại vụ -> snv     (agency_code_guess)
 *   1  initial consonants   Sở Ngoại vụ -> sngv    (Vietnamese "ng", "nh", "tr", "gi", "qu"...)
 *   2  then words in full   Sở Ngoại vụ -> sngoaivu
 *   3  every word in full   Sở Ngoại vụ -> songoaivu
 *
 * Acronyms and numbers stay whole in every form.  Only when a name's
 * letters are all taken (codes chosen by hand) does "-2", "-3"... follow
 * the last form.
 */

#define CODE_FORMS 4
#define CODE_MAX 24	/* as agency_code_guess: short enough to type */

static bool
is_vowel(char c)
{
	return c && strchr("aeiouy", c) != NULL;
}

/* The consonants a folded word starts with: "ngoai" gives "ng", "giao" "gi", "y" "y". */
static size_t
onset_len(const char *key)
{
	size_t n = 0;

	while (key[n] >= 'a' && key[n] <= 'z' && !is_vowel(key[n]))
		n++;
	if (n == 0)
		return key[0] ? 1 : 0;
	/* "gi" and "qu" are one consonant before a vowel: "giáo", "quản". */
	if (n == 1 && (key[0] == 'g' || key[0] == 'q') && key[1] == (key[0] == 'g' ? 'i' : 'u') &&
	    is_vowel(key[2]))
		n = 2;
	return n;
}

/* Appends the a-z0-9 of key's first n bytes to b. */
static void
add_letters(struct buf *b, const char *key, size_t n)
{
	for (size_t i = 0; i < n && key[i]; i++)
		if ((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9'))
			(void)buf_addc(b, key[i]);
}

/* Form 1-3 of name (see above); form 0 is agency_code_guess's. */
static char *
code_form(const char *name, int form)
{
	struct buf b;
	const char *p = name;
	size_t word = 0;
	char *r;

	buf_init(&b, 256);
	while (*p) {
		size_t n = strcspn(p, " ,;/()&-.\t");
		char *w, *key;

		if (n == 0) {
			p++;
			continue;
		}
		w = xstrndup(p, n);
		key = norm_key(w);
		if (key && *key && strcmp(key, "va") != 0 && strcmp(key, "cua") != 0) {
			bool whole = is_acronym(w, n) || (key[0] >= '0' && key[0] <= '9') ||
				     form == 3 || (form == 2 && word > 0);

			add_letters(&b, key, whole ? strlen(key) : onset_len(key));
			word++;
		}
		free(key);
		free(w);
		p += n;
	}
	buf_truncate(&b, CODE_MAX);
	r = buf_detach(&b);
	buf_release(&b);
	return r;
}

char *
agency_code_candidate(const char *name, unsigned attempt)
{
	char *forms[CODE_FORMS] = { 0 }, *r = NULL;
	unsigned n = 0;

	if (attempt >= AGENCY_CODE_ATTEMPTS)
		return NULL;
	forms[n++] = agency_code_guess(name);
	for (int f = 1; f < CODE_FORMS; f++) {
		char *c = code_form(name, f);
		bool dup = !agency_code_is_valid(c);

		for (unsigned i = 0; i < n && !dup; i++)
			dup = strcmp(forms[i], c) == 0;
		if (dup)
			free(c);
		else
			forms[n++] = c;
	}
	if (attempt < n)
		r = xstrdup(forms[attempt]);
	else
		r = xasprintf("%s-%u", forms[n - 1], attempt - n + 2);
	for (unsigned i = 0; i < n; i++)
		free(forms[i]);
	return r;
}

int
agency_code_pick(const char *name, int (*taken)(const char *code, void *userdata), void *userdata,
		 char **ret)
{
	for (unsigned i = 0; i < AGENCY_CODE_ATTEMPTS; i++) {
		char *code = agency_code_candidate(name, i);
		int r;

		if (!code)
			break;
		r = taken(code, userdata);
		if (r == 0) {
			*ret = code;
			return 0;
		}
		free(code);
		if (r < 0)
			return r;
	}
	return -EEXIST;
}
