/* api/server.c: the daemon's HTTP side: binds the listen address (libmicrohttpd, a thread
 * per connection, bounded), gathers each request's body up to the cap, checks the bearer
 * token in constant time, finds the route in the table of server_routes.c and sends what
 * the handler answered. Knows nothing of synced tables itself. */
#include "config.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "api/server_internal.h"
#include "engine/observe.h"
#include "registry/registry.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum { TLS_FILE_MAX_BYTES = 1024 * 1024 };

/* ---- replies ----------------------------------------------------------------------------- */

void server_reply_json(struct server_response *resp, unsigned status, cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	resp->status = status;
	lk_buf_reset(&resp->body);
	lk_buf_append_str(&resp->body, text ? text : "{}");
	cJSON_free(text);
}

void server_reply_error(struct server_response *resp, unsigned status, const char *error_code,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *message = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON *json = cJSON_CreateObject();
	cJSON_AddStringToObject(json, "error_code", error_code);
	cJSON_AddStringToObject(json, "message", message);
	free(message);
	server_reply_json(resp, status, json);
}

/* How each error class of the library reads over HTTP. */
static const unsigned lk_error_http_status[LK_ERRCODE_COUNT] = {
	[LK_EINVAL] = MHD_HTTP_BAD_REQUEST,
	[LK_ENOTFOUND] = MHD_HTTP_NOT_FOUND,
	[LK_EEXISTS] = MHD_HTTP_CONFLICT,
	[LK_EUNSUPPORTED] = MHD_HTTP_BAD_REQUEST,
	[LK_ETOOLARGE] = HTTP_CONTENT_TOO_LARGE,
	[LK_EBUSY] = MHD_HTTP_CONFLICT,
	[LK_ECDF_DISABLED] = MHD_HTTP_BAD_REQUEST,
	[LK_ESCHEMA_CHANGE] = MHD_HTTP_BAD_REQUEST,
	[LK_EAUTH] = MHD_HTTP_UNAUTHORIZED,
	[LK_ECONN] = MHD_HTTP_SERVICE_UNAVAILABLE,
	[LK_ECANCELED] = MHD_HTTP_SERVICE_UNAVAILABLE,
	[LK_ETRANSIENT] = MHD_HTTP_SERVICE_UNAVAILABLE,
};

void server_reply_lk_error(struct server_response *resp, const struct lk_error *err)
{
	unsigned status = err->code > LK_OK && err->code < LK_ERRCODE_COUNT
				  ? lk_error_http_status[err->code]
				  : 0;
	if (status == 0)
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	server_reply_error(resp, status, lk_errcode_name(err->code), "%s", err->message);
}

const char *server_query(const struct server_request *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* ---- authentication ---------------------------------------------------------------------- */

/* Compares in time that depends on the presented token's length only. */
static bool token_equal(const char *presented, size_t presented_len, const char *expected)
{
	size_t expected_len = strlen(expected);
	volatile unsigned char diff = presented_len != expected_len;
	for (size_t i = 0; i < presented_len; i++) {
		unsigned char e = expected_len ? (unsigned char)expected[i % expected_len] : 0;
		diff |= (unsigned char)presented[i] ^ e;
	}
	return diff == 0;
}

static bool token_accepted(const struct conf_api *api, const char *token, size_t len)
{
	bool accepted = false;
	for (size_t i = 0; i < api->n_tokens; i++)
		accepted |= token_equal(token, len, api->tokens[i]);
	return accepted;
}

static bool auth_refuse(struct server_response *resp, unsigned status, const char *message)
{
	server_reply_error(resp, status,
			   status == MHD_HTTP_UNAUTHORIZED ? "UNAUTHENTICATED" : "PERMISSION_DENIED",
			   "%s", message);
	return false;
}

/* Fills resp and returns false when the request may not pass: 401 without a well-formed
 * bearer token, 403 with a token no one configured. */
static bool authenticate(const struct server *s, struct MHD_Connection *conn,
			 struct server_response *resp)
{
	if (!s->auth_required)
		return true;
	const char *header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_AUTHORIZATION);
	static const char scheme[] = "Bearer ";
	if (header == NULL)
		return auth_refuse(resp, MHD_HTTP_UNAUTHORIZED, "missing Authorization header: "
				   "send 'Authorization: Bearer <token>'");
	if (strncasecmp(header, scheme, sizeof scheme - 1) != 0)
		return auth_refuse(resp, MHD_HTTP_UNAUTHORIZED, "malformed Authorization header: "
				   "expected 'Bearer <token>'");
	const char *token = header + sizeof scheme - 1;
	while (*token == ' ')
		token++;
	size_t len = strlen(token);
	while (len && token[len - 1] == ' ')
		len--;
	if (len == 0)
		return auth_refuse(resp, MHD_HTTP_UNAUTHORIZED,
				   "malformed Authorization header: the token is empty");
	if (!token_accepted(&s->conf->api, token, len))
		return auth_refuse(resp, MHD_HTTP_FORBIDDEN, "invalid access token");
	return true;
}

