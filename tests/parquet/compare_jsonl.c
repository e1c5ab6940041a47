/* tests/parquet/compare_jsonl.c: compares `lakesync inspect parquet` output with a reference
 * reader's JSON Lines (DuckDB's or hyparquet's, from the shared corpus), row by row and value
 * by value, normalising what the references render differently (see the corpus README):
 * DuckDB's timestamps without "T"/"Z" and without zero fractions, its BLOBs as text with \xHH
 * escapes, hyparquet's int64 as strings and binaries as "b64:", decimals as numbers, floats
 * printed at double precision, bare NaN/Infinity. Numbers keep their text, so big integers
 * compare exactly. Usage: compare_jsonl EXPECTED ACTUAL; exit 0 when every row matches. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype type;
	bool b;
	char *s;           /* number text or decoded string */
	size_t len;
	struct jv *items;  /* array items or object values */
	struct jv *keys;   /* object keys (J_STR) */
	size_t n;
};

struct parser {
	const char *p;
	bool ok;
};

static void *xmalloc_or_die(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL) {
		fprintf(stderr, "compare_jsonl: out of memory\n");
		exit(2);
	}
	return p;
}

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool parse_value(struct parser *ps, struct jv *v);

static void put_utf8(char *out, size_t *len, unsigned cp)
{
	if (cp < 0x80) {
		out[(*len)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*len)++] = (char)(0xc0 | (cp >> 6));
		out[(*len)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*len)++] = (char)(0xe0 | (cp >> 12));
		out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*len)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*len)++] = (char)(0xf0 | (cp >> 18));
		out[(*len)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*len)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static bool parse_string(struct parser *ps, struct jv *v)
{
	const char *start = ++ps->p;
	size_t cap = 16;
	while (*ps->p && *ps->p != '"')
		ps->p += (*ps->p == '\\' && ps->p[1]) ? 2 : 1, cap++;
	if (*ps->p != '"')
		return false;
	char *out = xmalloc_or_die(cap * 4 + 1);
	size_t len = 0;
	for (const char *q = start; q < ps->p; q++) {
		if (*q != '\\') {
			out[len++] = *q;
			continue;
		}
		q++;
		switch (*q) {
		case 'n': out[len++] = '\n'; break;
		case 't': out[len++] = '\t'; break;
		case 'r': out[len++] = '\r'; break;
		case 'b': out[len++] = '\b'; break;
		case 'f': out[len++] = '\f'; break;
		case 'u': {
			unsigned cp = 0;
			if (sscanf(q + 1, "%4x", &cp) != 1)
				return false;
			q += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && q[1] == '\\' && q[2] == 'u') {
				unsigned lo = 0;
				if (sscanf(q + 3, "%4x", &lo) == 1) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					q += 6;
				}
			}
			put_utf8(out, &len, cp);
			break;
		}
		default: out[len++] = *q; break;
		}
	}
	ps->p++;
	out[len] = '\0';
	v->type = J_STR;
	v->s = out;
	v->len = len;
	return true;
}

static bool parse_container(struct parser *ps, struct jv *v, bool object)
{
	char close = object ? '}' : ']';
	ps->p++;
	size_t cap = 4;
	v->type = object ? J_OBJ : J_ARR;
	v->items = xmalloc_or_die(cap * sizeof *v->items);
	v->keys = object ? xmalloc_or_die(cap * sizeof *v->keys) : NULL;
	v->n = 0;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return true;
	}
	for (;;) {
		if (v->n == cap) {
			cap *= 2;
			v->items = realloc(v->items, cap * sizeof *v->items);
			if (object)
				v->keys = realloc(v->keys, cap * sizeof *v->keys);
			if (!v->items || (object && !v->keys))
				return false;
		}
		memset(&v->items[v->n], 0, sizeof v->items[v->n]);
		skip_ws(ps);
		if (object) {
			memset(&v->keys[v->n], 0, sizeof v->keys[v->n]);
			if (*ps->p != '"' || !parse_string(ps, &v->keys[v->n]))
				return false;
			skip_ws(ps);
			if (*ps->p++ != ':')
				return false;
		}
		if (!parse_value(ps, &v->items[v->n]))
			return false;
		v->n++;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return true;
		}
		return false;
	}
}

