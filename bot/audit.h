/* SPDX-License-Identifier: MIT */
/*
 * Replaying the history: the events, applied in order from the state the
 * schema 7 upgrade recorded (audit.rechain) or from nothing, rebuild each
 * task, person and agency; what the registry holds must be that.  A row
 * changed without an event, or an event removed whose change stayed,
 * shows as a difference naming the record, the field and its last event.
 *
 * What each kind of event carries for this is written by taskops.c:
 * created (the whole task, in data), status, progress, note, obstacle,
 * deadline (due and precision in data), leads and cooperating (ids in
 * data), kind, link (a person's Telegram chat, working again), person.add,
 * agency.add and agency.alias (the record in data), person.address (an
 * address marked broken or working: person, channel and broken in data),
 * obstacle and obstacle_handled (the obstacle's id in data; its row is
 * replayed too, and the task's flag stays while one of its obstacles is
 * open),
 * period_report (a recurring task's period reported, in new_value; the
 * next due day in data; the reports are compared too).
 */
#ifndef DONDOC_AUDIT_H
#define DONDOC_AUDIT_H

#include <stddef.h>
#include <stdio.h>

struct store;

/*
 * Replays every event and compares with the registry, writing one English
 * line per difference to out ("task 27: status is ..."): 0 with the
 * number of differences in *ret_n, or -errno (a database error, or -EBADMSG
 * for an event whose data is not the JSON expected).
 */
int audit_replay(struct store *s, FILE *out, size_t *ret_n);

#endif
