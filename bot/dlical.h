/* SPDX-License-Identifier: MIT */
/*
 * libical, loaded when the first iCal feed is built (dlopen), as libxml2
 * is (dlxml.h): libical links the ICU libraries, which the idle daemon
 * must not map, and only a feed needs it in the daemon (the dondoc-ical
 * helper reads the schedules' files with libical linked, ical.h).
 */
#ifndef DONDOC_DLICAL_H
#define DONDOC_DLICAL_H

#include <libical/ical.h>

extern typeof(icalcomponent_new) *sym_icalcomponent_new;
extern typeof(icalcomponent_free) *sym_icalcomponent_free;
extern typeof(icalcomponent_add_property) *sym_icalcomponent_add_property;
extern typeof(icalcomponent_add_component) *sym_icalcomponent_add_component;
extern typeof(icalcomponent_as_ical_string_r) *sym_icalcomponent_as_ical_string_r;
extern typeof(icalproperty_new_version) *sym_icalproperty_new_version;
extern typeof(icalproperty_new_prodid) *sym_icalproperty_new_prodid;
extern typeof(icalproperty_new_method) *sym_icalproperty_new_method;
extern typeof(icalproperty_new_calscale) *sym_icalproperty_new_calscale;
extern typeof(icalproperty_new_x) *sym_icalproperty_new_x;
extern typeof(icalproperty_set_x_name) *sym_icalproperty_set_x_name;
extern typeof(icalproperty_new_refreshinterval) *sym_icalproperty_new_refreshinterval;
extern typeof(icalproperty_add_parameter) *sym_icalproperty_add_parameter;
extern typeof(icalparameter_new_value) *sym_icalparameter_new_value;
extern typeof(icalproperty_new_uid) *sym_icalproperty_new_uid;
extern typeof(icalproperty_new_sequence) *sym_icalproperty_new_sequence;
extern typeof(icalproperty_new_dtstamp) *sym_icalproperty_new_dtstamp;
extern typeof(icalproperty_new_lastmodified) *sym_icalproperty_new_lastmodified;
extern typeof(icalproperty_new_dtstart) *sym_icalproperty_new_dtstart;
extern typeof(icalproperty_new_dtend) *sym_icalproperty_new_dtend;
extern typeof(icalproperty_new_summary) *sym_icalproperty_new_summary;
extern typeof(icalproperty_new_description) *sym_icalproperty_new_description;
extern typeof(icalproperty_new_categories) *sym_icalproperty_new_categories;
extern typeof(icalproperty_new_status) *sym_icalproperty_new_status;
extern typeof(icalproperty_new_transp) *sym_icalproperty_new_transp;
extern typeof(icalproperty_new_action) *sym_icalproperty_new_action;
extern typeof(icalproperty_new_trigger) *sym_icalproperty_new_trigger;
extern typeof(icaltime_null_time) *sym_icaltime_null_time;
extern typeof(icaltimezone_get_utc_timezone) *sym_icaltimezone_get_utc_timezone;
extern typeof(icaldurationtype_as_ical_string_r) *sym_icaldurationtype_as_ical_string_r;

/* Loads libical, once: 0, or -EOPNOTSUPP with a new message. */
int dlical_load(char **reterr_msg);

#endif
