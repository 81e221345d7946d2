/* SPDX-License-Identifier: MIT */
/*
 * The email channel, on libESMTP 1.1.0: the only file that includes it.
 * Read LIBRARIES.md §1 before changing anything here; in short:
 *
 *  - We bring our own TLS context, capped at TLS 1.2 (libESMTP hangs
 *    after STARTTLS with TLS 1.3 on fast links), verifying the peer and
 *    its host name with OpenSSL, with SNI (libESMTP sends none), and
 *    always set it (the default context has a use-after-free).  A relay
 *    given by its IP address is checked against the certificate's IP
 *    SANs (libESMTP's own check knows only DNS names) and gets no SNI.
 *  - What failed in the handshake (the verify error, an alert) is kept
 *    by our OpenSSL callbacks and said, instead of libESMTP's "Client
 *    error"; doctor runs the same handshake itself (starttls_check).
 *  - smtp_start_session() returning 1 says nothing about delivery: the
 *    message's transfer status and each recipient's status do.  A status
 *    of 0 means never tried (TLS refused, STARTTLS missing, AUTH failed).
 *  - libESMTP has no connect timeout, so we try the TCP connection
 *    ourselves, with one, before handing over.
 *  - The message is built by mime.c, CRLF throughout; libESMTP adds no
 *    header of its own because we write Date, From and Message-ID.
 *
 * Outcomes: 2xx for the recipient -> sent; 5xx for the recipient ->
 * permanent (the address is wrong); anything else (4xx, connection, TLS,
 * AUTH, timeouts) -> retry, with the server's words kept for the outbox.
 * Each is told to the dispatcher from libESMTP's MESSAGESENT event, right
 * after the server answered that message's DATA, so it is committed
 * before the next message goes: a crash resends at most that one, with
 * the same Message-ID (dondoc.ID.SITE@domain).
 */
#include <dirent.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "buf.h"
#include "channel.h"
#include "config.h"
#include "mime.h"
#include "registry.h"
#include "xalloc.h"

struct email_channel {
	char *host;
	int port;
	enum starttls_option starttls;
	char *user;		/* NULL: no AUTH */
	char *password;		/* read once at open */
	char *from;
	char *from_name;
	int timeout_ms;
	SSL_CTX *ctx;		/* one for the relay, shared by every session */
	bool host_is_ip;	/* host is an IP literal: checked against IP SANs, no SNI */
	/*
	 * What went wrong in the session's TLS handshake, for the outbox and
	 * the operator: set by the OpenSSL callbacks (which reach the channel
	 * through the context's app data), cleared before each session.  One
	 * session at a time runs on a channel (the dispatcher's thread).
	 */
	char *tls_error;
	bool tls_started, tls_done;
};

/* True when host is an IPv4 or IPv6 address rather than a name. */
static bool
is_ip_literal(const char *host)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* Records the first TLS failure of the session (later ones follow from it). */
static void
tls_fail(struct email_channel *ec, char *why)
{
	if (ec->tls_error) {
		free(why);
		return;
	}
	ec->tls_error = why;
}

/* The subject alternative names of cert, "DNS:a, IP:1.2.3.4" (new string). */
static char *
cert_names(X509 *cert)
{
	GENERAL_NAMES *names = cert ? X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL) : NULL;
	struct buf b;

	buf_init(&b, 1024);
	for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		char ip[INET6_ADDRSTRLEN];
		int len;

		if (g->type == GEN_DNS) {
			(void)buf_addf(&b, "%sDNS:%.*s", b.len ? ", " : "",
				       ASN1_STRING_length(g->d.dNSName),
				       (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		} else if (g->type == GEN_IPADD) {
			len = ASN1_STRING_length(g->d.iPAddress);
			if ((len == 4 || len == 16) &&
			    inet_ntop(len == 4 ? AF_INET : AF_INET6,
				      ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof(ip)))
				(void)buf_addf(&b, "%sIP:%s", b.len ? ", " : "", ip);
		}
	}
	GENERAL_NAMES_free(names);
	if (!b.len)
		(void)buf_adds(&b, "no subject alternative name");
	return buf_detach(&b);
}

/*
 * OpenSSL's verdict on each certificate of the relay's chain, unchanged
 * (the handshake stops at the first failure); we only keep what failed,
 * in words an operator can act on, instead of libESMTP's "Client error".
 */
