/* SPDX-License-Identifier: MIT */
/*
 * For the tests of channel_zalo.c and channel_zns.c only: what each makes
 * of Zalo's answer to one send, a pure function of the answer.
 */
#ifndef DONDOC_CHANNEL_ZALO_INTERNAL_H
#define DONDOC_CHANNEL_ZALO_INTERNAL_H

#include "channel.h"

struct zalo_result;

/*
 * A consultation message (channel_zalo.c): SENT; GONE out of the window
 * or unreachable on Zalo (-213 -217 -227 -230 -232 -244: the person's
 * Zalo address is marked, the message goes to the next channel);
 * PERMANENT for what waiting cannot mend (a bad request, the OA's
 * account or settings, a token refused even after a refresh or none to
 * be had: a person must act, meanwhile the next channel carries it);
 * RETRY otherwise (-32, quotas, 5xx, network).
 */
enum delivery zalo_cs_delivery(const struct zalo_result *r);
/*
 * A ZNS wake-up (channel_zns.c): SENT; GONE for the phone (-108 -114
 * -118 -119 -139 -141); PERMANENT for a spent quota (-144 and the
 * others), the account, money, the template and tokens (email carries
 * it); RETRY for -32, the night (-133) and what is transient.
 */
enum delivery zalo_zns_delivery(const struct zalo_result *r);

#endif
