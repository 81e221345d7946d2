/* SPDX-License-Identifier: MIT */
/*
 * libcurl, loaded the first time a chat channel needs it (dlopen), the
 * way systemd loads its optional libraries: a daemon that sends no
 * Telegram or Zalo message never maps libcurl and the libraries under it
 * (GnuTLS, Kerberos, LDAP, libssh2...), 4 MB of its resident memory.
 *
 * The sym_ pointers have the types of <curl/curl.h>; call them as the
 * functions they stand for.  curl_easy_setopt's type checks do not apply
 * through a pointer: pass long (1L), not int.
 */
#ifndef DONDOC_DLCURL_H
#define DONDOC_DLCURL_H

#include <curl/curl.h>

extern typeof(curl_global_init) *sym_curl_global_init;
extern typeof(curl_easy_init) *sym_curl_easy_init;
extern typeof(curl_easy_cleanup) *sym_curl_easy_cleanup;
extern typeof(curl_easy_reset) *sym_curl_easy_reset;
extern typeof(curl_easy_setopt) *sym_curl_easy_setopt;
extern typeof(curl_easy_perform) *sym_curl_easy_perform;
extern typeof(curl_easy_getinfo) *sym_curl_easy_getinfo;
extern typeof(curl_easy_strerror) *sym_curl_easy_strerror;
extern typeof(curl_slist_append) *sym_curl_slist_append;
extern typeof(curl_slist_free_all) *sym_curl_slist_free_all;

/*
 * Loads libcurl and initialises it, once: 0, or -EOPNOTSUPP with a new
 * message in *reterr_msg (the library is not installed).
 */
int dlcurl_load(char **reterr_msg);

#endif
