/* SPDX-License-Identifier: MIT */
/*
 * libpq, loaded the first time a registry is on PostgreSQL (dlopen), as
 * dlcurl.h loads libcurl: a dondoc on SQLite never maps libpq and the
 * libraries under it (Kerberos, LDAP, GnuTLS).
 *
 * The sym_ pointers have the types of <libpq-fe.h>; call them as the
 * functions they stand for.
 */
#ifndef DONDOC_DLPQ_H
#define DONDOC_DLPQ_H

#include <libpq-fe.h>

extern typeof(PQconnectdb) *sym_PQconnectdb;
extern typeof(PQfinish) *sym_PQfinish;
extern typeof(PQreset) *sym_PQreset;
extern typeof(PQstatus) *sym_PQstatus;
extern typeof(PQerrorMessage) *sym_PQerrorMessage;
extern typeof(PQsetNoticeReceiver) *sym_PQsetNoticeReceiver;
extern typeof(PQtransactionStatus) *sym_PQtransactionStatus;
extern typeof(PQexec) *sym_PQexec;
extern typeof(PQprepare) *sym_PQprepare;
extern typeof(PQexecPrepared) *sym_PQexecPrepared;
extern typeof(PQresultStatus) *sym_PQresultStatus;
extern typeof(PQresultErrorField) *sym_PQresultErrorField;
extern typeof(PQresultErrorMessage) *sym_PQresultErrorMessage;
extern typeof(PQclear) *sym_PQclear;
extern typeof(PQntuples) *sym_PQntuples;
extern typeof(PQnfields) *sym_PQnfields;
extern typeof(PQftype) *sym_PQftype;
extern typeof(PQgetvalue) *sym_PQgetvalue;
extern typeof(PQgetlength) *sym_PQgetlength;
extern typeof(PQgetisnull) *sym_PQgetisnull;
extern typeof(PQcmdTuples) *sym_PQcmdTuples;
extern typeof(PQunescapeBytea) *sym_PQunescapeBytea;
extern typeof(PQfreemem) *sym_PQfreemem;
extern typeof(PQserverVersion) *sym_PQserverVersion;
extern typeof(PQhost) *sym_PQhost;
extern typeof(PQport) *sym_PQport;
extern typeof(PQdb) *sym_PQdb;
extern typeof(PQfname) *sym_PQfname;
extern typeof(PQsocket) *sym_PQsocket;
extern typeof(PQconsumeInput) *sym_PQconsumeInput;
extern typeof(PQnotifies) *sym_PQnotifies;
extern typeof(PQenterPipelineMode) *sym_PQenterPipelineMode;
extern typeof(PQexitPipelineMode) *sym_PQexitPipelineMode;
extern typeof(PQpipelineSync) *sym_PQpipelineSync;
extern typeof(PQsendPrepare) *sym_PQsendPrepare;
extern typeof(PQsendQueryPrepared) *sym_PQsendQueryPrepared;
extern typeof(PQsendQueryParams) *sym_PQsendQueryParams;
extern typeof(PQgetResult) *sym_PQgetResult;

/* Loads libpq, once: 0, or -EOPNOTSUPP with a new message in *reterr_msg. */
int dlpq_load(char **reterr_msg);

#endif
