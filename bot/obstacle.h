/* SPDX-License-Identifier: MIT */
/*
 * Obstacles and proposals (vướng mắc, kiến nghị; DESIGN §4, §7): what an
 * official reports on a task with /vuongmac, until the secretariat marks
 * it handled with a note.  While any obstacle of a task is open, the task
 * shows it (task.obstacle_open: the light is VÀNG).
 *
 *   (reported) --/vuongmac--> open --/xuly N, obstacle handle N--> handled
 *
 * transition -> function: reported: taskop_obstacle (taskops.h), then
 * obstacle_notify; handled: obstacle_handle.  Each is an event of the
 * task's history ("obstacle", "obstacle_handled", data {"obstacle": id}),
 * which verify replays (audit.c).  A reported obstacle reaches the
 * secretariat as a STAGE_OBSTACLE notice (step = its id), which the
 * dispatcher puts in their next daily message.
 */
#ifndef DONDOC_OBSTACLE_H
#define DONDOC_OBSTACLE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "date.h"

struct store;
struct channels;
struct actor;

enum obstacle_state {
	OBSTACLE_OPEN,
	OBSTACLE_HANDLED,
	_OBSTACLE_STATE_MAX,
	_OBSTACLE_STATE_INVALID = -22,
};

/* Strings are owned by the struct; obstacle_release frees them. */
struct obstacle {
	int64_t id;
	int64_t task_id;
	int64_t person_id;	/* who reported it; 0 when not a registered person */
	char *actor;		/* their name, as the history shows it */
	char *text;
	enum obstacle_state state;
	int64_t handled_by;	/* a person, or 0 */
	char *handler;		/* who handled it; NULL while open */
	char *note;		/* the handling note; NULL while open */
	int64_t created_at;
	int64_t handled_at;	/* 0 while open */
};

void obstacle_release(struct obstacle *o);
const char *obstacle_state_to_string(enum obstacle_state s);
enum obstacle_state obstacle_state_from_string(const char *s);

/*
 * An obstacle as the templates see it (new reference): id, task_id,
 * reporter, text, date (reported, "7/10/2025"), handled, handler, note,
 * handled_date.
 */
json_t *obstacle_json(const struct obstacle *o);

/*
 * Queues a STAGE_OBSTACLE notice of obstacle o for each active member of
 * the secretariat that a channel of cs reaches (cs NULL: none), dated
 * today.  Returns how many were queued (0: nobody will receive it), or
 * -errno.  The caller holds the transaction.
 */
int obstacle_notify(struct store *s, const struct channels *cs, const struct obstacle *o,
		    struct date today, int64_t now);

/*
 * Marks obstacle id handled by a with note (not empty): its row, an
 * obstacle_handled event, and, when it was the task's last open one, the
 * task's obstacle flag cleared.  0 with the obstacle as it now is in
 * *ret (obstacle_release), -ENOENT no such obstacle, -EALREADY handled
 * before, -EINVAL an empty note (nothing changed then), or -errno.  The
 * caller holds the transaction.
 */
int obstacle_handle(struct store *s, int64_t id, const char *note, const struct actor *a,
		    int64_t now, struct obstacle *ret);

#endif