static int
tls_verify(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct email_channel *ec = ssl ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;
	int err = X509_STORE_CTX_get_error(xs);
	char *names;

	if (ok || !ec)
		return ok;
	switch (err) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		names = cert_names(X509_STORE_CTX_get_current_cert(xs));
		tls_fail(ec, xasprintf("TLS: the relay's certificate is not for %s '%s' (it names "
				       "%s): set [smtp] host to a name or address it holds",
				       ec->host_is_ip ? "the IP address" : "the host", ec->host, names));
		free(names);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		tls_fail(ec, xasprintf("TLS: the relay's certificate is not valid now (%s)",
				       X509_verify_cert_error_string(err)));
		break;
	default:
		tls_fail(ec, xasprintf("TLS: the relay's certificate is not trusted (%s): set "
				       "[smtp] ca_file to the certificate of the authority that "
				       "signed it", X509_verify_cert_error_string(err)));
		break;
	}
	return ok;
}

/*
 * The handshake's milestones: SNI when it starts (libESMTP sends none;
 * never for an IP address, RFC 6066 §3), the alerts either side sends
 * before it is done, and its end.
 */
static void
tls_info(const SSL *ssl, int where, int ret)
{
	struct email_channel *ec = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if (!ec)
		return;
	if (where & SSL_CB_HANDSHAKE_START) {
		ec->tls_started = true;
		if (!ec->host_is_ip)
			(void)SSL_set_tlsext_host_name((SSL *)ssl, ec->host);
	}
	if (where & SSL_CB_HANDSHAKE_DONE)
		ec->tls_done = true;
	if ((where & SSL_CB_ALERT) && !ec->tls_done)
		tls_fail(ec, xasprintf("TLS handshake failed: %s '%s' (dondoc speaks TLS 1.2 "
				       "only, which the relay must accept)",
				       (where & SSL_CB_READ) ? "the relay sent the alert"
				       : "we sent the alert", SSL_alert_desc_string_long(ret)));
}

/*
 * Why the session's TLS failed, when it did (borrowed, or NULL): what the
 * callbacks saw, else a handshake begun and never finished.
 */
static const char *
tls_failure(struct email_channel *ec)
{
	if (!ec->tls_error && ec->tls_started && !ec->tls_done)
		ec->tls_error = xstrdup("TLS handshake failed (the relay may not speak TLS 1.2)");
	return ec->tls_error;
}

/* Forgets the last session's TLS outcome, before a new session. */
static void
tls_reset(struct email_channel *ec)
{
	free(ec->tls_error);
	ec->tls_error = NULL;
	ec->tls_started = ec->tls_done = false;
}

static int
make_ctx(struct email_channel *ec, const char *ca_file, char **reterr_msg)
{
	ec->ctx = SSL_CTX_new(TLS_client_method());
	if (!ec->ctx) {
		*reterr_msg = xasprintf("cannot create a TLS context");
		return -ENOMEM;
	}
	/* TLS 1.3 makes libESMTP 1.1.0 hang after STARTTLS: cap at 1.2. */
	SSL_CTX_set_min_proto_version(ec->ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ec->ctx, TLS1_2_VERSION);
	if (ca_file) {
		if (SSL_CTX_load_verify_locations(ec->ctx, ca_file, NULL) != 1) {
			*reterr_msg = xasprintf("[smtp] ca_file '%s' is not a PEM certificate that "
						"can be read", ca_file);
			return -EINVAL;
		}
	} else {
		SSL_CTX_set_default_verify_paths(ec->ctx);
	}
	SSL_CTX_set_verify(ec->ctx, SSL_VERIFY_PEER, tls_verify);
	/* A relay named by its address is checked against the certificate's IP SANs. */
	ec->host_is_ip = is_ip_literal(ec->host);
	if (ec->host_is_ip)
		X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ec->ctx), ec->host);
	else
		X509_VERIFY_PARAM_set1_host(SSL_CTX_get0_param(ec->ctx), ec->host, 0);
	SSL_CTX_set_app_data(ec->ctx, ec);
	SSL_CTX_set_info_callback(ec->ctx, tls_info);
	return 0;
}

