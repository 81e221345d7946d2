/* SPDX-License-Identifier: MIT */
/*
 * libmicrohttpd, loaded when the HTTP server first starts (dlopen), as
 * libcurl is (dlcurl.h): a daemon that serves nothing over HTTP never
 * maps it and GnuTLS under it, 3 MB of its resident memory.
 */
#ifndef DONDOC_DLMHD_H
#define DONDOC_DLMHD_H

#include <microhttpd.h>

extern typeof(MHD_start_daemon) *sym_MHD_start_daemon;
extern typeof(MHD_stop_daemon) *sym_MHD_stop_daemon;
extern typeof(MHD_quiesce_daemon) *sym_MHD_quiesce_daemon;
extern typeof(MHD_get_daemon_info) *sym_MHD_get_daemon_info;
extern typeof(MHD_create_response_from_buffer) *sym_MHD_create_response_from_buffer;
/* NULL when the library is older than 0.9.73.02: http.c copies lent bodies then. */
extern typeof(MHD_create_response_from_buffer_with_free_callback_cls)
	*sym_MHD_create_response_from_buffer_with_free_callback_cls;
extern typeof(MHD_add_response_header) *sym_MHD_add_response_header;
extern typeof(MHD_queue_response) *sym_MHD_queue_response;
extern typeof(MHD_destroy_response) *sym_MHD_destroy_response;
extern typeof(MHD_lookup_connection_value) *sym_MHD_lookup_connection_value;
extern typeof(MHD_suspend_connection) *sym_MHD_suspend_connection;
extern typeof(MHD_resume_connection) *sym_MHD_resume_connection;
extern typeof(MHD_get_connection_info) *sym_MHD_get_connection_info;
extern typeof(MHD_get_connection_values) *sym_MHD_get_connection_values;

/* Loads libmicrohttpd, once: 0, or -EOPNOTSUPP with a new message. */
int dlmhd_load(char **reterr_msg);

#endif
