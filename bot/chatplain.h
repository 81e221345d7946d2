/* SPDX-License-Identifier: MIT */
/*
 * The chat form of a message (Telegram's HTML subset: <b>, <i>, <code>,
 * <a href>, ... and the entities &lt; &gt; &amp; &quot;) as plain text,
 * for a channel without markup (Zalo), for Telegram's fallback when it
 * cannot parse a message, and for "dondoc chat --format phone".
 */
#ifndef DONDOC_CHATPLAIN_H
#define DONDOC_CHATPLAIN_H

#include <stdbool.h>

/*
 * chat with its tags dropped and its entities (named, &#NN; and &#xHH;)
 * turned back into characters, as a new string.  With link_urls, a link
 * <a href="U">T</a> reads "T (U)", or "U" alone when T is U; without it,
 * T alone (what a phone shows of a Telegram link).  A '<' that opens no
 * tag (no name, no closing '>') is kept as text.
 */
char *chat_plain(const char *chat, bool link_urls);

#endif
