/* SPDX-License-Identifier: MIT */
/*
 * libpq by dlopen; see dlpq.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#include "dl.h"
#include "dlpq.h"
#include "macro.h"

#define LIBPQ "libpq.so.5"

typeof(PQconnectdb) *sym_PQconnectdb;
typeof(PQfinish) *sym_PQfinish;
typeof(PQreset) *sym_PQreset;
typeof(PQstatus) *sym_PQstatus;
typeof(PQerrorMessage) *sym_PQerrorMessage;
typeof(PQsetNoticeReceiver) *sym_PQsetNoticeReceiver;
typeof(PQtransactionStatus) *sym_PQtransactionStatus;
typeof(PQexec) *sym_PQexec;
typeof(PQprepare) *sym_PQprepare;
typeof(PQexecPrepared) *sym_PQexecPrepared;
typeof(PQresultStatus) *sym_PQresultStatus;
typeof(PQresultErrorField) *sym_PQresultErrorField;
typeof(PQresultErrorMessage) *sym_PQresultErrorMessage;
typeof(PQclear) *sym_PQclear;
typeof(PQntuples) *sym_PQntuples;
typeof(PQnfields) *sym_PQnfields;
typeof(PQftype) *sym_PQftype;
typeof(PQgetvalue) *sym_PQgetvalue;
typeof(PQgetlength) *sym_PQgetlength;
typeof(PQgetisnull) *sym_PQgetisnull;
typeof(PQcmdTuples) *sym_PQcmdTuples;
typeof(PQunescapeBytea) *sym_PQunescapeBytea;
typeof(PQfreemem) *sym_PQfreemem;
typeof(PQserverVersion) *sym_PQserverVersion;
typeof(PQhost) *sym_PQhost;
typeof(PQport) *sym_PQport;
typeof(PQdb) *sym_PQdb;
typeof(PQfname) *sym_PQfname;
typeof(PQsocket) *sym_PQsocket;
typeof(PQconsumeInput) *sym_PQconsumeInput;
typeof(PQnotifies) *sym_PQnotifies;
typeof(PQenterPipelineMode) *sym_PQenterPipelineMode;
typeof(PQexitPipelineMode) *sym_PQexitPipelineMode;
typeof(PQpipelineSync) *sym_PQpipelineSync;
typeof(PQsendPrepare) *sym_PQsendPrepare;
typeof(PQsendQueryPrepared) *sym_PQsendQueryPrepared;
typeof(PQsendQueryParams) *sym_PQsendQueryParams;
typeof(PQgetResult) *sym_PQgetResult;

/* Loaded once and for the process's life: never unloaded. */
static void *handle;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int
dlpq_load(char **reterr_msg)
{
	const struct dl_sym syms[] = {
		{ (void **)&sym_PQconnectdb, "PQconnectdb" },
		{ (void **)&sym_PQfinish, "PQfinish" },
		{ (void **)&sym_PQreset, "PQreset" },
		{ (void **)&sym_PQstatus, "PQstatus" },
		{ (void **)&sym_PQerrorMessage, "PQerrorMessage" },
		{ (void **)&sym_PQsetNoticeReceiver, "PQsetNoticeReceiver" },
		{ (void **)&sym_PQtransactionStatus, "PQtransactionStatus" },
		{ (void **)&sym_PQexec, "PQexec" },
		{ (void **)&sym_PQprepare, "PQprepare" },
		{ (void **)&sym_PQexecPrepared, "PQexecPrepared" },
		{ (void **)&sym_PQresultStatus, "PQresultStatus" },
		{ (void **)&sym_PQresultErrorField, "PQresultErrorField" },
		{ (void **)&sym_PQresultErrorMessage, "PQresultErrorMessage" },
		{ (void **)&sym_PQclear, "PQclear" },
		{ (void **)&sym_PQntuples, "PQntuples" },
		{ (void **)&sym_PQnfields, "PQnfields" },
		{ (void **)&sym_PQftype, "PQftype" },
		{ (void **)&sym_PQgetvalue, "PQgetvalue" },
		{ (void **)&sym_PQgetlength, "PQgetlength" },
		{ (void **)&sym_PQgetisnull, "PQgetisnull" },
		{ (void **)&sym_PQcmdTuples, "PQcmdTuples" },
		{ (void **)&sym_PQunescapeBytea, "PQunescapeBytea" },
		{ (void **)&sym_PQfreemem, "PQfreemem" },
		{ (void **)&sym_PQserverVersion, "PQserverVersion" },
		{ (void **)&sym_PQhost, "PQhost" },
		{ (void **)&sym_PQport, "PQport" },
		{ (void **)&sym_PQdb, "PQdb" },
		{ (void **)&sym_PQfname, "PQfname" },
		{ (void **)&sym_PQsocket, "PQsocket" },
		{ (void **)&sym_PQconsumeInput, "PQconsumeInput" },
		{ (void **)&sym_PQnotifies, "PQnotifies" },
		{ (void **)&sym_PQenterPipelineMode, "PQenterPipelineMode" },
		{ (void **)&sym_PQexitPipelineMode, "PQexitPipelineMode" },
		{ (void **)&sym_PQpipelineSync, "PQpipelineSync" },
		{ (void **)&sym_PQsendPrepare, "PQsendPrepare" },
		{ (void **)&sym_PQsendQueryPrepared, "PQsendQueryPrepared" },
		{ (void **)&sym_PQsendQueryParams, "PQsendQueryParams" },
		{ (void **)&sym_PQgetResult, "PQgetResult" },
	};
	void *h;
	int r = 0;

	/* The webhook's threads open their connections at once. */
	pthread_mutex_lock(&lock);
	if (!handle) {
		r = dl_open(LIBPQ, "libpq5", syms, ELEMENTSOF(syms), &h, reterr_msg);
		if (r == 0)
			handle = h;
	}
	pthread_mutex_unlock(&lock);
	return r;
}