/* Never let OpenSSL prompt for a pass phrase on a terminal. */
static int
no_password(char *buf, int len, int rw, void *arg)
{
	(void)buf;
	(void)len;
	(void)rw;
	(void)arg;
	return 0;
}

static void email_close(void *state);

static int
email_open(const struct config *cfg, void **ret, char **reterr_msg)
{
	struct email_channel *ec;
	char *msg = NULL;
	int r;

	if (!cfg->smtp_host)
		return -ENOENT;	/* not configured: no email channel */
	ec = xcalloc(1, sizeof(*ec));
	ec->host = xstrdup(cfg->smtp_host);
	ec->port = cfg->smtp_port;
	ec->starttls = strcmp(cfg->smtp_starttls, "off") == 0 ? Starttls_DISABLED
		     : strcmp(cfg->smtp_starttls, "optional") == 0 ? Starttls_ENABLED
		     : Starttls_REQUIRED;
	ec->from = xstrdup(cfg->smtp_from);
	ec->from_name = xstrdup(cfg->smtp_from_name);
	ec->timeout_ms = cfg->smtp_timeout * 1000;
	if (cfg->smtp_user) {
		ec->user = xstrdup(cfg->smtp_user);
		r = config_read_secret(cfg->smtp_password_file, &ec->password, &msg);
		if (r < 0) {
			*reterr_msg = xasprintf("[smtp] password_file: %s", msg ? msg : strerror(-r));
			free(msg);
			goto fail;
		}
		/* The PLAIN plugin copies both into 2 * 255 + 3 bytes unchecked. */
		if (strlen(ec->user) > 255 || strlen(ec->password) > 255) {
			*reterr_msg = xasprintf("[smtp] user and password must be at most 255 bytes");
			r = -EINVAL;
			goto fail;
		}
	}
	r = make_ctx(ec, cfg->smtp_ca_file, reterr_msg);
	if (r < 0)
		goto fail;
	auth_client_init();
	smtp_starttls_set_password_cb(no_password, NULL);
	*ret = ec;
	return 0;
fail:
	email_close(ec);
	return r;
}

static void
email_close(void *state)
{
	struct email_channel *ec = state;

	if (!ec)
		return;
	if (ec->ctx)
		SSL_CTX_free(ec->ctx);
	free(ec->host);
	free(ec->tls_error);
	if (ec->password)
		explicit_bzero(ec->password, strlen(ec->password));
	free(ec->password);
	free(ec->user);
	free(ec->from);
	free(ec->from_name);
	free(ec);
}

static bool
email_reaches(void *state, const struct person *p)
{
	(void)state;
	return person_reachable(p, "email") && mime_address_ok(person_address(p, "email"));
}

/*
 * Tries a TCP connection within the timeout: libESMTP has none of its own.
 * With ret_fd, the connected socket (non-blocking) is kept there.
 */
static int
connect_relay(const struct email_channel *ec, int *ret_fd, char **reterr_msg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
	char port[16];
	int r, fd = -1;

	snprintf(port, sizeof(port), "%d", ec->port);
	r = getaddrinfo(ec->host, port, &hints, &res);
	if (r != 0) {
		*reterr_msg = xasprintf("cannot resolve '%s': %s", ec->host, gai_strerror(r));
		return -EHOSTUNREACH;
	}
	r = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;
		int err = 0;
		socklen_t len = sizeof(err);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			r = 0;
		} else if (errno == EINPROGRESS) {
			p = (struct pollfd){ .fd = fd, .events = POLLOUT };
			if (poll(&p, 1, ec->timeout_ms) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
				r = 0;
			else
				r = err ? -err : -ETIMEDOUT;
		} else {
			r = -errno;
		}
		if (r == 0 && ret_fd) {
			*ret_fd = fd;
			break;
		}
		close(fd);
		fd = -1;
		if (r == 0)
			break;
	}
	freeaddrinfo(res);
	if (r < 0)
		*reterr_msg = xasprintf("cannot connect to %s:%d: %s", ec->host, ec->port, strerror(-r));
	return r;
}

/* Whether the relay takes a TCP connection within the timeout. */
static int
probe(const struct email_channel *ec, char **reterr_msg)
{
	return connect_relay(ec, NULL, reterr_msg);
}

