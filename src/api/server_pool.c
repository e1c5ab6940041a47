/* api/server_pool.c: the daemon's registry connections: at most SERVER_REGISTRY_POOL open,
 * opened on first need, reused across requests, closed when libpq says they broke. One
 * connection serves one request thread at a time (a struct registry is not thread-safe). */
#include "config.h"

#include <libpq-fe.h>
#include <stdlib.h>

#include "api/server_internal.h"
#include "registry/registry.h"
#include "util/xmalloc.h"

bool server_pool_init(struct server_pool *pool, const struct conf *conf, struct lk_error *err)
{
	struct lk_buf conninfo = LK_BUF_INIT;
	if (!conf_state_conninfo(conf, &conninfo, err)) {
		lk_buf_free(&conninfo);
		return false;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->returned, NULL);
	pool->conninfo = lk_buf_detach(&conninfo);
	pool->n_idle = 0;
	pool->n_out = 0;
	return true;
}

void server_pool_destroy(struct server_pool *pool)
{
	for (size_t i = 0; i < pool->n_idle; i++)
		registry_close(pool->idle[i]);
	pool->n_idle = 0;
	free(pool->conninfo);
	pool->conninfo = NULL;
	pthread_cond_destroy(&pool->returned);
	pthread_mutex_destroy(&pool->lock);
}

struct registry *server_pool_acquire(struct server_pool *pool, struct lk_error *err)
{
	pthread_mutex_lock(&pool->lock);
	while (pool->n_idle == 0 && pool->n_out >= SERVER_REGISTRY_POOL)
		pthread_cond_wait(&pool->returned, &pool->lock);
	pool->n_out++;
	struct registry *reg = pool->n_idle ? pool->idle[--pool->n_idle] : NULL;
	pthread_mutex_unlock(&pool->lock);
	if (reg)
		return reg;
	/* Connect outside the lock: other threads may take idle connections meanwhile. */
	reg = registry_open(pool->conninfo, err);
	if (reg == NULL) {
		pthread_mutex_lock(&pool->lock);
		pool->n_out--;
		pthread_cond_signal(&pool->returned);
		pthread_mutex_unlock(&pool->lock);
	}
	return reg;
}

void server_pool_release(struct server_pool *pool, struct registry *reg)
{
	if (reg == NULL)
		return;
	bool broken = PQstatus(registry_conn(reg)) != CONNECTION_OK ||
		      PQtransactionStatus(registry_conn(reg)) != PQTRANS_IDLE;
	if (broken)
		registry_close(reg);
	pthread_mutex_lock(&pool->lock);
	pool->n_out--;
	if (!broken)
		pool->idle[pool->n_idle++] = reg;
	pthread_cond_signal(&pool->returned);
	pthread_mutex_unlock(&pool->lock);
}