/* ---- routing ----------------------------------------------------------------------------- */

/* Matches path against pattern segment by segment; fills params (pointing into the
 * scratch copy, whose '/' become NULs). */
static bool route_matches(const char *pattern, char *scratch, const char **params)
{
	size_t n_params = 0;
	char *seg_save = NULL, *pat_save = NULL;
	char *pat = xstrdup(pattern);
	char *p = strtok_r(pat, "/", &pat_save);
	char *s = strtok_r(scratch, "/", &seg_save);
	bool match = true;
	for (; p && s; p = strtok_r(NULL, "/", &pat_save), s = strtok_r(NULL, "/", &seg_save)) {
		if (strcmp(p, "{}") == 0 && n_params < ROUTE_MAX_PARAMS)
			params[n_params++] = s;
		else if (strcmp(p, s) != 0)
			match = false;
	}
	match = match && p == NULL && s == NULL;
	free(pat);
	return match;
}

/* The route for method and path; with none, *allow lists the methods the path has. */
static const struct server_route *route_find(const char *method, const char *path,
					     char *scratch, size_t scratch_size,
					     const char **params, struct lk_buf *allow)
{
	const struct server_route *found = NULL;
	for (const struct server_route *r = server_routes; r->method && !found; r++) {
		snprintf(scratch, scratch_size, "%s", path);
		const char *p[ROUTE_MAX_PARAMS] = { 0 };
		if (!route_matches(r->pattern, scratch, p))
			continue;
		if (strcmp(r->method, method) == 0) {
			found = r;
			memcpy(params, p, sizeof p);
		} else {
			lk_buf_printf(allow, "%s%s", allow->len ? ", " : "", r->method);
		}
	}
	return found; /* the loop stopped at it: scratch holds its segments */
}

/* ---- requests ---------------------------------------------------------------------------- */

struct request_state {
	struct lk_buf body;
	bool too_large;
	bool answered; /* a reply was queued before the body arrived */
};