struct creds {
	const char *user;
	const char *password;
};

static int
interact(auth_client_request_t req, char **result, int fields, void *arg)
{
	const struct creds *c = arg;

	for (int i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = (char *)c->user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = (char *)c->password;
		else
			return 0;
	}
	return 1;
}

/*
 * libESMTP leaves Nagle's algorithm on and has no way to reach its
 * socket; with a server that delays its ACKs every message then stalls
 * for 40 ms (1,000 messages took 44 s).  At CONNECT its socket is the one
 * connected to the relay: find it among our descriptors and set
 * TCP_NODELAY on it.
 */
static void
nodelay_relay_socket(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd, one = 1, type = 0;
		socklen_t tl = sizeof(type);

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = (int)strtol(de->d_name, NULL, 10);
		if (fd == dirfd(d) ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM ||
		    getpeername(fd, (struct sockaddr *)&peer, &len) < 0 ||
		    (peer.ss_family != AF_INET && peer.ss_family != AF_INET6))
			continue;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	closedir(d);
}

/* One SMTP session on its way: what on_event needs to tell each outcome. */
struct session_ctx {
	struct email_channel *ec;
	const char *server;
	const struct outgoing *ms;
	size_t n;
	smtp_message_t *msg;	/* NULL for those not in the session */
	smtp_recipient_t *rcpt;
	bool *told;
	channel_outcome_fn done;
	void *userdata;
	bool no_starttls;
};

static enum delivery outcome(const struct session_ctx *c, size_t i, char **reterr);

/* Tells the caller what became of message i, once. */
static void
tell(struct session_ctx *c, size_t i, enum delivery d, char *err)
{
	if (c->told[i]) {
		free(err);
		return;
	}
	c->told[i] = true;
	if (d == DELIVERY_SENT) {
		free(err);
		err = NULL;
	}
	c->done(c->userdata, i, d, 0, err);
}

/*
 * The session's events: the TLS checks after the handshake (OpenSSL
 * already verified), and the end of each message, whose outcome the
 * caller commits before the next message goes (a crash then resends at
 * most the one in flight).
 */
static void
on_event(smtp_session_t session, int event, void *arg, ...)
{
	struct session_ctx *c = arg;
	va_list ap;
	int *ok;

	(void)session;
	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_CONNECT:
		nodelay_relay_socket();
		break;
	case SMTP_EV_MESSAGESENT: {
		smtp_message_t m = va_arg(ap, smtp_message_t);

		for (size_t i = 0; i < c->n; i++)
			if (c->msg[i] == m && !c->told[i]) {
				char *err = NULL;
				enum delivery d = outcome(c, i, &err);

				tell(c, i, d, err);
				break;
			}
		break;
	}
	case SMTP_EV_INVALID_PEER_CERTIFICATE: {
		long result = va_arg(ap, long);

		ok = va_arg(ap, int *);
		*ok = result == X509_V_OK;
		break;
	}
	case SMTP_EV_WRONG_PEER_CERTIFICATE: {
		SSL *ssl;

		ok = va_arg(ap, int *);
		(void)va_arg(ap, char *);
		ssl = va_arg(ap, SSL *);
		/* libESMTP's own name check ignores IP SANs; OpenSSL's passed. */
		*ok = ssl && SSL_get_verify_result(ssl) == X509_V_OK;
		break;
	}
	case SMTP_EV_NO_PEER_CERTIFICATE:
	case SMTP_EV_WEAK_CIPHER:
		(void)va_arg(ap, int);
		ok = va_arg(ap, int *);
		*ok = 0;
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		c->no_starttls = true;
		break;
	default:
		break;
	}
	va_end(ap);
}

/* "550 5.1.1 no such user" from a status, trimmed of its CRLF. */
static char *
status_text(const smtp_status_t *st)
{
	const char *t = st && st->text ? st->text : "";
	size_t n = strcspn(t, "\r\n");

	return xasprintf("%d %.*s", st ? st->code : 0, (int)n, t);
}

/*
 * What became of message i of the session, from the statuses libESMTP
 * keeps: 2xx for the message -> sent; 5xx for the recipient -> gone;
 * anything else -> retry, with the server's words in *reterr.
 */
