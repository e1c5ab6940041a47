/* api/server.h: the REST daemon behind `lakesync serve`: the synced-tables API of
 * ../shared/spec/synced-tables-api.md over HTTP (libmicrohttpd), plus Sync now through
 * /api/2.0/pipelines/{pipeline_id}/updates, /healthz and /metrics (doc/api.md).
 *
 * The server answers on its own threads (one per connection, at most
 * SERVER_CONNECTION_LIMIT at once, idle ones dropped after SERVER_CONNECTION_TIMEOUT_S,
 * bodies capped at SERVER_MAX_BODY_BYTES); each request borrows a registry connection from
 * a small pool, so a slow client never holds the engine or another request's connection.
 * Requests carry `Authorization: Bearer <token>`, checked in constant time against every
 * token of conf->api; with no token configured the server refuses to start unless
 * insecure_no_auth is set and the address is a loopback one. TLS when conf->api.tls_cert
 * and tls_key are set.
 * The caller owns conf and engine; both must outlive the server. server_stop() waits for the
 * requests in flight and frees the server. Failures fill *err and return NULL. */
#ifndef LK_API_SERVER_H
#define LK_API_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "util/error.h"

struct engine;
struct server;

enum {
	SERVER_CONNECTION_LIMIT = 64,
	SERVER_CONNECTION_TIMEOUT_S = 30,
	SERVER_MAX_BODY_BYTES = 1024 * 1024,
	SERVER_REGISTRY_POOL = 4,
};

struct server_options {
	const char *listen;     /* "ADDR:PORT" or "[ADDR6]:PORT"; NULL = conf->api.listen */
	bool insecure_no_auth;  /* allowed only on a loopback address with no token configured */
	size_t max_body_bytes;  /* 0 = SERVER_MAX_BODY_BYTES */
};

struct server *server_start(const struct conf *conf, struct engine *engine,
			    const struct server_options *options, struct lk_error *err);
/* The port bound (useful with port 0). */
unsigned server_port(const struct server *server);
/* "http://127.0.0.1:8080" or "https://..." (owned by the server). */
const char *server_url(const struct server *server);
void server_stop(struct server *server);

#endif
