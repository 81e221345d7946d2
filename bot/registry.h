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

/*
 * A person's address on one channel (DESIGN §4): one per channel, and no
 * two people have the same one (the store's address table).
 */
struct address {
	char *channel;		/* "email", "telegram", "zalo", "phone" */
	char *value;		/* the address, chat or user id, phone number (84...) */
	int64_t broken_at;	/* when it was refused for good (not used since); 0 when it works */
	int64_t last_in;	/* when the person last wrote through it; 0 never */
};

struct person {
	int64_t id;
	char *name;
	int64_t agency_id;
	char *agency_code;	/* filled by reads */
	char *agency_name;	/* filled by reads */
	enum person_role role;
	struct address *addresses;	/* read through person_address_get() and friends */
	size_t n_addresses;
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
/*
 * True when p's address on channel is reachable and p wrote through it
 * within window seconds before now (Zalo's consultation messages reach
 * only those who did: CHAT-APIS.md B3).  An address never written
 * through is out of its window.
 */
bool person_window_open(const struct person *p, const char *channel, int64_t now,
			int64_t window);
/*
 * Where p stands with channel's window, for the secretariat (person list,
 * doctor, the digest): "open" (person_window_open), "closed" (an address
 * not written through within window, or refused: Zalo marks a window's
 * refusal so, until they write again; they are reached on another
 * channel), or NULL when p has no address there.  Static strings.
 */
const char *person_window_state(const struct person *p, const char *channel, int64_t now,
				int64_t window);
/* p's address on channel as a whole (borrowed), or NULL when they have none. */
const struct address *person_address_get(const struct person *p, const char *channel);
/*
 * Sets p's address on channel to a copy of value, working and never
 * written through (NULL or "" removes it), for a person built in memory
 * or edited before store_person_update.  Returns the address (to set its
 * times), NULL when removed.
 */
struct address *person_address_set(struct person *p, const char *channel, const char *value);
/* Replaces dst's addresses by copies of src's. */
void person_addresses_copy(struct person *dst, const struct person *src);
/* A copy of p, strings and addresses its own (person_release it). */
void person_copy(struct person *dst, const struct person *src);

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
/*
 * A phone number as stored (Zalo's ZNS takes it so): international digits
 * without '+', "84..." for Vietnam.  s is digits with an optional leading
 * '+' (international), "0..." being the Vietnamese national form
 * ("0912345678" and "+84912345678" give "84912345678").  A new string, or
 * NULL when s is no such number (8 to 15 digits once international).
 */
char *person_phone_normalise(const char *s);

#endif