static enum delivery
outcome(const struct session_ctx *c, size_t i, char **reterr)
{
	const smtp_status_t *st;
	char *t, errbuf[128];

	st = smtp_reverse_path_status(c->msg[i]);
	if (st && st->code >= 500) {
		/* 530 and 535 here are our credentials, not the recipient's address. */
		t = status_text(st);
		*reterr = xasprintf("%s refused the sender (%s): check [smtp] user and password",
				    c->server, t);
		free(t);
		return DELIVERY_RETRY;
	}
	st = smtp_recipient_status(c->rcpt[i]);
	if (st && st->code >= 500 && st->code < 600) {
		t = status_text(st);
		*reterr = xasprintf("%s refused '%s': %s", c->server, person_address(c->ms[i].to, "email"), t);
		free(t);
		return DELIVERY_GONE;
	}
	st = smtp_message_transfer_status(c->msg[i]);
	if (st && st->code >= 200 && st->code < 300)
		return DELIVERY_SENT;
	/* A 5xx for the whole message (after DATA) is still no proof the address is bad. */
	t = status_text(st);
	if (st && st->code)
		*reterr = xasprintf("%s: %s", c->server, t);
	else if (tls_failure(c->ec))
		*reterr = xasprintf("%s: not sent: %s", c->server, tls_failure(c->ec));
	else
		*reterr = xasprintf("%s: not sent (%s)", c->server,
				    smtp_errno() ? smtp_strerror(smtp_errno(), errbuf, sizeof(errbuf))
						 : "the session ended early");
	free(t);
	return DELIVERY_RETRY;
}

/*
 * Sends ms[0..n) in one SMTP session (one connection, one TLS handshake,
 * one AUTH), telling done each outcome as soon as it is known: a message
 * that cannot be built at once, each sent one when the server has
 * answered its DATA, the rest when the session ends.
 */
static void
email_send_batch(void *state, const struct outgoing *ms, size_t n, channel_outcome_fn done,
		 void *userdata)
{
	struct email_channel *ec = state;
	struct creds creds = { ec->user, ec->password };
	struct session_ctx c = { .ec = ec, .ms = ms, .n = n, .done = done, .userdata = userdata };
	smtp_session_t session = NULL;
	char **data = xcalloc(n, sizeof(*data));
	auth_context_t auth = NULL;
	char *server = NULL, *err = NULL, errbuf[128];
	const char *domain = strchr(ec->from, '@') + 1;
	size_t sendable = 0;

	c.msg = xcalloc(n, sizeof(*c.msg));
	c.rcpt = xcalloc(n, sizeof(*c.rcpt));
	c.told = xcalloc(n, sizeof(*c.told));
	server = xasprintf("%s:%d", ec->host, ec->port);
	c.server = server;
	for (size_t i = 0; i < n; i++) {
		struct mime_message mm;
		const char *why = NULL;
		char *left = NULL;
		size_t len = 0;
		const char *to = person_address(ms[i].to, "email");
		int r;

		if (!to || !mime_address_ok(to)) {
			tell(&c, i, DELIVERY_GONE, xasprintf("'%s' is not an email address",
							     to ? to : ""));
			continue;
		}
		/* The same message sent again (after a crash) has the same Message-ID. */
		if (ms[i].site)
			left = xasprintf("dondoc.%lld.%s", (long long)ms[i].id, ms[i].site);
		mm = (struct mime_message){
			.from_name = ec->from_name, .from_addr = ec->from,
			/* An address that is no person ([digest] to) has no name to show. */
			.to_name = ms[i].to->id ? ms[i].to->name : NULL, .to_addr = to,
			.subject = ms[i].subject, .text = ms[i].body, .html = ms[i].html,
			.attachments = ms[i].attachments, .n_attachments = ms[i].n_attachments,
			.date = time(NULL), .id_domain = domain, .id_left = left,
		};
		r = mime_build(&mm, &data[i], &len, NULL, &why);
		free(left);
		if (r < 0) {
			/* Bad text never gets better; a failing random source may. */
			tell(&c, i, r == -EINVAL ? DELIVERY_PERMANENT : DELIVERY_RETRY,
			     xasprintf("cannot build the message: %s", why ? why : strerror(-r)));
			continue;
		}
		sendable++;
	}
	if (!sendable)
		goto out;
	if (probe(ec, &err) < 0)
		goto fail_all;

	tls_reset(ec);
	session = smtp_create_session();
	smtp_set_server(session, server);
	smtp_set_hostname(session, domain);
	smtp_starttls_enable(session, ec->starttls);
	smtp_starttls_set_ctx(session, ec->ctx);
	smtp_set_eventcb(session, on_event, &c);
	/* The override flag goes with the timeout's name, not its value. */
	for (int w = Timeout_GREETING; w <= Timeout_DATA2; w++)
		(void)smtp_set_timeout(session, w | Timeout_OVERRIDE_RFC2822_MINIMUM, ec->timeout_ms);
	if (ec->user) {
		auth = auth_create_context();
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, interact, &creds);
		smtp_auth_set_context(session, auth);
	}
	for (size_t i = 0; i < n; i++) {
		if (!data[i])
			continue;
		c.msg[i] = smtp_add_message(session);
		smtp_set_reverse_path(c.msg[i], ec->from);
		c.rcpt[i] = smtp_add_recipient(c.msg[i], person_address(ms[i].to, "email"));
		smtp_set_message_str(c.msg[i], data[i]);
	}
	if (!smtp_start_session(session)) {
		err = tls_failure(ec) ? xasprintf("cannot talk to %s: %s", server, tls_failure(ec))
		    : xasprintf("cannot talk to %s: %s", server,
				smtp_strerror(smtp_errno(), errbuf, sizeof(errbuf)));
		goto fail_all;
	}
	if (c.no_starttls) {
		err = xasprintf("%s does not offer STARTTLS, which [smtp] starttls requires", server);
		goto fail_all;
	}
	/* Those the session ended without a word on (a refused sender or recipient, a drop). */
	for (size_t i = 0; i < n; i++) {
		char *e = NULL;
		enum delivery d;

		if (!data[i] || c.told[i])
			continue;
		d = outcome(&c, i, &e);
		tell(&c, i, d, e);
	}
	goto out;
