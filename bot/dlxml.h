/* SPDX-License-Identifier: MIT */
/*
 * libxml2, loaded when an .xlsx or .docx is first read (dlopen), as
 * libcurl is (dlcurl.h): Debian's libxml2 links the ICU libraries, which
 * the daemon must not map (tests/integration/t_serve.sh), and only
 * "dondoc import" of an Office file needs it.
 */
#ifndef DONDOC_DLXML_H
#define DONDOC_DLXML_H

#include <libxml/parser.h>
#include <libxml/tree.h>

extern typeof(xmlReadMemory) *sym_xmlReadMemory;
extern typeof(xmlDocGetRootElement) *sym_xmlDocGetRootElement;
extern typeof(xmlFreeDoc) *sym_xmlFreeDoc;
extern typeof(xmlResetLastError) *sym_xmlResetLastError;
extern typeof(xmlGetNoNsProp) *sym_xmlGetNoNsProp;
extern typeof(xmlGetNsProp) *sym_xmlGetNsProp;
extern typeof(xmlNodeGetContent) *sym_xmlNodeGetContent;
/* libxml2's deallocator is a variable (xmlFree): its address. */
extern xmlFreeFunc *sym_xmlFree;

/* Loads libxml2, once: 0, or -EOPNOTSUPP with a new message. */
int dlxml_load(char **reterr_msg);

#endif