static bool parse_word(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if (strncmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static void set_str(struct jv *v, const char *s)
{
	v->type = J_STR;
	v->s = strdup(s);
	v->len = strlen(s);
}

static bool parse_value(struct parser *ps, struct jv *v)
{
	skip_ws(ps);
	char c = *ps->p;
	if (c == '"')
		return parse_string(ps, v);
	if (c == '{' || c == '[')
		return parse_container(ps, v, c == '{');
	if (parse_word(ps, "null")) {
		v->type = J_NULL;
		return true;
	}
	if (parse_word(ps, "true") || parse_word(ps, "false")) {
		v->type = J_BOOL;
		v->b = ps->p[-1] == 'e' && ps->p[-2] == 'u';
		return true;
	}
	/* DuckDB writes non-finite floats bare */
	if (parse_word(ps, "NaN") || parse_word(ps, "nan")) {
		set_str(v, "NaN");
		return true;
	}
	if (parse_word(ps, "Infinity") || parse_word(ps, "inf")) {
		set_str(v, "Infinity");
		return true;
	}
	if (parse_word(ps, "-Infinity") || parse_word(ps, "-inf")) {
		set_str(v, "-Infinity");
		return true;
	}
	const char *start = ps->p;
	while (*ps->p && strchr("+-0123456789.eE", *ps->p))
		ps->p++;
	if (ps->p == start)
		return false;
	v->type = J_NUM;
	v->len = (size_t)(ps->p - start);
	v->s = xmalloc_or_die(v->len + 1);
	memcpy(v->s, start, v->len);
	v->s[v->len] = '\0';
	return true;
}

static void jv_free(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jv_free(&v->items[i]);
		if (v->keys)
			jv_free(&v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
}

/* ---- normalisation ------------------------------------------------------------------- */

static bool text_double(const char *s, size_t len, double *out)
{
	char buf[128];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcmp(buf, "NaN") == 0) {
		*out = NAN;
		return true;
	}
	if (strcmp(buf, "Infinity") == 0 || strcmp(buf, "-Infinity") == 0) {
		*out = buf[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	char *end;
	*out = strtod(buf, &end);
	return *end == '\0';
}

static bool doubles_match(double e, double a)
{
	if (isnan(e) && isnan(a))
		return true;
	if (e == a)
		return true;
	if ((float)e == (float)a)
		return true;
	double scale = fabs(e) > fabs(a) ? fabs(e) : fabs(a);
	return fabs(e - a) <= scale * 1e-12;
}

/* Dates, timestamps and times in one form: year without "+" or leading zeros beyond four
 * digits and astronomical (DuckDB's "N (BC)" is year 1 - N), " " between date and time,
 * no "Z" or "+00", no trailing zeros in the fraction. Returns 0 when s is not one. */
static size_t normalise_time(const char *s, size_t len, char *out, size_t cap)
{
	char tmp[256];
	if (len >= sizeof tmp || cap < sizeof tmp)
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	char *bc = strstr(tmp, " (BC)");
	bool is_bc = bc != NULL;
	if (bc)
		memmove(bc, bc + 5, strlen(bc + 5) + 1);
	const char *q = tmp;
	bool negative = false;
	if (*q == '+' || *q == '-')
		negative = *q++ == '-';
	char *rest;
	long long year = strtoll(q, &rest, 10);
	size_t out_len = 0;
	if (rest - q >= 4 && *rest == '-' && isdigit((unsigned char)q[0])) {
		if (negative)
			year = -year;
		if (is_bc)
			year = 1 - year;
		out_len = (size_t)snprintf(out, cap, "%s%04lld", year < 0 ? "-" : "",
					   year < 0 ? -year : year);
		if (strlen(rest) > 6 && rest[6] == 'T')
			rest[6] = ' ';
	} else if (len >= 8 && tmp[2] == ':' && tmp[5] == ':') {
		rest = tmp;
	} else {
		return 0;
	}
	size_t rl = strlen(rest);
	if (out_len + rl + 1 > cap)
		return 0;
	memcpy(out + out_len, rest, rl + 1);
	len = out_len + rl;
	if (len > 0 && out[len - 1] == 'Z')
		len--;
	if (len > 6 && strncmp(out + len - 6, "+00:00", 6) == 0)
		len -= 6;
	else if (len > 3 && strncmp(out + len - 3, "+00", 3) == 0)
		len -= 3;
	out[len] = '\0';
	char *colon = strrchr(out, ':');
	char *dot = colon ? strchr(colon, '.') : NULL;
	if (dot) {
		while (len > (size_t)(dot - out) + 1 && out[len - 1] == '0')
			len--;
		if (len == (size_t)(dot - out) + 1)
			len--;
	}
	out[len] = '\0';
	return len;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* lakesync's binary rendering "\x0a0b": bytes, or false when s is not that. */
static bool decode_bytea(const char *s, size_t len, unsigned char *out, size_t *n)
{
	if (len < 2 || s[0] != '\\' || s[1] != 'x' || (len - 2) % 2)
		return false;
	*n = 0;
	for (size_t i = 2; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[(*n)++] = (unsigned char)(hi * 16 + lo);
	}
	return true;
}

/* DuckDB's BLOB text: \xHH escapes, other bytes as they are. */
static void decode_duckdb_blob(const char *s, size_t len, unsigned char *out, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len + 0 && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 &&
		    hexval(s[i + 3]) >= 0) {
			out[(*n)++] = (unsigned char)(hexval(s[i + 2]) * 16 + hexval(s[i + 3]));
			i += 3;
		} else {
			out[(*n)++] = (unsigned char)s[i];
		}
	}
}

static bool decode_base64(const char *s, size_t len, unsigned char *out, size_t *n)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0;
	int bits = 0;
	*n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=')
			break;
		const char *pos = strchr(alphabet, s[i]);
		if (pos == NULL || s[i] == '\0')
			return false;
		acc = (acc << 6) | (unsigned)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*n)++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	return true;
}

/* ---- GEOMETRY: lakesync renders WKB (as binary hex), DuckDB shows WKT ------------------- */

struct text {
	char *data;
	size_t len, cap;
};

static void text_add(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->data = realloc(t->data, t->cap);
		if (t->data == NULL)
			exit(2);
	}
	memcpy(t->data + t->len, s, n + 1);
	t->len += n;
}

