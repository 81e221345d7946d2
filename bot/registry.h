/* SPDX-License-Identifier: MIT */
/*
 * The people and agencies of the registry (DESIGN §4), as plain records,
 * with the names of their enumerations.  Every string in a record is owned
 * by it; the _release functions free them.
 */
#ifndef DONDOC_REGISTRY_H
#define DONDOC_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

enum agency_kind {
	AGENCY_DEPARTMENT,	/* sở, ban, ngành */
	AGENCY_COMMUNE,		/* xã, phường */
	AGENCY_PARTY,		/* a party body: Tỉnh ủy, Ban ... Tỉnh ủy */
	AGENCY_GROUP,		/* a collective: "Các sở, ban, ngành" */
	AGENCY_OTHER,
	_AGENCY_KIND_MAX,
	_AGENCY_KIND_INVALID = -22,
};

enum person_role {
	ROLE_FOCAL,		/* cán bộ đầu mối */
	ROLE_HEAD,		/* thủ trưởng */
	ROLE_LEADER,		/* lãnh đạo Ban Chỉ đạo */
	ROLE_SECRETARIAT,	/* cơ quan thường trực */
	ROLE_VIEWER,
	_ROLE_MAX,
	_ROLE_INVALID = -22,
};

struct agency {
	int64_t id;
	char *code;		/* short slug officials and operators type */
	char *name;
	enum agency_kind kind;
	int64_t n_tasks;	/* tasks it leads (filled by listings) */
};

struct person {
	int64_t id;
	char *name;
	int64_t agency_id;
	char *agency_code;	/* filled by reads */
	char *agency_name;	/* filled by reads */
	enum person_role role;
	char *email;		/* NULL when none */
	bool email_broken;	/* the server refused it for good: not used */
	char *telegram;		/* Telegram chat id; NULL when none */
	bool telegram_broken;	/* Telegram refused it for good (blocked, deleted): not used */
	char *zalo;		/* Zalo user id; NULL when none */
	char *lang;		/* "vi" or "en" */
	bool active;
	bool digest;		/* a leader who asked for the digest (person set --digest yes) */
};

void agency_release(struct agency *a);
void person_release(struct person *p);

/*
 * A person's address on channel ("email", "telegram", "zalo", "phone"):
 * its value (borrowed), or NULL when they have none.  Code outside the
 * registry and the store reads addresses only through these (DESIGN §10:
 * one table of addresses, no field per channel).
 */
const char *person_address(const struct person *p, const char *channel);
/* True when p has an address on channel that has not been refused for good. */
bool person_reachable(const struct person *p, const char *channel);

const char *agency_kind_to_string(enum agency_kind k);
enum agency_kind agency_kind_from_string(const char *s);
/* Guesses the kind from a Vietnamese agency name ("Sở ..." is a department). */
enum agency_kind agency_kind_guess(const char *name);
/*
 * Returns a new code for name: the initials of its words, acronyms and
 * numbers kept whole, "và"/"của" skipped, lowercase ASCII ("Sở Khoa học và Công nghệ"
 * gives "skhcn", "Đoàn Đại biểu QH và HĐND" gives "ddbqhhdnd").
 */
char *agency_code_guess(const char *name);
/*
 * The attempt-th code to try for a new agency named name (a new string),
 * NULL once AGENCY_CODE_ATTEMPTS are used up.  0 is agency_code_guess();
 * the next ones take more letters of the name ("Sở Ngoại vụ": snv, sngv,
 * sngoaivu, songoaivu), never a digit until the letters run out, so that
 * no two codes look like typos of each other.  The same name always gives
 * the same sequence.
 */
#define AGENCY_CODE_ATTEMPTS 1000
char *agency_code_candidate(const char *name, unsigned attempt);
/*
 * The first agency_code_candidate of name that taken(code, userdata) says
 * is free (0; 1 is taken, <0 an error): 0 with a new string in *ret,
 * -EEXIST when every attempt is taken, or taken's error.
 */
int agency_code_pick(const char *name, int (*taken)(const char *code, void *userdata),
		     void *userdata, char **ret);
/* True when s is usable as a code: 1-32 of [a-z0-9_-], starting with a letter. */
bool agency_code_is_valid(const char *s);

const char *person_role_to_string(enum person_role r);
enum person_role person_role_from_string(const char *s);

/*
 * The key under which two spellings of one person's name are the same
 * person (issue 12): norm_key (case, diacritics, NFC/NFD, spaces) with
 * the titles written before a name dropped ("Ông", "Bà", "Đồng chí",
 * "Đ/c", "TS.", "ThS.") and dots and commas taken for spaces.
 * "Đ/c Nguyễn Văn  An." and "nguyen van an" give "nguyen van an".  A new
 * string; NULL when name is not UTF-8, "" when it holds only a title.
 */
char *person_name_key(const char *name);
/* An email address as compared: trimmed, in lower case (a new string). */
char *person_email_key(const char *email);

#endif