static bool body_too_large(const struct server *s, struct MHD_Connection *conn)
{
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length == NULL)
		return false;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(length, &end, 10);
	return errno != 0 || *end != '\0' || n > s->max_body;
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct server_response *resp)
{
	size_t len = resp->body.len;
	char *text = lk_buf_detach(&resp->body);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				resp->content_type ? resp->content_type : "application/json");
	if (resp->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
	if (resp->status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	enum MHD_Result ret = MHD_queue_response(conn, resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void dispatch(struct server *s, struct server_request *req, const struct request_state *st,
		     struct server_response *resp)
{
	size_t scratch_size = strlen(req->path) + 1;
	char *scratch = xmalloc(scratch_size);
	struct lk_buf allow = LK_BUF_INIT;
	const struct server_route *route = route_find(req->method, req->path, scratch,
						      scratch_size, req->params, &allow);
	if (route == NULL && allow.len == 0) {
		server_reply_error(resp, MHD_HTTP_NOT_FOUND, "ENDPOINT_NOT_FOUND",
				   "no API endpoint %s %s", req->method, req->path);
	} else if (route == NULL) {
		resp->allow = lk_buf_cstr(&allow);
		server_reply_error(resp, MHD_HTTP_METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
				   "%s is not allowed on %s (allowed: %s)", req->method, req->path,
				   resp->allow);
	} else if (route->public || authenticate(s, req->conn, resp)) {
		if (st->too_large)
			server_reply_error(resp, HTTP_CONTENT_TOO_LARGE, "RESOURCE_LIMIT_EXCEEDED",
					   "the request body exceeds %zu bytes", s->max_body);
		else
			route->handler(s, req, resp);
	}
	if (resp->status == 0)
		server_reply_error(resp, MHD_HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
				   "the handler of %s %s gave no answer", req->method, req->path);
	/* resp->allow points into allow: send before freeing it */
	enum lk_log_level level = strcmp(req->path, "/healthz") == 0 ||
						  strcmp(req->path, "/metrics") == 0
					  ? LK_LOG_DEBUG
					  : LK_LOG_INFO;
	lk_log(level, "http: %s %s -> %u", req->method, req->path, resp->status);
	send_response(req->conn, resp);
	resp->allow = NULL;
	lk_buf_free(&allow);
	free(scratch);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct request_state *st = *con_cls;
	if (st == NULL) {
		st = xcalloc(1, sizeof *st);
		*con_cls = st;
		if (!body_too_large(s, conn))
			return MHD_YES;
		/* Refuse at once: the body is never read. */
		st->too_large = true;
		st->answered = true;
		struct server_response resp = { .body = LK_BUF_INIT };
		server_reply_error(&resp, HTTP_CONTENT_TOO_LARGE, "RESOURCE_LIMIT_EXCEEDED",
				   "the request body exceeds %zu bytes", s->max_body);
		lk_log(LK_LOG_INFO, "http: %s %s -> 413", method, url);
		return send_response(conn, &resp);
	}
	if (*upload_data_size) {
		if (!st->too_large && st->body.len + *upload_data_size > s->max_body) {
			st->too_large = true;
			lk_buf_free(&st->body);
		}
		if (!st->too_large)
			lk_buf_append(&st->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->answered)
		return MHD_YES;
	st->answered = true;
	struct server_request req = { .conn = conn, .method = method, .path = url };
	req.body = st->too_large ? "" : lk_buf_cstr(&st->body);
	req.body_len = st->too_large ? 0 : st->body.len;
	struct server_response resp = { .body = LK_BUF_INIT };
	dispatch(s, &req, st, &resp);
	lk_buf_free(&resp.body);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode code)
{
	struct request_state *st = *con_cls;
	if (st) {
		lk_buf_free(&st->body);
		free(st);
		*con_cls = NULL;
	}
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	size_t len = strlen(line);
	while (len && line[len - 1] == '\n')
		line[--len] = '\0';
	lk_log(LK_LOG_WARN, "http: %s", line);
}

/* ---- start and stop ---------------------------------------------------------------------- */

/* "ADDR:PORT" or "[ADDR6]:PORT" to a socket address. */
static bool parse_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *len,
			 struct lk_error *err)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	if (colon == NULL || colon == listen || colon[1] == '\0')
		return lk_error_set(err, LK_EINVAL, "listen address '%s': expected ADDR:PORT",
				    listen);
	const char *h = listen;
	size_t hlen = (size_t)(colon - listen);
	if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen >= sizeof host)
		return lk_error_set(err, LK_EINVAL, "listen address '%s': host too long", listen);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return lk_error_set(err, LK_EINVAL, "listen address '%s': bad port '%s'", listen,
				    colon + 1);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc != 0)
		return lk_error_set(err, LK_EINVAL, "listen address '%s': %s", listen,
				    gai_strerror(rc));
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return true;
}

static bool addr_is_loopback(const struct sockaddr_storage *addr)
{
	if (addr->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return false;
}

static char *read_pem(const char *path, const char *what, struct lk_error *err)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		lk_error_set_errno(err, LK_EIO, errno, "api.%s %s", what, path);
		return NULL;
	}
	struct lk_buf text = LK_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= TLS_FILE_MAX_BYTES)
		lk_buf_append(&text, chunk, n);
	fclose(f);
	if (text.len == 0 || text.len > TLS_FILE_MAX_BYTES) {
		lk_buf_free(&text);
		lk_error_set(err, LK_ECONFIG, "api.%s %s: empty or larger than %d bytes", what,
			     path, TLS_FILE_MAX_BYTES);
		return NULL;
	}
	return lk_buf_detach(&text);
}