struct wkb {
	const unsigned char *p, *end;
	bool little;
};

static bool wkb_u32(struct wkb *w, uint32_t *v)
{
	if (w->end - w->p < 4)
		return false;
	const unsigned char *b = w->p;
	*v = w->little ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
				 (uint32_t)b[3] << 24
		       : (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 |
				 (uint32_t)b[0] << 24;
	w->p += 4;
	return true;
}

static bool wkb_double(struct wkb *w, double *v)
{
	if (w->end - w->p < 8)
		return false;
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = w->little ? w->p[i] : w->p[7 - i];
	memcpy(v, b, 8);
	w->p += 8;
	return true;
}

static bool wkb_coords(struct wkb *w, int dims, struct text *t, bool *all_nan)
{
	*all_nan = true;
	for (int d = 0; d < dims; d++) {
		double v;
		char num[40];
		if (!wkb_double(w, &v))
			return false;
		*all_nan = *all_nan && isnan(v);
		snprintf(num, sizeof num, d ? " %.17g" : "%.17g", v);
		text_add(t, num);
	}
	return true;
}

static bool wkb_points(struct wkb *w, int dims, struct text *t)
{
	uint32_t n;
	bool nan;
	if (!wkb_u32(w, &n) || n > (uint32_t)(w->end - w->p))
		return false;
	if (n == 0) {
		text_add(t, " EMPTY");
		return true;
	}
	text_add(t, " (");
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			text_add(t, ", ");
		if (!wkb_coords(w, dims, t, &nan))
			return false;
	}
	text_add(t, ")");
	return true;
}

static bool wkb_geometry(struct wkb *w, struct text *t, int depth);
static bool wkb_body(struct wkb *w, uint32_t base, int dims, struct text *t, int depth);

static const char *const wkb_names[] = { "", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
					 "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION" };

