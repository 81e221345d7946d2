/* SPDX-License-Identifier: MIT */
/*
 * libxml2 by dlopen; see dlxml.h.
 */
#include <stddef.h>

#include "dl.h"
#include "dlxml.h"
#include "macro.h"

#define LIBXML "libxml2.so.2"

typeof(xmlReadMemory) *sym_xmlReadMemory;
typeof(xmlDocGetRootElement) *sym_xmlDocGetRootElement;
typeof(xmlFreeDoc) *sym_xmlFreeDoc;
typeof(xmlResetLastError) *sym_xmlResetLastError;
typeof(xmlGetNoNsProp) *sym_xmlGetNoNsProp;
typeof(xmlGetNsProp) *sym_xmlGetNsProp;
typeof(xmlNodeGetContent) *sym_xmlNodeGetContent;
xmlFreeFunc *sym_xmlFree;

/* Loaded once and for the process's life: never unloaded. */
static void *handle;

int
dlxml_load(char **reterr_msg)
{
	const struct dl_sym syms[] = {
		{ (void **)&sym_xmlReadMemory, "xmlReadMemory" },
		{ (void **)&sym_xmlDocGetRootElement, "xmlDocGetRootElement" },
		{ (void **)&sym_xmlFreeDoc, "xmlFreeDoc" },
		{ (void **)&sym_xmlResetLastError, "xmlResetLastError" },
		{ (void **)&sym_xmlGetNoNsProp, "xmlGetNoNsProp" },
		{ (void **)&sym_xmlGetNsProp, "xmlGetNsProp" },
		{ (void **)&sym_xmlNodeGetContent, "xmlNodeGetContent" },
		{ (void **)&sym_xmlFree, "xmlFree" },
	};

	return handle ? 0 : dl_open(LIBXML, "libxml2", syms, ELEMENTSOF(syms), &handle, reterr_msg);
}