fail_all:
	for (size_t i = 0; i < n; i++)
		if (data[i])
			tell(&c, i, DELIVERY_RETRY, xstrdup(err));
out:
	if (session)
		smtp_destroy_session(session);
	if (auth)
		auth_destroy_context(auth);
	for (size_t i = 0; i < n; i++)
		free(data[i]);
	free(data);
	free(c.msg);
	free(c.rcpt);
	free(c.told);
	free(server);
	free(err);
}

/* Keeps the one outcome of email_send. */
struct one {
	enum delivery d;
	char *err;
};

static void
keep_one(void *userdata, size_t i, enum delivery d, int retry_after, char *err)
{
	struct one *o = userdata;

	(void)i;
	(void)retry_after;
	o->d = d;
	o->err = err;
}

static enum delivery
email_send(void *state, const struct outgoing *m, int *ret_retry_after, char **reterr_msg)
{
	struct one o = { DELIVERY_RETRY, NULL };

	*ret_retry_after = 0;
	email_send_batch(state, m, 1, keep_one, &o);
	if (o.d == DELIVERY_SENT)
		free(o.err);
	else
		*reterr_msg = o.err ? o.err : xstrdup("not sent");
	return o.d;
}

/* --- doctor's STARTTLS check ------------------------------------------------ */

/*
 * Reads one SMTP reply (its last line is "NNN text") within the timeout
 * into b; its code, or -errno.
 */
static int
read_reply(int fd, int timeout_ms, struct buf *b)
{
	buf_reset(b);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char chunk[512], *line;
		ssize_t n;

		/* The last line: three digits and a space, ended by CRLF. */
		line = b->p;
		for (char *nl; (nl = strstr(line, "\r\n")); line = nl + 2)
			if (nl - line >= 4 && line[3] == ' ')
				return (int)strtol(line, NULL, 10);
		if (poll(&p, 1, timeout_ms) != 1)
			return -ETIMEDOUT;
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		if (buf_add(b, chunk, (size_t)n) < 0)
			return -EPROTO;
	}
}

/* Writes s whole to fd (a non-blocking socket; SMTP commands are short). */
static int
send_line(int fd, const char *s)
{
	size_t len = strlen(s);

	return write(fd, s, len) == (ssize_t)len ? 0 : -EIO;
}