/* The body of a geometry after its header: " (...)" or " EMPTY". */
static bool wkb_body(struct wkb *w, uint32_t base, int dims, struct text *t, int depth)
{
	uint32_t n;
	bool nan;
	switch (base) {
	case 1: {
		struct text coords = { 0 };
		bool ok = wkb_coords(w, dims, &coords, &nan);
		if (ok) {
			text_add(t, nan ? " EMPTY" : " (");
			if (!nan) {
				text_add(t, coords.data);
				text_add(t, ")");
			}
		}
		free(coords.data);
		return ok;
	}
	case 2: return wkb_points(w, dims, t);
	case 3:
		if (!wkb_u32(w, &n) || n > (uint32_t)(w->end - w->p))
			return false;
		text_add(t, n ? " (" : " EMPTY");
		for (uint32_t i = 0; i < n; i++) {
			if (i)
				text_add(t, ",");
			if (!wkb_points(w, dims, t))
				return false;
		}
		if (n)
			text_add(t, ")");
		return true;
	default:
		if (!wkb_u32(w, &n) || n > (uint32_t)(w->end - w->p))
			return false;
		text_add(t, n ? " (" : " EMPTY");
		for (uint32_t i = 0; i < n; i++) {
			if (i)
				text_add(t, base == 7 ? ", " : ",");
			if (base == 7) {
				if (!wkb_geometry(w, t, depth + 1))
					return false;
				continue;
			}
			/* members of MULTI*: their header, then their body without the name */
			struct text member = { 0 };
			bool ok = wkb_geometry(w, &member, depth + 1);
			const char *open = ok ? strchr(member.data, '(') : NULL;
			if (open && base == 4) {
				char *close = strrchr(member.data, ')');
				*close = '\0';
				text_add(t, i ? " " : "");
				text_add(t, open + 1);
			} else if (open) {
				text_add(t, " ");
				text_add(t, open);
			}
			free(member.data);
			if (!ok || !open)
				return false;
		}
		if (n)
			text_add(t, ")");
		return true;
	}
}

static bool wkb_geometry(struct wkb *w, struct text *t, int depth)
{
	if (depth > 16 || w->p >= w->end)
		return false;
	w->little = *w->p++ == 1;
	uint32_t type;
	if (!wkb_u32(w, &type))
		return false;
	bool z = false, m = false;
	if (type & 0x20000000u) { /* EWKB SRID */
		uint32_t srid;
		if (!wkb_u32(w, &srid))
			return false;
	}
	z = (type & 0x80000000u) != 0;
	m = (type & 0x40000000u) != 0;
	type &= 0x0fffffffu;
	uint32_t base = type % 1000, iso = type / 1000;
	z = z || iso == 1 || iso == 3;
	m = m || iso == 2 || iso == 3;
	if (base < 1 || base > 7)
		return false;
	text_add(t, wkb_names[base]);
	text_add(t, z && m ? " ZM" : z ? " Z" : m ? " M" : "");
	return wkb_body(w, base, 2 + z + m, t, depth);
}

/* A number token of WKT ("nan" included); false when s does not start with one. */
static bool wkt_number(const char *s, double *v, const char **end)
{
	if (strncmp(s, "nan", 3) == 0 || strncmp(s, "-nan", 4) == 0) {
		*v = NAN;
		*end = s + (s[0] == '-' ? 4 : 3);
		return true;
	}
	if (!(isdigit((unsigned char)*s) || *s == '-' || *s == '+' || *s == '.'))
		return false;
	char *e;
	*v = strtod(s, &e);
	*end = e;
	return e != s;
}

/* WKT texts equal token by token, numbers compared as doubles. */
static bool wkt_match(const char *e, const char *a)
{
	while (*e || *a) {
		while (*e == ' ')
			e++;
		while (*a == ' ')
			a++;
		double de, da;
		const char *ee, *ae;
		bool e_num = wkt_number(e, &de, &ee), a_num = wkt_number(a, &da, &ae);
		if (e_num || a_num) {
			if (!(e_num && a_num) || !(de == da || (isnan(de) && isnan(da))))
				return false;
			e = ee;
			a = ae;
			continue;
		}
		if (*e != *a)
			return false;
		if (*e) {
			e++;
			a++;
		}
	}
	return true;
}

static bool wkb_matches_wkt(const unsigned char *wkb, size_t len, const char *e, size_t elen)
{
	if (elen < 5 || memchr(e, '\0', elen) || !isupper((unsigned char)e[0]))
		return false;
	struct wkb w = { .p = wkb, .end = wkb + len };
	struct text t = { 0 };
	bool ok = wkb_geometry(&w, &t, 0) && t.data && wkt_match(e, t.data);
	free(t.data);
	return ok;
}