static bool check_auth_setup(struct server *s, const struct server_options *options,
			     const char *listen, const struct sockaddr_storage *addr,
			     struct lk_error *err)
{
	s->auth_required = s->conf->api.n_tokens > 0;
	if (s->auth_required)
		return true;
	if (!options->insecure_no_auth)
		return lk_error_set(err, LK_ECONFIG,
				    "no API token configured: set api.tokens in the configuration or "
				    "$LAKESYNC_API_TOKEN (or pass --insecure-no-auth on a loopback "
				    "address)");
	if (!addr_is_loopback(addr))
		return lk_error_set(err, LK_ECONFIG,
				    "--insecure-no-auth is refused on %s: only a loopback address "
				    "may serve without a token",
				    listen);
	lk_log(LK_LOG_WARN, "serving without authentication on %s (--insecure-no-auth)", listen);
	return true;
}

static bool load_tls(struct server *s, struct lk_error *err)
{
	const struct conf_api *api = &s->conf->api;
	if (api->tls_cert == NULL && api->tls_key == NULL)
		return true;
	if (api->tls_cert == NULL || api->tls_key == NULL)
		return lk_error_set(err, LK_ECONFIG, "api.tls_cert and api.tls_key go together");
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return lk_error_set(err, LK_EUNSUPPORTED,
				    "TLS is configured but libmicrohttpd was built without it");
	s->tls_cert_pem = read_pem(api->tls_cert, "tls_cert", err);
	if (s->tls_cert_pem == NULL)
		return false;
	s->tls_key_pem = read_pem(api->tls_key, "tls_key", err);
	return s->tls_key_pem != NULL;
}

static void server_free(struct server *s)
{
	server_pool_destroy(&s->pool);
	observer_free(s->observer);
	pthread_mutex_destroy(&s->observer_lock);
	free(s->tls_cert_pem);
	free(s->tls_key_pem);
	free(s);
}

static bool start_daemon(struct server *s, const struct sockaddr_storage *addr,
			 const char *listen, struct lk_error *err)
{
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO_INTERNAL_THREAD |
			 MHD_USE_ERROR_LOG;
	if (addr->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	bool tls = s->tls_cert_pem != NULL;
	if (tls)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem tls_options[] = {
		{ tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->tls_cert_pem },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key_pem },
		{ MHD_OPTION_END, 0, NULL },
	};
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_CONNECTION_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_CONNECTION_TIMEOUT_S,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
		MHD_OPTION_ARRAY, tls_options,
		MHD_OPTION_END);
	if (s->daemon == NULL)
		return lk_error_set(err, LK_EIO, "cannot listen on %s (address in use, or not "
						 "permitted)", listen);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon,
							       MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	char host[INET6_ADDRSTRLEN] = "";
	if (addr->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, host,
			  sizeof host);
	else
		inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, host, sizeof host);
	snprintf(s->url, sizeof s->url, "%s://%s%s%s:%u", tls ? "https" : "http",
		 addr->ss_family == AF_INET6 ? "[" : "", host,
		 addr->ss_family == AF_INET6 ? "]" : "", s->port);
	return true;
}

struct server *server_start(const struct conf *conf, struct engine *engine,
			    const struct server_options *options, struct lk_error *err)
{
	const char *listen = options->listen ? options->listen : conf->api.listen;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	if (!parse_listen(listen, &addr, &addr_len, err))
		return NULL;
	struct server *s = xcalloc(1, sizeof *s);
	s->conf = conf;
	s->engine = engine;
	s->max_body = options->max_body_bytes ? options->max_body_bytes : SERVER_MAX_BODY_BYTES;
	if (!server_pool_init(&s->pool, conf, err)) {
		free(s);
		return NULL;
	}
	s->observer = observer_new(conf, engine);
	pthread_mutex_init(&s->observer_lock, NULL);
	if (!check_auth_setup(s, options, listen, &addr, err) || !load_tls(s, err) ||
	    !start_daemon(s, &addr, listen, err)) {
		server_free(s);
		return NULL;
	}
	return s;
}

unsigned server_port(const struct server *s)
{
	return s->port;
}

const char *server_url(const struct server *s)
{
	return s->url;
}

void server_stop(struct server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->daemon);
	server_free(s);
}
