/* SPDX-License-Identifier: MIT */
/*
 * The command table and dispatch.  Global options come first
 * ("dondoc --db PATH task list"), then a command of one or two words.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <jansson.h>

#include "channels.h"
#include "cli.h"
#include "clock.h"
#include "command.h"
#include "config.h"
#include "date.h"
#include "inbound.h"
#include "render.h"
#include "schedule.h"
#include "norm.h"
#include "store.h"
#include "xalloc.h"

#ifndef DONDOC_VERSION
#define DONDOC_VERSION "0.1.0"
#endif

static const struct cli_command commands[] = {
	{ "init", cmd_init, CLI_DB_CREATE, "create or upgrade the registry",
	  "\n\nCreates the registry database (or brings its schema up to date).\n" },
	{ "import", cmd_import, CLI_DB_WRITE, "import an appendix table (TSV, CSV, .xlsx, .docx)",
	  " FILE [--year Y] [--sheet NAME] [--dry-run]\n\n"
	  "Imports the committee's table as pasted from Word (TSV), saved by Excel\n"
	  "(CSV with ',' ';' or tab, UTF-8 or UTF-16 \"Unicode Text\"), or the .xlsx\n"
	  "(first sheet) or .docx (its tables) itself; the content, not the name,\n"
	  "says which.  Columns are found by their headers (STT, Nhiệm vụ,\n"
	  "Văn bản giao nhiệm vụ, Cơ quan chủ trì thực hiện, Thời hạn hoàn thành or\n"
	  "Đánh giá).  Rows that cannot be understood are listed by line number and\n"
	  "left out; the exit status is then 1.\n\n"
	  "  --year Y     year for deadlines that name none, when the document has no date\n"
	  "  --sheet NAME the sheet of an .xlsx to read (default: the first visible)\n"
	  "  --dry-run    report what would change and change nothing\n" },
	{ "deadline parse", cmd_deadline_parse, 0, "show how a deadline text is understood",
	  " TEXT [--year Y]\n\n"
	  "Prints {\"raw\", \"due\", \"precision\"} as JSON.  Exit status 0 when the text\n"
	  "is understood, 1 when it is not (kept as written), 2 when it names an\n"
	  "impossible date.  Without --year, a text without a year takes this year.\n" },
	{ "task list", cmd_task_list, CLI_DB_READ, "list tasks",
	  " [--agency A] [--status S] [--overdue] [--json]\n\n"
	  "  --agency A   tasks led by agency A (code, name or alias)\n"
	  "  --status S   not_started, in_progress, done, postponed, not_achieved,\n"
	  "               cannot_assess (or the Vietnamese words)\n"
	  "  --overdue    only overdue tasks\n"
	  "  --json       a JSON array instead of a table\n" },
	{ "task show", cmd_task_show, CLI_DB_READ, "show one task and its history",
	  " ID [--json]\n" },
	{ "task set", cmd_task_set, CLI_DB_WRITE, "change a task",
	  " ID [--status S] [--progress N] [--note TEXT] [--deadline TEXT]\n\n"
	  "Each change is recorded in the task's history (channel cli).\n" },
	{ "task assess", cmd_task_assess, CLI_DB_WRITE, "record the assessment of an indicator",
	  " ID dat|\"chua dat\"|\"chua danh gia duoc\" [--note TEXT]\n\n"
	  "An indicator (chỉ tiêu) is assessed, not due: đạt (achieved), chưa đạt (not\n"
	  "achieved) or chưa đánh giá được (cannot be assessed yet), with or without\n"
	  "diacritics.  Recorded as an assessment event (channel cli), even when it\n"
	  "is the same as before.  A task that is not an indicator is refused.\n" },
	{ "agency list", cmd_agency_list, CLI_DB_READ, "list agencies",
	  " [--json]\n" },
	{ "agency add", cmd_agency_add, CLI_DB_WRITE, "add an agency",
	  " --name NAME [--code CODE] [--kind KIND]\n\n"
	  "  KIND is department, commune, party, group or other (guessed from NAME).\n"
	  "  CODE is 1-32 of a-z, 0-9, '-', '_' (made from NAME's initials when omitted).\n" },
	{ "agency alias", cmd_agency_alias, CLI_DB_WRITE, "give an agency another name",
	  " CODE ALIAS\n" },
	{ "person add", cmd_person_add, CLI_DB_WRITE, "add a person",
	  " --name NAME --agency CODE --role ROLE [--email E] [--telegram CHAT_ID]\n"
	  "                  [--zalo USER_ID] [--phone NUMBER] [--lang vi|en] [--force]\n\n"
	  "  ROLE is focal, head, leader, secretariat or viewer.\n"
	  "  NUMBER is digits: 0912345678 or +84912345678 (kept as 84912345678).\n"
	  "  --force  add even when the person looks like someone registered (the same\n"
	  "           name in the same agency, or the same email, chat, Zalo id or\n"
	  "           phone); an address is still one person's\n" },
	{ "person list", cmd_person_list, CLI_DB_READ, "list people",
	  " [--json] [--zalo-closed]\n\n"
	  "Shows, beside each Zalo id, whether its interaction window is open: the\n"
	  "person wrote to the OA within [zalo] window (7 days), so Zalo may send\n"
	  "them reminders; closed, they get them another way until they write again\n"
	  "(\"zalo_window\": \"open\", \"closed\" or null, and \"zalo_last_in\" in --json).\n"
	  "  --zalo-closed  only the people out of that window\n" },
	{ "person invite", cmd_person_invite, CLI_DB_WRITE, "make a code that links a Telegram chat",
	  " ID [--days N]\n\n"
	  "Prints a one-time code, valid N days (7), and the t.me link that sends it.\n"
	  "The person taps the link (or sends /start CODE to the bot) and their chat is\n"
	  "linked.  Only the code's SHA-256 is kept; a new code leaves older ones valid.\n" },
	{ "obstacle list", cmd_obstacle_list, CLI_DB_READ, "list obstacles reported from chat",
	  " [--open] [--json]\n\n"
	  "The obstacles and proposals officials reported (/vuongmac), with who reported\n"
	  "them, when, and how they were handled.\n\n"
	  "  --open    only those not handled yet\n"
	  "  --json    a JSON array instead of a table\n" },
	{ "obstacle handle", cmd_obstacle_handle, CLI_DB_WRITE, "mark an obstacle handled",
	  " N --note TEXT\n\n"
	  "Marks obstacle N handled, with TEXT saying how (recorded in the task's\n"
	  "history, channel cli).  Its reporter is told, with the note; when it was the\n"
	  "task's last open obstacle, the task is no longer shown VÀNG for it.\n" },
	{ "chat", cmd_chat, CLI_DB_WRITE, "run a chat command as a linked chat would",
	  " --telegram CHAT_ID | --zalo USER_ID [--reply-to MESSAGE] TEXT...\n"
	  "       dondoc chat --telegram CHAT_ID --button DATA --on MESSAGE\n\n"
	  "Runs TEXT (\"/xong 27 đã gửi\") through the command layer as the chat CHAT_ID\n"
	  "(or the Zalo user USER_ID, to the OA) sends it, changes the registry as the bot would, and prints the answer as\n"
	  "the phone shows it.  Messages for others (the secretariat, a requester) are\n"
	  "queued.  Exit status 1 when the command was refused.\n\n"
	  "  --reply-to MESSAGE  the text replies to outbox message MESSAGE (a note)\n"
	  "  --button DATA       a button pressed (\"t:27:done\") under outbox message --on\n"
	  "  --format FORM       phone (the default: what the phone shows, a button's\n"
	  "                      popup first in [ ]), chat (Telegram's HTML as sent), or\n"
	  "                      text (the plain-text form an email carries)\n" },
	{ "extension list", cmd_extension_list, CLI_DB_READ, "list deadline change requests",
	  " [--pending] [--json]\n\n"
	  "  --pending    only those waiting for a decision\n"
	  "  --json       a JSON array instead of a table\n" },
	{ "extension approve", cmd_extension_approve, CLI_DB_WRITE,
	  "approve a deadline change request",
	  " N [--note TEXT]\n\n"
	  "The task's deadline becomes the one asked for; the requester and the\n"
	  "secretariat are told (messages queued in the outbox).  The operator\n"
	  "($DONDOC_ACTOR) is the decider.  A request already decided, superseded, or\n"
	  "of a task done is refused (exit status 65) and nothing changes.\n" },
	{ "extension reject", cmd_extension_reject, CLI_DB_WRITE,
	  "reject a deadline change request",
	  " N --reason TEXT\n\n"
	  "The deadline stays; the requester is told the reason, the secretariat too.\n" },
	{ "serve", cmd_serve, 0, "run the daemon: plan, remind, escalate",
	  " [--once]\n\n"
	  "Runs until SIGTERM.  The configuration (--config) says where the registry,\n"
	  "the schedules and the outbox are; SIGHUP reloads it.\n\n"
	  "  --once    one pass (plan, compose, deliver what is due now), then exit\n" },
	{ "remind", cmd_remind, CLI_DB_WRITE, "queue the notices that are due now",
	  " [--dry-run] [--json]\n\n"
	  "  --dry-run  list what would be queued, change nothing\n"
	  "  --json     as a JSON array\n" },
	{ "explain", cmd_explain, CLI_DB_READ, "show the whole reminder ladder of a task",
	  " ID [--json]\n\n"
	  "Every reminder, nag and escalation of the task with its date, recipient,\n"
	  "channel and state (planned, queued, sent, cancelled, dead).\n" },
	{ "report", cmd_report, CLI_DB_READ, "count the tasks as the committee reports them",
	  " [--agency CODE] [--document NUMBER] [--by agency|document]\n"
	  "              [--from D --to D] [--json]\n"
	  "       dondoc report --xlsx FILE [--agency CODE]\n\n"
	  "Counts the tasks in the committee's categories (done on time or late, in\n"
	  "progress and among them behind, not started, postponed; overdue) and the\n"
	  "indicators (achieved, not achieved, not assessable), as of today.\n\n"
	  "  --agency CODE      only the tasks the agency leads (code, name or alias)\n"
	  "  --document NUMBER  only the tasks of that assigning document\n"
	  "  --by agency        a row per lead agency; a task with two lead agencies is\n"
	  "                     in both rows, so the rows add up to more than the whole\n"
	  "  --by document      a row per assigning document; the rows add up to the whole\n"
	  "  --from D --to D    also what happened from day D to day D, both included\n"
	  "                     (YYYY-MM-DD or D/M/YYYY): tasks done then (on time or\n"
	  "                     late) and rows created then, read from the tasks as they\n"
	  "                     stand today\n"
	  "  --json             one JSON object, for tools\n"
	  "  --xlsx FILE        write the workbook instead: every task and indicator in\n"
	  "                     the appendix layout, grouped by assigning document, and\n"
	  "                     a sheet by lead agency (written to FILE.tmp, then renamed)\n" },
	{ "digest", cmd_digest, CLI_DB_READ, "write the committee's periodic report, or send it now",
	  " --preview FILE.html [--text FILE.txt] [--xlsx FILE.xlsx] [--period P [--of M]]\n"
	  "              [--at DAY] [--agency CODE]\n"
	  "       dondoc digest --send [--to ADDRESS] [--period P [--of M]] [--at DAY]\n\n"
	  "The digest the daemon sends on its [digest] rrule: the committee's headline,\n"
	  "what changed in the period, overdue and due tasks, a table per agency, the\n"
	  "messages that could not be delivered; and the table as a workbook.\n\n"
	  "  --preview FILE  write the HTML email to FILE (nothing is sent)\n"
	  "  --text FILE     also its plain-text form\n"
	  "  --xlsx FILE     also the workbook attached to it\n"
	  "  --send          queue it in the outbox now, to the secretariat, the leaders\n"
	  "                  who asked for it and the [digest] to addresses\n"
	  "  --to ADDRESS    to that email address alone\n"
	  "  --period P      month, quarter, half, 9months or year: the one holding\n"
	  "                  --of (default: today), by the calendar or, with [report]\n"
	  "                  cutoff_day = 14, from the 15th to the 14th.  Without it:\n"
	  "                  since the previous digest (the last 14 days before any)\n"
	  "  --of M          the month the period holds (YYYY-MM or M/YYYY)\n"
	  "  --at DAY        the figures as of DAY (YYYY-MM-DD or D/M/YYYY; default today)\n"
	  "  --agency CODE   only the tasks the agency leads\n" },
	{ "outbox list", cmd_outbox_list, CLI_DB_READ, "list messages of the outbox",
	  " [--state pending|sending|sent|dead|cancelled] [--json]\n" },
	{ "outbox retry", cmd_outbox_retry, CLI_DB_WRITE, "send a dead message again",
	  " ID\n" },
	{ "lease list", cmd_lease_list, CLI_DB_READ, "show which instance leads the planner and the digest",
	  " [--json]\n\n"
	  "Every term of each lease, oldest first: the instance that held it (HOST PID\n"
	  "START NS), when it began, and when it ended or its lease ends.  Several\n"
	  "instances on one registry elect one planner and one digest sender; a term\n"
	  "ends before the next begins.\n" },
	{ "send-test", cmd_send_test, 0, "send one test email to check the configuration",
	  " --email ADDRESS\n\n"
	  "Sends a test message through the configured SMTP relay at once, and says\n"
	  "whether the server took it.\n" },
	{ "doctor", cmd_doctor, 0, "report what is configured and reachable",
	  "\n\nChecks the configuration, the registry, the schedules, the templates and\n"
	  "every channel (the SMTP relay answers, the outbox can be written); exit\n"
	  "status 1 when something is wrong.\n" },
	{ "migrate", cmd_migrate, CLI_DB_WRITE, "copy the registry, with its history, into a new one",
	  " --to FILE|postgresql://URI\n\n"
	  "Copies every row of the registry, ids and history included, into a new\n"
	  "registry (a PostgreSQL database with no dondoc registry in it yet, or a new\n"
	  "SQLite file), in one transaction, then checks the copy as 'verify' does and\n"
	  "that its history ends at the same hash.  Stop the daemon first; point its db\n"
	  "setting at the copy after.\n" },
	{ "verify", cmd_verify, CLI_DB_READ, "check that the history was not edited",
	  " [--anchor] [--anchor-check HASH]\n\n"
	  "Recomputes the hash chain of the event log (keyed with [audit] key_file when\n"
	  "set), then replays it and compares the result with the tasks, people and\n"
	  "agencies.  Exit status 1 when something was changed outside dondoc, naming\n"
	  "it; 78 when the history is keyed and the key is missing or another.\n\n"
	  "  --anchor             print the head hash, to record elsewhere (paper, another\n"
	  "                       machine)\n"
	  "  --anchor-check HASH  also check that the history still holds that anchor\n" },
	/* People and agencies corrected (issue 12): each change an event. */
	{ "person set", cmd_person_set, CLI_DB_WRITE, "change a person",
	  " ID [--name NAME] [--agency CODE] [--role ROLE] [--email E] [--telegram CHAT_ID]\n"
	  "                  [--zalo USER_ID] [--phone NUMBER] [--lang vi|en] [--digest yes|no]\n"
	  "                  [--force] [--json]\n\n"
	  "An empty value (--email '') clears that address; a new address clears the\n"
	  "mark a refused one left.  A change that makes the person look like another\n"
	  "(same name in the same agency, same email, chat, Zalo id or phone) is refused,\n"
	  "naming them, unless --force.  --digest yes: the person gets the periodic\n"
	  "digest too (the secretariat always does).\n" },
	{ "person deactivate", cmd_person_deactivate, CLI_DB_WRITE,
	  "stop reminding a person, keeping their history",
	  " ID [--json]\n" },
	{ "person activate", cmd_person_activate, CLI_DB_WRITE, "remind a deactivated person again",
	  " ID [--force] [--json]\n"
	  "Refused, naming them, when the person now looks like someone active or\n"
	  "registered (as 'person add' checks); --force brings them back anyway.\n" },
	{ "person remove", cmd_person_remove, CLI_DB_WRITE, "remove a person nothing refers to",
	  " ID [--json]\n\n"
	  "Refused, with the reason, once the history, the outbox or a task refers to\n"
	  "the person: 'dondoc person deactivate ID' stops their reminders instead.\n" },
	{ "agency set", cmd_agency_set, CLI_DB_WRITE, "rename an agency, change its code or kind",
	  " CODE [--name NAME] [--code NEW] [--kind KIND] [--head PERSON_ID] [--json]\n\n"
	  "The old name and code stay aliases, so that a table naming them still finds\n"
	  "the agency.  --head makes person PERSON_ID of the agency its head.\n" },
	{ "agency merge", cmd_agency_merge, CLI_DB_WRITE, "make two agencies one",
	  " FROM INTO [--json]\n\n"
	  "The tasks, people and aliases of FROM move to INTO and FROM goes; FROM's\n"
	  "name and code become aliases of INTO, so a later import naming FROM lands\n"
	  "in INTO.\n" },
	{ "agency remove", cmd_agency_remove, CLI_DB_WRITE, "remove an agency nothing refers to",
	  " CODE [--json]\n\n"
	  "Refused while a task or a person names the agency ('dondoc agency merge').\n" },
	/* Calendar feeds (issue 15): a link per agency, person, document or all. */
	{ "feed create", cmd_feed_create, CLI_DB_WRITE, "make a calendar feed and print its link",
	  " --agency A | --person ID | --document NUMBER | --all [--json]\n\n"
	  "Makes an iCalendar feed of the deadlines that calendar apps (Google, Apple,\n"
	  "Outlook, Thunderbird) subscribe to, and prints its link on [http] public_url,\n"
	  "<public_url>/ical/<token>.ics, and its webcal:// form.  The link is shown\n"
	  "this once: the registry keeps only a hash of its token.\n\n"
	  "  --agency A          the tasks agency A (code, name or alias) leads or\n"
	  "                      cooperates on\n"
	  "  --person ID         the same for the agency of person ID\n"
	  "  --document NUMBER   the tasks the document gave ('328-KH/TU')\n"
	  "  --all               every task (the secretariat, leaders)\n"
	  "  --json              the feed, its url and webcal as JSON\n" },
	{ "feed list", cmd_feed_list, CLI_DB_READ, "list calendar feeds",
	  " [--json]\n\n"
	  "Every feed, revoked ones too, with when it was last fetched and by what\n"
	  "client (its User-Agent), and how many times.  Links are not shown: only\n"
	  "their hashes are kept.\n" },
	{ "feed revoke", cmd_feed_revoke, CLI_DB_WRITE, "revoke a calendar feed's link",
	  " ID [--json]\n\n"
	  "The feed's link answers 404 from then on; calendars subscribed to it stop\n"
	  "updating.  'dondoc feed create' makes a new link.\n" },
	/* The Zalo OA's tokens (issue 14): kept in the registry, never printed. */
	{ "zalo set-token", cmd_zalo_set_token, CLI_DB_WRITE, "store the Zalo OA's refresh token",
	  " REFRESH_TOKEN|- [--json]\n\n"
	  "Stores the refresh token of the OA's consent (or the API Explorer), drops\n"
	  "any access token and the last refresh error; '-' reads it from stdin, out\n"
	  "of the shell's history.  dondoc refreshes it from then on.\n" },
	{ "zalo refresh", cmd_zalo_refresh, CLI_DB_WRITE, "refresh the Zalo OA's access token now",
	  "\n\n"
	  "One token refresh now, even after a failed one; exit status 1 with the\n"
	  "reason when it fails.  When another process refreshes meanwhile, its\n"
	  "token is kept and nothing is sent.\n" },
	{ "zalo status", cmd_zalo_status, CLI_DB_READ, "show when the Zalo access token expires",
	  " [--json]\n\n"
	  "Whether a refresh token is stored, when the access token expires, the last\n"
	  "refresh and the last refresh error; never the tokens.\n" },
};

