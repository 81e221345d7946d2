/* SPDX-License-Identifier: MIT */
/*
 * libmicrohttpd by dlopen; see dlmhd.h.
 */
#include <dlfcn.h>
#include <stddef.h>

#include "dl.h"
#include "dlmhd.h"
#include "macro.h"

#define LIBMHD "libmicrohttpd.so.12"

typeof(MHD_start_daemon) *sym_MHD_start_daemon;
typeof(MHD_stop_daemon) *sym_MHD_stop_daemon;
typeof(MHD_quiesce_daemon) *sym_MHD_quiesce_daemon;
typeof(MHD_get_daemon_info) *sym_MHD_get_daemon_info;
typeof(MHD_create_response_from_buffer) *sym_MHD_create_response_from_buffer;
typeof(MHD_create_response_from_buffer_with_free_callback_cls)
	*sym_MHD_create_response_from_buffer_with_free_callback_cls;
typeof(MHD_add_response_header) *sym_MHD_add_response_header;
typeof(MHD_queue_response) *sym_MHD_queue_response;
typeof(MHD_destroy_response) *sym_MHD_destroy_response;
typeof(MHD_lookup_connection_value) *sym_MHD_lookup_connection_value;
typeof(MHD_suspend_connection) *sym_MHD_suspend_connection;
typeof(MHD_resume_connection) *sym_MHD_resume_connection;
typeof(MHD_get_connection_info) *sym_MHD_get_connection_info;
typeof(MHD_get_connection_values) *sym_MHD_get_connection_values;

/* Loaded once and for the process's life: never unloaded. */
static void *handle;

int
dlmhd_load(char **reterr_msg)
{
	const struct dl_sym syms[] = {
		{ (void **)&sym_MHD_start_daemon, "MHD_start_daemon" },
		{ (void **)&sym_MHD_stop_daemon, "MHD_stop_daemon" },
		{ (void **)&sym_MHD_quiesce_daemon, "MHD_quiesce_daemon" },
		{ (void **)&sym_MHD_get_daemon_info, "MHD_get_daemon_info" },
		{ (void **)&sym_MHD_create_response_from_buffer, "MHD_create_response_from_buffer" },
		{ (void **)&sym_MHD_add_response_header, "MHD_add_response_header" },
		{ (void **)&sym_MHD_queue_response, "MHD_queue_response" },
		{ (void **)&sym_MHD_destroy_response, "MHD_destroy_response" },
		{ (void **)&sym_MHD_lookup_connection_value, "MHD_lookup_connection_value" },
		{ (void **)&sym_MHD_suspend_connection, "MHD_suspend_connection" },
		{ (void **)&sym_MHD_resume_connection, "MHD_resume_connection" },
		{ (void **)&sym_MHD_get_connection_info, "MHD_get_connection_info" },
		{ (void **)&sym_MHD_get_connection_values, "MHD_get_connection_values" },
	};

	int r;

	if (handle)
		return 0;
	r = dl_open(LIBMHD, "libmicrohttpd12", syms, ELEMENTSOF(syms), &handle, reterr_msg);
	if (r < 0)
		return r;
	/*
	 * New in 0.9.73.02 (bookworm has 0.9.75, bullseye 0.9.72): optional,
	 * so that an older library still serves, copying lent bodies (http.c).
	 */
	*(void **)&sym_MHD_create_response_from_buffer_with_free_callback_cls =
		dlsym(handle, "MHD_create_response_from_buffer_with_free_callback_cls");
	return 0;
}
