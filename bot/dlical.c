/* SPDX-License-Identifier: MIT */
/*
 * libical by dlopen; see dlical.h.
 */
#include <stddef.h>

#include "dl.h"
#include "dlical.h"
#include "macro.h"

#define LIBICAL "libical.so.3"

typeof(icalcomponent_new) *sym_icalcomponent_new;
typeof(icalcomponent_free) *sym_icalcomponent_free;
typeof(icalcomponent_add_property) *sym_icalcomponent_add_property;
typeof(icalcomponent_add_component) *sym_icalcomponent_add_component;
typeof(icalcomponent_as_ical_string_r) *sym_icalcomponent_as_ical_string_r;
typeof(icalproperty_new_version) *sym_icalproperty_new_version;
typeof(icalproperty_new_prodid) *sym_icalproperty_new_prodid;
typeof(icalproperty_new_method) *sym_icalproperty_new_method;
typeof(icalproperty_new_calscale) *sym_icalproperty_new_calscale;
typeof(icalproperty_new_x) *sym_icalproperty_new_x;
typeof(icalproperty_set_x_name) *sym_icalproperty_set_x_name;
typeof(icalproperty_new_refreshinterval) *sym_icalproperty_new_refreshinterval;
typeof(icalproperty_add_parameter) *sym_icalproperty_add_parameter;
typeof(icalparameter_new_value) *sym_icalparameter_new_value;
typeof(icalproperty_new_uid) *sym_icalproperty_new_uid;
typeof(icalproperty_new_sequence) *sym_icalproperty_new_sequence;
typeof(icalproperty_new_dtstamp) *sym_icalproperty_new_dtstamp;
typeof(icalproperty_new_lastmodified) *sym_icalproperty_new_lastmodified;
typeof(icalproperty_new_dtstart) *sym_icalproperty_new_dtstart;
typeof(icalproperty_new_dtend) *sym_icalproperty_new_dtend;
typeof(icalproperty_new_summary) *sym_icalproperty_new_summary;
typeof(icalproperty_new_description) *sym_icalproperty_new_description;
typeof(icalproperty_new_categories) *sym_icalproperty_new_categories;
typeof(icalproperty_new_status) *sym_icalproperty_new_status;
typeof(icalproperty_new_transp) *sym_icalproperty_new_transp;
typeof(icalproperty_new_action) *sym_icalproperty_new_action;
typeof(icalproperty_new_trigger) *sym_icalproperty_new_trigger;
typeof(icaltime_null_time) *sym_icaltime_null_time;
typeof(icaltimezone_get_utc_timezone) *sym_icaltimezone_get_utc_timezone;
typeof(icaldurationtype_as_ical_string_r) *sym_icaldurationtype_as_ical_string_r;

/* Loaded once and for the process's life: never unloaded. */
static void *handle;

int
dlical_load(char **reterr_msg)
{
#define S(name) { (void **)&sym_##name, #name }
	const struct dl_sym syms[] = {
		S(icalcomponent_new), S(icalcomponent_free), S(icalcomponent_add_property),
		S(icalcomponent_add_component), S(icalcomponent_as_ical_string_r),
		S(icalproperty_new_version), S(icalproperty_new_prodid),
		S(icalproperty_new_method), S(icalproperty_new_calscale), S(icalproperty_new_x),
		S(icalproperty_set_x_name), S(icalproperty_new_refreshinterval),
		S(icalproperty_add_parameter), S(icalparameter_new_value),
		S(icalproperty_new_uid), S(icalproperty_new_sequence), S(icalproperty_new_dtstamp),
		S(icalproperty_new_lastmodified), S(icalproperty_new_dtstart),
		S(icalproperty_new_dtend), S(icalproperty_new_summary),
		S(icalproperty_new_description), S(icalproperty_new_categories),
		S(icalproperty_new_status), S(icalproperty_new_transp), S(icalproperty_new_action),
		S(icalproperty_new_trigger), S(icaltime_null_time),
		S(icaltimezone_get_utc_timezone), S(icaldurationtype_as_ical_string_r),
	};
#undef S

	return handle ? 0 : dl_open(LIBICAL, "libical3", syms, ELEMENTSOF(syms), &handle, reterr_msg);
}
