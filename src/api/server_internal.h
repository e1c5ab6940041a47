/* api/server_internal.h: what the daemon's files share (server.c: HTTP, auth and dispatch;
 * server_routes.c: the route table and its handlers; server_metrics.c: /metrics;
 * server_pool.c: the registry connection pool). Not for use outside src/api/server*.c. */
#ifndef LK_API_SERVER_INTERNAL_H
#define LK_API_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/server.h"
#include "conf/conf.h"
#include "util/buf.h"
#include "util/error.h"

struct cJSON;
struct MHD_Connection;
struct MHD_Daemon;
struct observer;
struct registry;

/* A small pool of registry connections: request threads borrow one each; when every one is
 * out, a request waits for one to come back. */
struct server_pool {
	pthread_mutex_t lock;
	pthread_cond_t returned;
	char *conninfo;
	struct registry *idle[SERVER_REGISTRY_POOL];
	size_t n_idle;
	size_t n_out;
};

struct server {
	const struct conf *conf;
	struct engine *engine;
	struct MHD_Daemon *daemon;
	struct server_pool pool;
	struct observer *observer;      /* the dashboard's facts (engine/observe.h) */
	pthread_mutex_t observer_lock;  /* an observer serves one thread at a time */
	bool auth_required;
	size_t max_body;
	unsigned port;
	char url[160];
	char *tls_cert_pem, *tls_key_pem;
};

enum { ROUTE_MAX_PARAMS = 2 };
/* 413 under its old and new libmicrohttpd names alike (the old one warns as deprecated). */
enum { HTTP_CONTENT_TOO_LARGE = 413 };

struct server_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	const char *params[ROUTE_MAX_PARAMS]; /* the {} segments of the route, in order */
	const char *body;                     /* NUL-terminated; "" when none */
	size_t body_len;
};

struct server_response {
	unsigned status;
	const char *content_type; /* NULL = application/json */
	const char *allow;        /* the Allow header of a 405 */
	struct lk_buf body;
};

typedef void route_handler(struct server *s, const struct server_request *req,
			   struct server_response *resp);

struct server_route {
	const char *method;
	const char *pattern;   /* segments; "{}" matches one non-empty segment */
	route_handler *handler;
	bool public;           /* answered without a token (/healthz) */
};

/* The route table (server_routes.c); ends with a zeroed entry. */
extern const struct server_route server_routes[];

/* A query parameter (?key=value), or NULL. */
const char *server_query(const struct server_request *req, const char *key);

/* Replies: the json is consumed. */
void server_reply_json(struct server_response *resp, unsigned status, struct cJSON *json);
void server_reply_error(struct server_response *resp, unsigned status, const char *error_code,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The HTTP status and error_code of a library error. */
void server_reply_lk_error(struct server_response *resp, const struct lk_error *err);

bool server_pool_init(struct server_pool *pool, const struct conf *conf,
		      struct lk_error *err);
void server_pool_destroy(struct server_pool *pool);
struct registry *server_pool_acquire(struct server_pool *pool, struct lk_error *err);
/* Gives the connection back; a broken one is closed instead. NULL is ignored. */
void server_pool_release(struct server_pool *pool, struct registry *reg);

/* Prometheus text exposition of every synced table (server_metrics.c). */
bool server_metrics_render(struct server *s, struct registry *reg, struct lk_buf *out,
			   struct lk_error *err);

#endif