int
cli_exit_code(int r)
{
	if (r >= 0)
		return r;
	switch (-r) {
	case ENOENT:
		return EX_NOINPUT;
	case EROFS:
	case EACCES:
	case EPERM:
		return EX_NOPERM;
	case EBUSY:
	case EAGAIN:
	case ERANGE:	/* the clock is behind the history: right once it is right */
		return EX_TEMPFAIL;
	case ENOKEY:
	case EKEYREJECTED:
		return EX_CONFIG;
	case EINVAL:
	case EBADMSG:
	case ENODATA:
	case EFBIG:
	case EEXIST:
		return EX_DATAERR;
	case EIO:
	case ENOSPC:
		return EX_IOERR;
	default:
		return EX_SOFTWARE;
	}
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dondoc %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'dondoc %s --help')\n", cmd);
	return EX_USAGE;
}

int
cli_error(const char *cmd, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dondoc %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static const struct cli_command *
find_command(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void
print_usage(const struct cli_command *c)
{
	printf("usage: dondoc [--db PATH] [--config PATH] %s%s", c->name, c->usage);
}

int
cli_need_config(struct dondoc *d)
{
	char *msg = NULL;
	int r;

	if (d->cfg)
		return 0;
	r = config_load(d->config_path, &d->cfg, &msg);
	if (r < 0) {
		fprintf(stderr, "dondoc %s: %s\n", d->command->name, msg ? msg : strerror(-r));
		free(msg);
		return EX_CONFIG;
	}
	return 0;
}

int
cli_need_schedule(struct dondoc *d)
{
	char *msg = NULL;
	int r, ex;

	if ((ex = cli_need_config(d)) != 0)
		return ex;
	if (!d->sch) {
		r = schedule_load(d->cfg->schedules, clock_today(&d->clock), &d->sch, &msg);
		if (r < 0) {
			msg = config_data_error(d->cfg, "schedules", msg ? msg : xstrdup(strerror(-r)));
			goto fail;
		}
	}
	if (!d->cs) {
		r = channels_open(d->cfg, &d->cs, &msg);
		if (r < 0)
			goto fail;
		channels_use_store(d->cs, d->store);
	}
	return 0;
fail:
	fprintf(stderr, "dondoc %s: %s\n", d->command->name, msg ? msg : strerror(-r));
	free(msg);
	return EX_CONFIG;
}

int
cli_queue_messages(struct dondoc *d, const struct command_out *out, size_t *ret_n)
{
	struct renderer *rend = NULL;
	char *msg = NULL;
	int r, ex;

	*ret_n = 0;
	if (out->n_others == 0)
		return 0;
	if ((ex = cli_need_schedule(d)) != 0)
		return -ENOKEY;
	r = renderer_load(d->cfg->templates, &rend, &msg);
	if (r < 0) {
		msg = config_data_error(d->cfg, "templates", msg ? msg : xstrdup(strerror(-r)));
		fprintf(stderr, "dondoc %s: %s\n", d->command->name, msg ? msg : strerror(-r));
		free(msg);
		return -ENOKEY;
	}
	{
		struct inbound_env env = { .s = d->store, .rend = rend, .sch = d->sch, .cs = d->cs,
					   .bot_username = d->cfg->telegram_bot_username,
					   .url = d->cfg->public_url };
		struct command_in in = { .channel = "cli", .now = clock_now(&d->clock),
					 .today = clock_today(&d->clock), .cal = d->sch->cal };

		r = inbound_queue(&env, &in, out->others, out->n_others, ret_n);
	}
	renderer_free(rend);
	return r;
}

int
cli_need_store(struct dondoc *d)
{
	const struct cli_command *cmd = d->command;
	enum store_mode mode;
	char *msg = NULL;
	int r, ex;

	if (d->store)
		return 0;
	/* Without --db or $DONDOC_DB, the configuration says where the registry is. */
	if (!d->db_path_given) {
		if ((ex = cli_need_config(d)) != 0)
			return ex;
		d->db_path = d->cfg->db;
	}
	mode = cmd->flags & CLI_DB_CREATE ? STORE_CREATE
	     : cmd->flags & CLI_DB_WRITE ? STORE_WRITE : STORE_READ;
	/* The history's key, when the configuration names one ([audit] key_file). */
	if ((ex = cli_need_config(d)) != 0)
		return ex;
	r = cli_store_open(d->cfg, d->db_path, mode, &d->store, &msg);
	if (r < 0) {
		fprintf(stderr, "dondoc %s: %s\n", cmd->name, msg ? msg : strerror(-r));
		free(msg);
		return r == -EKEYREJECTED || r == -ENOKEY ? EX_CONFIG : cli_exit_code(r);
	}
	/* Channels opened first keep their own state here too (channels_use_store). */
	channels_use_store(d->cs, d->store);
	if (mode != STORE_READ && !d->dry_run) {
		/* A key newly set keys the history from here on (an audit.key event). */
		r = store_audit_key_apply(d->store, d->actor, clock_now(&d->clock));
		if (r < 0) {
			fprintf(stderr, "dondoc %s: %s\n", cmd->name, store_errmsg(d->store));
			return cli_exit_code(r);
		}
	}
	return 0;
}

int
cli_store_open(const struct config *cfg, const char *db, enum store_mode mode,
	       struct store **ret, char **reterr_msg)
{
	struct store *s = NULL;
	char *key = NULL, *msg = NULL;
	int r = 0;

	/* The key first: a bad one must not leave a new, empty registry behind. */
	if (cfg->audit_key_file) {
		r = config_read_secret(cfg->audit_key_file, &key, &msg);
		if (r < 0) {
			*reterr_msg = xasprintf("[audit] key_file: %s", msg);
			free(msg);
			return -ENOKEY;
		}
		if (strlen(key) < 16) {
			*reterr_msg = xasprintf("[audit] key_file '%s' holds %zu bytes: a key needs "
						"at least 16 (e.g. 'openssl rand -hex 32')",
						cfg->audit_key_file, strlen(key));
			r = -ENOKEY;
			goto out;
		}
	}
	r = store_open(db, mode, &s, reterr_msg);
	if (r < 0)
		goto out;
	if (key) {
		r = store_set_audit_key(s, key, strlen(key));
		if (r < 0)
			goto out;
	}
	*ret = s;
	s = NULL;
out:
	store_close(s);
	if (key) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
	return r;
}

int
cli_parse(const char *cmd, int argc, char **argv, const struct option *opts,
	  int (*on_opt)(int c, const char *arg, void *userdata), void *userdata, int *ret_exit)
{
	char shortopts[64] = ":h";
	size_t k = 2;
	int c;

	/* Short forms are the options whose val is a printable letter. */
	for (const struct option *o = opts; o && o->name; o++)
		if (o->val > ' ' && o->val < 127 && o->val != 'h' && k + 2 < sizeof(shortopts)) {
			shortopts[k++] = (char)o->val;
			if (o->has_arg == required_argument)
				shortopts[k++] = ':';
		}
	shortopts[k] = '\0';

	struct option all[32];
	size_t n = 0;

	for (const struct option *o = opts; o && o->name && n < ELEMENTSOF(all) - 2; o++)
		all[n++] = *o;
	all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	all[n] = (struct option){ 0 };

	optind = 0;	/* GNU: reinitialise */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
		int r;

		if (c == 'h') {
			print_usage(find_command(cmd));
			*ret_exit = 0;
			return 1;
		}
		if (c == '?') {
			if (optopt)
				*ret_exit = cli_usage_error(cmd, "unknown option '-%c'", optopt);
			else
				*ret_exit = cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
			return 1;
		}
		if (c == ':') {
			*ret_exit = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			return 1;
		}
		r = on_opt(c, optarg, userdata);
		if (r != 0) {
			*ret_exit = r;
			return 1;
		}
	}
	return 0;
}

int
cli_json_opt(int c, const char *arg, void *userdata)
{
	(void)arg;
	if (c == 'j')
		*(bool *)userdata = true;
	return 0;
}

int
cli_parse_int(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	char *end = NULL;
	long long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* --- JSON arrays ------------------------------------------------------ */

void
cli_json_begin(void)
{
	fputs("[", stdout);
}

void
cli_json_print(json_t *o)
{
	(void)json_dumpf(o, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(o);
}

void
cli_json_write(const json_t *o, size_t n)
{
	char small[8192], *big = NULL;
	size_t len;

	fputs(n ? ",\n" : "\n", stdout);
	/* Into a stack buffer: no allocation for an item of usual size. */
	len = json_dumpb(o, small, sizeof(small), JSON_COMPACT);
	if (len > sizeof(small)) {
		big = xmalloc(len);
		len = json_dumpb(o, big, len, JSON_COMPACT);
	}
	if (len == 0)
		fputs("null", stdout);
	else
		fwrite(big ? big : small, 1, len, stdout);
	free(big);
}

void
cli_json_item(json_t *o, size_t n)
{
	cli_json_write(o, n);
	json_decref(o);
}

void
cli_json_end(size_t n)
{
	fputs(n ? "\n]\n" : "]\n", stdout);
}

/* --- tables ----------------------------------------------------------- */

struct cli_table {
	size_t ncols, nrows;
	char **cells;		/* nrows * ncols */
	size_t *width;		/* per column */
};

struct cli_table *
cli_table_new(size_t ncols)
{
	struct cli_table *t = xcalloc(1, sizeof(*t));

	t->ncols = ncols;
	t->width = xcalloc(ncols, sizeof(size_t));
	return t;
}

struct cli_table *
cli_table_free(struct cli_table *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
	free(t);
	return NULL;
}

void
cli_table_add(struct cli_table *t, const char *const *cells)
{
	/* A row of ncols cells is one element: only this grows them, a row at a time. */
	t->cells = xgrowarray(t->cells, t->nrows, t->ncols * sizeof(char *));
	for (size_t c = 0; c < t->ncols; c++) {
		char *v = xstrdup(cells[c] ? cells[c] : "");
		size_t w = norm_width(v);

		t->cells[t->nrows * t->ncols + c] = v;
		if (w > t->width[c])
			t->width[c] = w;
	}
	t->nrows++;
}

void
cli_table_print(const struct cli_table *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *v = t->cells[r * t->ncols + c];

			fputs(v, stdout);
			if (c + 1 < t->ncols)
				printf("%*s", (int)(t->width[c] - norm_width(v) + 2), "");
		}
		fputc('\n', stdout);
	}
}

/* --- dispatch --------------------------------------------------------- */

static void
print_help(void)
{
	printf("usage: dondoc [--db PATH] [--config PATH] [--version] [--help] COMMAND [ARGS]\n\n"
	       "dondoc follows up the tasks of a steering committee.\n\n"
	       "commands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		printf("  %-18s %s\n", commands[i].name, commands[i].summary);
	printf("\nThe registry is --db PATH, else $DONDOC_DB, else the configuration's db\n"
	       "(./dondoc.db).  The configuration is --config PATH, else $DONDOC_CONFIG,\n"
	       "else ./dondoc.conf when it exists.\n"
	       "'dondoc COMMAND --help' tells more about a command.\n");
}

static const char *
default_actor(void)
{
	const char *a = getenv("DONDOC_ACTOR");

	if (!a || !*a)
		a = getenv("SUDO_USER");
	if (!a || !*a)
		a = getenv("USER");
	return a && *a ? a : "operator";
}

int
cli_main(int argc, char **argv)
{
	struct dondoc d = { 0 };
	const struct cli_command *cmd = NULL;
	char *two = NULL;
	int i = 1, r;

	d.db_path = getenv("DONDOC_DB");
	d.db_path_given = d.db_path && *d.db_path;
	if (!d.db_path_given)
		d.db_path = "./dondoc.db";
	d.actor = default_actor();

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("dondoc %s\n", DONDOC_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_help();
			return 0;
		} else if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "dondoc: option '--db' needs a path\n");
				return EX_USAGE;
			}
			d.db_path = argv[++i];
			d.db_path_given = true;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			d.db_path = argv[i] + 5;
			d.db_path_given = true;
		} else if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "dondoc: option '--config' needs a path\n");
				return EX_USAGE;
			}
			d.config_path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			d.config_path = argv[i] + 9;
		} else {
			fprintf(stderr, "dondoc: unknown option '%s' (see 'dondoc --help')\n", argv[i]);
			return EX_USAGE;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "dondoc: no command given (see 'dondoc --help')\n");
		return EX_USAGE;
	}
	if (!*d.db_path) {
		fprintf(stderr, "dondoc: the database path is empty\n");
		return EX_USAGE;
	}
	if (i + 1 < argc) {
		two = xasprintf("%s %s", argv[i], argv[i + 1]);
		cmd = find_command(two);
		free(two);
		if (cmd)
			i++;
	}
	if (!cmd)
		cmd = find_command(argv[i]);
	if (!cmd) {
		bool group = false;
		size_t n = strlen(argv[i]);

		for (size_t k = 0; k < ELEMENTSOF(commands); k++)
			if (strncmp(commands[k].name, argv[i], n) == 0 && commands[k].name[n] == ' ')
				group = true;
		if (group && i + 1 < argc)
			fprintf(stderr, "dondoc %s: unknown command '%s' (see 'dondoc --help')\n",
				argv[i], argv[i + 1]);
		else if (group)
			fprintf(stderr, "dondoc %s: which one? (see 'dondoc --help')\n", argv[i]);
		else
			fprintf(stderr, "dondoc: unknown command '%s' (see 'dondoc --help')\n",
				argv[i]);
		return EX_USAGE;
	}

	/* "--help" must work without a database. */
	for (int k = i + 1; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0)
			break;
		if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
			print_usage(cmd);
			return 0;
		}
	}
	if (clock_init(&d.clock) < 0) {
		fprintf(stderr, "dondoc: DONDOC_NOW='%s' is not an ISO 8601 time\n",
			getenv("DONDOC_NOW"));
		return EX_CONFIG;
	}

	d.command = cmd;
	/* The command sees its own name as argv[0]. */
	r = cmd->run(&d, argc - i, argv + i);
	/* The channels first: they may hold the registry (channels_use_store). */
	d.cs = channels_free(d.cs);
	d.store = store_close(d.store);
	d.sch = schedule_free(d.sch);
	d.cfg = config_free(d.cfg);
	return cli_exit_code(r);
}

int
cli_parse_day(const char *s, struct date *ret)
{
	int d, m, y, n = 0;

	if (date_parse_iso(s, ret) == 0)
		return 0;
	if (sscanf(s, "%d/%d/%d%n", &d, &m, &y, &n) == 3 && s[n] == '\0' &&
	    date_is_valid(y, m, d)) {
		*ret = (struct date){ y, m, d };
		return 0;
	}
	return -EINVAL;
}