static bool strings_match(const char *e, size_t elen, const char *a, size_t alen)
{
	if (elen == alen && memcmp(e, a, elen) == 0)
		return true;
	size_t cap = (elen > alen ? elen : alen) + 300;
	unsigned char *ab = xmalloc_or_die(cap), *eb = xmalloc_or_die(cap);
	size_t an, en;
	bool match = false;
	if (decode_bytea(a, alen, ab, &an)) {
		if (elen >= 4 && memcmp(e, "b64:", 4) == 0) {
			match = decode_base64(e + 4, elen - 4, eb, &en) && en == an &&
				memcmp(eb, ab, an) == 0;
		} else {
			decode_duckdb_blob(e, elen, eb, &en);
			match = (en == an && memcmp(eb, ab, an) == 0) ||
				wkb_matches_wkt(ab, an, e, elen);
		}
	}
	if (!match) {
		char *et = xmalloc_or_die(cap), *at = xmalloc_or_die(cap);
		size_t etl = normalise_time(e, elen, et, cap), atl = normalise_time(a, alen, at, cap);
		match = etl > 0 && etl == atl && memcmp(et, at, etl) == 0;
		free(et);
		free(at);
	}
	if (!match) {
		double de, da;
		match = text_double(e, elen, &de) && text_double(a, alen, &da) &&
			doubles_match(de, da);
	}
	free(ab);
	free(eb);
	return match;
}

static bool values_match(const struct jv *e, const struct jv *a);

static const struct jv *find_key(const struct jv *obj, const struct jv *key, size_t *index)
{
	for (size_t i = 0; i < obj->n; i++)
		if (obj->keys[i].len == key->len && memcmp(obj->keys[i].s, key->s, key->len) == 0) {
			*index = i;
			return &obj->items[i];
		}
	for (size_t i = 0; i < obj->n; i++)
		if (strings_match(key->s, key->len, obj->keys[i].s, obj->keys[i].len)) {
			*index = i;
			return &obj->items[i];
		}
	return NULL;
}

static bool values_match(const struct jv *e, const struct jv *a)
{
	if (e->type == J_NULL || a->type == J_NULL)
		return e->type == a->type;
	if (e->type == J_BOOL || a->type == J_BOOL)
		return e->type == a->type && e->b == a->b;
	if ((e->type == J_NUM || e->type == J_STR) && (a->type == J_NUM || a->type == J_STR)) {
		if (e->type == J_STR && a->type == J_STR)
			return strings_match(e->s, e->len, a->s, a->len);
		if (e->len == a->len && memcmp(e->s, a->s, e->len) == 0)
			return true;
		double de, da;
		return text_double(e->s, e->len, &de) && text_double(a->s, a->len, &da) &&
		       doubles_match(de, da);
	}
	if (e->type != a->type || e->n != a->n)
		return false;
	if (e->type == J_ARR) {
		for (size_t i = 0; i < e->n; i++)
			if (!values_match(&e->items[i], &a->items[i]))
				return false;
		return true;
	}
	for (size_t i = 0; i < e->n; i++) {
		size_t index;
		const struct jv *av = find_key(a, &e->keys[i], &index);
		if (av == NULL || !values_match(&e->items[i], av))
			return false;
	}
	return true;
}

static bool parse_line(const char *line, struct jv *v)
{
	struct parser ps = { .p = line, .ok = true };
	memset(v, 0, sizeof *v);
	if (!parse_value(&ps, v))
		return false;
	skip_ws(&ps);
	return *ps.p == '\0';
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: compare_jsonl EXPECTED ACTUAL\n");
		return 2;
	}
	FILE *ef = fopen(argv[1], "r"), *af = fopen(argv[2], "r");
	if (!ef || !af) {
		fprintf(stderr, "compare_jsonl: cannot open %s\n", !ef ? argv[1] : argv[2]);
		return 2;
	}
	char *eline = NULL, *aline = NULL;
	size_t ecap = 0, acap = 0;
	size_t row = 0, mismatches = 0;
	for (;;) {
		ssize_t el = getline(&eline, &ecap, ef);
		ssize_t al = getline(&aline, &acap, af);
		if (el < 0 || al < 0) {
			if (el >= 0 || al >= 0) {
				printf("row %zu: %s has more rows\n", row + 1,
				       el >= 0 ? "expected" : "actual");
				mismatches++;
			}
			break;
		}
		row++;
		struct jv ev = { 0 }, av = { 0 };
		bool ok = parse_line(eline, &ev) && parse_line(aline, &av) && values_match(&ev, &av);
		if (!ok && ++mismatches <= 3)
			printf("row %zu differs:\n  expected: %s  actual:   %s", row, eline, aline);
		jv_free(&ev);
		jv_free(&av);
	}
	free(eline);
	free(aline);
	fclose(ef);
	fclose(af);
	if (mismatches)
		printf("%zu mismatches in %zu rows\n", mismatches, row);
	return mismatches ? 1 : 0;
}