/*
 * The relay's greeting, EHLO and STARTTLS, then the TLS handshake with
 * the channel's context: what libESMTP does before sending, so that
 * doctor finds a certificate that will be refused (and says why) before
 * the first reminder does.  0 with what was verified in *ret_msg, or
 * -errno with what failed.
 */
static int
starttls_check(struct email_channel *ec, char **ret_msg)
{
	const char *domain = strchr(ec->from, '@') + 1;
	struct timeval tv = { .tv_sec = ec->timeout_ms / 1000,
			      .tv_usec = (ec->timeout_ms % 1000) * 1000 };
	struct buf b;
	SSL *ssl = NULL;
	char *ehlo;
	int fd = -1, r, code;

	r = connect_relay(ec, &fd, ret_msg);
	if (r < 0)
		return r;
	buf_init(&b, 64 * 1024);
	ehlo = xasprintf("EHLO %s\r\n", domain);
	code = read_reply(fd, ec->timeout_ms, &b);
	if (code == 220) {
		r = send_line(fd, ehlo);
		code = r < 0 ? r : read_reply(fd, ec->timeout_ms, &b);
	}
	free(ehlo);
	if (code != 250) {
		*ret_msg = xasprintf("%s:%d: no SMTP greeting or EHLO answer (%s)", ec->host,
				     ec->port, code < 0 ? strerror(-code) : "unexpected reply");
		r = code < 0 ? code : -EPROTO;
		goto out;
	}
	if (!strcasestr(b.p, "STARTTLS")) {
		r = ec->starttls == Starttls_REQUIRED ? -EPROTO : 0;
		*ret_msg = r < 0 ? xasprintf("%s:%d does not offer STARTTLS, which [smtp] starttls "
					     "requires", ec->host, ec->port)
			 : xasprintf("%s:%d answers, without STARTTLS: mail goes unencrypted "
				     "(starttls = optional)", ec->host, ec->port);
		goto out;
	}
	if ((r = send_line(fd, "STARTTLS\r\n")) < 0 ||
	    (code = read_reply(fd, ec->timeout_ms, &b)) != 220) {
		*ret_msg = xasprintf("%s:%d refused STARTTLS", ec->host, ec->port);
		r = -EPROTO;
		goto out;
	}
	/* The handshake blocks, within the timeout. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	tls_reset(ec);
	ssl = SSL_new(ec->ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1) {
		*ret_msg = xasprintf("%s:%d: %s", ec->host, ec->port, tls_failure(ec)
				     ? tls_failure(ec) : "TLS handshake failed");
		r = -EPROTO;
		goto out;
	}
	(void)SSL_write(ssl, "QUIT\r\n", 6);
	*ret_msg = xasprintf("%s:%d answers (STARTTLS %s%s%s); its certificate is verified for "
			     "%s '%s'", ec->host, ec->port, ec->starttls == Starttls_REQUIRED
			     ? "required" : "optional", ec->user ? ", AUTH as " : "",
			     ec->user ? ec->user : "", ec->host_is_ip ? "the IP address"
			     : "the host", ec->host);
	r = 0;
out:
	if (ssl)
		SSL_free(ssl);
	buf_release(&b);
	close(fd);
	tls_reset(ec);
	return r;
}

static int
email_check(void *state, char **ret_msg)
{
	struct email_channel *ec = state;
	int r;

	if (ec->starttls != Starttls_DISABLED)
		return starttls_check(ec, ret_msg);
	r = probe(ec, ret_msg);
	if (r == 0)
		*ret_msg = xasprintf("%s:%d answers (STARTTLS %s%s%s)", ec->host, ec->port,
				     ec->starttls == Starttls_REQUIRED ? "required"
				     : ec->starttls == Starttls_ENABLED ? "optional" : "off",
				     ec->user ? ", AUTH as " : "", ec->user ? ec->user : "");
	return r;
}

const struct channel_ops channel_email_ops = {
	.name = "email",
	.label_vi = "thư điện tử",
	.form = CHANNEL_FORM_MAIL,
	.html = true,
	.order = 30,
	.address = "email",
	.open = email_open,
	.close = email_close,
	.reaches = email_reaches,
	.send = email_send,
	.send_batch = email_send_batch,
	.check = email_check,
};
