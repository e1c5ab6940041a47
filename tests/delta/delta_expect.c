/* tests/delta/delta_expect.c: the corpus test's helper for the shared Delta tables' expected
 * files (<table>.expected.txt). It lists a file's sections, compares what
 * `lakesync inspect delta` printed for a section with the expected rows (as unordered
 * multisets, with the value normalisation the files need), and asks the library which error
 * class a change feed fails with. test_delta_corpus.sh drives it.
 *
 *   delta_expect sections FILE            one line per section: INDEX TAB KIND TAB ARG TAB TITLE
 *                                          KIND: scan (ARG: "-" for all, "version N", "columns a,b"),
 *                                          changes (ARG: "A..B" or "A.."), error (ARG:
 *                                          "A..B CLASS"), ok (ARG: "A..B"), schema (ARG: "A..B")
 *   delta_expect compare FILE INDEX OUT   OUT: the JSON Lines of the read; exit 0 when equal
 *   delta_expect schema FILE INDEX INFO   INFO: `inspect delta --changes --info` output
 *   delta_expect errcode TABLE A B        prints the error class of opening changes A..B
 *
 * Expected values: NULL is null, "" the empty string, other cells are text compared with our
 * JSON value: numbers numerically (exact for integers; a float widened to double equals its
 * float), timestamps with trailing zero fractions dropped, the golden files' encodings
 * (dec:, ntz:, b64:, longs as strings) undone, {k: v, ...} cells as structs. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "delta/delta.h"
#include "delta/scan.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xmalloc.h"

/* Numbers are kept as their text: the parser sees them as strings starting with this mark. */
static const char NUMBER_MARK = '\x01';

enum section_kind { SEC_SCAN, SEC_CHANGES, SEC_ERROR, SEC_OK, SEC_SCHEMA };

static const char *const kind_names[] = {
	[SEC_SCAN] = "scan", [SEC_CHANGES] = "changes", [SEC_ERROR] = "error",
	[SEC_OK] = "ok", [SEC_SCHEMA] = "schema",
};

struct section {
	enum section_kind kind;
	char *title;
	char *arg;
	char **columns;  /* NULL for golden JSON rows */
	size_t n_columns;
	char **rows;
	size_t n_rows;
	bool json_rows;
};

struct expected_file {
	struct section *sections;
	size_t n;
};

/* ---- reading the expected file ------------------------------------------------------- */

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Splits at '|' outside quotes and braces. */
static size_t split_fields(const char *line, char ***out)
{
	size_t cap = 8, n = 0;
	char **fields = xcalloc(cap, sizeof *fields);
	int depth = 0;
	bool quoted = false;
	const char *start = line;
	for (const char *p = line;; p++) {
		if (*p == '\0' || (*p == '|' && depth == 0 && !quoted)) {
			if (n == cap)
				fields = xreallocarray(fields, cap *= 2, sizeof *fields);
			fields[n] = xcalloc(1, (size_t)(p - start) + 1);
			memcpy(fields[n++], start, (size_t)(p - start));
			if (*p == '\0')
				break;
			start = p + 1;
			continue;
		}
		if (*p == '"' && (p == line || p[-1] != '\\'))
			quoted = !quoted;
		else if (!quoted && (*p == '{' || *p == '['))
			depth++;
		else if (!quoted && (*p == '}' || *p == ']'))
			depth--;
	}
	*out = fields;
	return n;
}

static void push_row(struct section *s, const char *line)
{
	s->rows = xreallocarray(s->rows, s->n_rows + 1, sizeof *s->rows);
	s->rows[s->n_rows++] = xstrdup(line);
}

static struct section *new_section(struct expected_file *f, enum section_kind kind,
				   const char *title, char *arg)
{
	f->sections = xreallocarray(f->sections, f->n + 1, sizeof *f->sections);
	struct section *s = &f->sections[f->n++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->title = xstrdup(title);
	s->arg = arg;
	return s;
}

/* "start=A end=B" anywhere in text -> "A..B" ("A.." for end=latest), or NULL. */
static char *range_arg(const char *text)
{
	const char *p = strstr(text, "start=");
	const char *q = p ? strstr(p, "end=") : NULL;
	if (q == NULL)
		return NULL;
	long long start = atoll(p + 6);
	if (strncmp(q + 4, "latest", 6) == 0)
		return xasprintf("%lld..", start);
	return xasprintf("%lld..%lld", start, atoll(q + 4));
}

static const char *error_class(const char *line)
{
	if (strstr(line, "schemas are different"))
		return lk_errcode_name(LK_ESCHEMA_CHANGE);
	if (strstr(line, "not enabled") || strstr(line, "ChangeDataFeedUnsupported"))
		return lk_errcode_name(LK_ECDF_DISABLED);
	return lk_errcode_name(LK_EINVAL); /* start after end, past the last version */
}

static struct section *bracket_section(struct expected_file *f, const char *title)
{
	char *range = range_arg(title);
	if (range)
		return new_section(f, SEC_CHANGES, title, range);
	const char *v = strstr(title, "version ");
	if (v && isdigit((unsigned char)v[8]))
		return new_section(f, SEC_SCAN, title, xasprintf("version %lld", atoll(v + 8)));
	/* "projection ..." takes its columns from the columns: line (filled in later). */
	return new_section(f, SEC_SCAN, title, xstrdup(strstr(title, "projection") ? "columns" : ""));
}

static void set_columns(struct section *s, const char *list)
{
	s->n_columns = split_fields(list, &s->columns);
	for (size_t i = 0; i < s->n_columns; i++) {
		char *t = trim(s->columns[i]);
		memmove(s->columns[i], t, strlen(t) + 1);
	}
	if (strcmp(s->arg, "columns") == 0) {
		free(s->arg);
		struct lk_buf b = LK_BUF_INIT;
		lk_buf_append_str(&b, "columns ");
		for (size_t i = 0; i < s->n_columns; i++)
			lk_buf_printf(&b, "%s%s", i ? "," : "", s->columns[i]);
		s->arg = lk_buf_detach(&b);
	}
}

static bool read_expected(const char *path, struct expected_file *f)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		perror(path);
		return false;
	}
	memset(f, 0, sizeof *f);
	char *line = NULL, *last_comment = NULL;
	size_t cap = 0;
	struct section *cur = NULL;
	while (getline(&line, &cap, fp) > 0) {
		char *t = trim(line);
		if (*t == '#') {
			free(last_comment);
			last_comment = xstrdup(t);
		} else if (*t == '\0') {
			cur = NULL;
		} else if (*t == '[') {
			t[strcspn(t, "]")] = '\0';
			cur = bracket_section(f, t + 1);
		} else if (strncmp(t, "ERROR", 5) == 0) {
			char *range = range_arg(t);
			char *arg = xasprintf("%s %s", range, error_class(t));
			free(range);
			new_section(f, SEC_ERROR, t, arg);
			cur = NULL;
		} else if (strncmp(t, "OK", 2) == 0) {
			new_section(f, SEC_OK, t, range_arg(t));
			cur = NULL;
		} else if (strncmp(t, "rows:", 5) == 0) {
			cur = new_section(f, SEC_SCAN, "full scan (golden rows)", xstrdup(""));
			cur->json_rows = true;
		} else if (strncmp(t, "columns:", 8) == 0) {
			if (cur == NULL) {
				char *range = last_comment ? range_arg(last_comment) : NULL;
				cur = new_section(f, SEC_SCHEMA, "change feed schema",
						  range ? range : xstrdup("0..0"));
			}
			set_columns(cur, trim(t + 8));
		} else if (cur) {
			push_row(cur, t);
		}
	}
	free(line);
	free(last_comment);
	fclose(fp);
	return true;
}

/* ---- JSON with numbers kept as text -------------------------------------------------- */

/* Rewrites numbers outside strings as "\x01<text>" strings, so cJSON keeps their digits. */
static char *mark_numbers(const char *json)
{
	struct lk_buf b = LK_BUF_INIT;
	bool quoted = false;
	for (const char *p = json; *p; p++) {
		if (quoted) {
			lk_buf_append_byte(&b, (uint8_t)*p);
			if (*p == '\\' && p[1]) {
				lk_buf_append_byte(&b, (uint8_t)*++p);
			} else if (*p == '"') {
				quoted = false;
			}
			continue;
		}
		if (*p == '"')
			quoted = true;
		if (*p == '-' || isdigit((unsigned char)*p)) {
			size_t n = strspn(p, "-+0123456789.eE");
			lk_buf_printf(&b, "\"\\u0001%.*s\"", (int)n, p);
			p += n - 1;
			continue;
		}
		lk_buf_append_byte(&b, (uint8_t)*p);
	}
	return lk_buf_detach(&b);
}

static cJSON *parse_json(const char *text)
{
	char *marked = mark_numbers(text);
	cJSON *json = cJSON_Parse(marked);
	free(marked);
	return json;
}

/* "{k: v, k: {..}}" (how upstream prints structs) as an object of strings. */
static cJSON *parse_struct_text(const char **pp)
{
	const char *p = *pp + 1;
	cJSON *obj = cJSON_CreateObject();
	while (*p && *p != '}') {
		while (*p == ' ' || *p == ',')
			p++;
		const char *colon = strstr(p, ": ");
		if (colon == NULL)
			break;
		char *key = xcalloc(1, (size_t)(colon - p) + 1);
		memcpy(key, p, (size_t)(colon - p));
		p = colon + 2;
		if (*p == '{') {
			cJSON_AddItemToObject(obj, key, parse_struct_text(&p));
		} else {
			size_t n = strcspn(p, ",}");
			char *value = xcalloc(1, n + 1);
			memcpy(value, p, n);
			cJSON_AddItemToObject(obj, key, strcmp(value, "NULL") == 0
								? cJSON_CreateNull()
								: cJSON_CreateString(value));
			free(value);
			p += n;
		}
		free(key);
	}
	*pp = *p == '}' ? p + 1 : p;
	return obj;
}

static cJSON *parse_cell(const char *cell)
{
	if (strcmp(cell, "NULL") == 0)
		return cJSON_CreateNull();
	if (strcmp(cell, "\"\"") == 0)
		return cJSON_CreateString("");
	if (strncmp(cell, "{\"", 2) == 0 || cell[0] == '[')
		return parse_json(cell);
	if (cell[0] == '{')
		return parse_struct_text(&cell);
	return cJSON_CreateString(cell);
}

/* ---- value comparison ---------------------------------------------------------------- */

static const char *number_text(const cJSON *v)
{
	return cJSON_IsString(v) && v->valuestring[0] == NUMBER_MARK ? v->valuestring + 1 : NULL;
}

static bool parse_double(const char *text, double *out)
{
	char *end;
	*out = strtod(text, &end);
	return end != text && *end == '\0';
}

static bool is_integer_text(const char *t)
{
	if (*t == '-')
		t++;
	return *t && strspn(t, "0123456789") == strlen(t);
}

static bool is_float_value(double d)
{
	return (double)(float)d == d;
}

static bool numbers_equal(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return true;
	if (is_integer_text(a) && is_integer_text(b))
		return strtoll(a, NULL, 10) == strtoll(b, NULL, 10);
	double x, y;
	if (!parse_double(a, &x) || !parse_double(b, &y))
		return false;
	if (x == y)
		return true;
	/* A float printed in its shortest form equals the same float widened to double. */
	return (is_float_value(x) || is_float_value(y)) && (float)x == (float)y;
}

/* Drops a timestamp's trailing zero fraction digits ("...:40.000000Z" -> "...:40Z"). */
static void normalise_timestamp(const char *in, char *out, size_t size)
{
	snprintf(out, size, "%s", in);
	size_t n = strlen(out);
	bool looks = n >= 19 && out[4] == '-' && out[7] == '-' && (out[10] == 'T' || out[10] == ' ') &&
		     out[13] == ':' && out[16] == ':';
	if (!looks || out[19] != '.')
		return;
	size_t end = 20 + strspn(out + 20, "0123456789");
	size_t cut = end;
	while (cut > 20 && out[cut - 1] == '0')
		cut--;
	if (cut == 20)
		cut = 19;
	memmove(out + cut, out + end, n - end + 1);
}

static char *base64_of_hex(const char *hex)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(hex) / 2;
	uint8_t *bytes = xcalloc(n + 3, 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		bytes[i] = (uint8_t)v;
	}
	char *out = xcalloc(4 * (n / 3 + 1) + 1, 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)bytes[i] << 16 | (uint32_t)bytes[i + 1] << 8 | bytes[i + 2];
		out[k++] = alphabet[(w >> 18) & 63];
		out[k++] = alphabet[(w >> 12) & 63];
		out[k++] = i + 1 < n ? alphabet[(w >> 6) & 63] : '=';
		out[k++] = i + 2 < n ? alphabet[w & 63] : '=';
	}
	free(bytes);
	return out;
}

static bool text_matches(const char *expected, const cJSON *actual)
{
	if (strncmp(expected, "dec:", 4) == 0 || strncmp(expected, "ntz:", 4) == 0)
		expected += 4;
	if (cJSON_IsBool(actual))
		return strcmp(expected, cJSON_IsTrue(actual) ? "true" : "false") == 0;
	const char *num = number_text(actual);
	if (num)
		return numbers_equal(expected, num);
	if (!cJSON_IsString(actual))
		return false;
	const char *a = actual->valuestring;
	if (strncmp(expected, "b64:", 4) == 0 && strncmp(a, "\\x", 2) == 0) {
		char *b64 = base64_of_hex(a + 2);
		bool same = strcmp(b64, expected + 4) == 0;
		free(b64);
		return same;
	}
	char x[256], y[256];
	normalise_timestamp(expected, x, sizeof x);
	normalise_timestamp(a, y, sizeof y);
	return strcmp(x, y) == 0;
}

static bool value_matches(const cJSON *expected, const cJSON *actual)
{
	if (cJSON_IsNull(expected))
		return cJSON_IsNull(actual);
	if (actual == NULL || cJSON_IsNull(actual))
		return false;
	if (cJSON_IsString(expected)) {
		const char *num = number_text(expected);
		return text_matches(num ? num : expected->valuestring, actual);
	}
	if (cJSON_IsBool(expected))
		return cJSON_IsBool(actual) && cJSON_IsTrue(expected) == cJSON_IsTrue(actual);
	if (cJSON_IsArray(expected)) {
		if (!cJSON_IsArray(actual) || cJSON_GetArraySize(expected) != cJSON_GetArraySize(actual))
			return false;
		const cJSON *a = actual->child;
		for (const cJSON *e = expected->child; e; e = e->next, a = a->next)
			if (!value_matches(e, a))
				return false;
		return true;
	}
	if (!cJSON_IsObject(actual) || cJSON_GetArraySize(expected) != cJSON_GetArraySize(actual))
		return false;
	for (const cJSON *e = expected->child; e; e = e->next)
		if (!value_matches(e, cJSON_GetObjectItemCaseSensitive(actual, e->string)))
			return false;
	return true;
}

/* ---- rows ---------------------------------------------------------------------------- */

/* An expected row as an object keyed by column. */
static cJSON *expected_row(const struct section *s, const char *line)
{
	if (s->json_rows)
		return parse_json(line);
	char **cells;
	size_t n = split_fields(line, &cells);
	cJSON *row = cJSON_CreateObject();
	for (size_t i = 0; i < n; i++) {
		if (i < s->n_columns)
			cJSON_AddItemToObject(row, s->columns[i], parse_cell(cells[i]));
		free(cells[i]);
	}
	free(cells);
	return n == s->n_columns ? row : (cJSON_Delete(row), NULL);
}

static bool row_matches(const struct section *s, const cJSON *expected, const cJSON *actual)
{
	if (s->json_rows)
		return value_matches(expected, actual);
	for (const cJSON *e = expected->child; e; e = e->next)
		if (!value_matches(e, cJSON_GetObjectItemCaseSensitive(actual, e->string)))
			return false;
	return true;
}

static cJSON **read_actual(const char *path, size_t *n, char ***lines)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		perror(path);
		return NULL;
	}
	cJSON **rows = NULL;
	*n = 0;
	*lines = NULL;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, fp) > 0) {
		char *t = trim(line);
		if (*t == '\0')
			continue;
		rows = xreallocarray(rows, *n + 1, sizeof *rows);
		*lines = xreallocarray(*lines, *n + 1, sizeof **lines);
		(*lines)[*n] = xstrdup(t);
		rows[(*n)++] = parse_json(t);
	}
	free(line);
	fclose(fp);
	return rows ? rows : xcalloc(1, sizeof *rows);
}

static int compare_rows(const struct section *s, const char *actual_path)
{
	size_t n_actual;
	char **lines;
	cJSON **actual = read_actual(actual_path, &n_actual, &lines);
	if (actual == NULL)
		return 2;
	bool *used = xcalloc(n_actual + 1, sizeof *used);
	int failures = 0;
	if (n_actual != s->n_rows) {
		printf("expected %zu rows, got %zu\n", s->n_rows, n_actual);
		failures++;
	}
	for (size_t i = 0; i < s->n_rows; i++) {
		cJSON *e = expected_row(s, s->rows[i]);
		size_t k = 0;
		while (e && k < n_actual && (used[k] || !actual[k] || !row_matches(s, e, actual[k])))
			k++;
		if (e && k < n_actual)
			used[k] = true;
		else if (failures++ < 10)
			printf("expected row not found: %s\n", s->rows[i]);
		cJSON_Delete(e);
	}
	for (size_t k = 0; k < n_actual; k++) {
		if (!used[k] && failures++ < 20)
			printf("unexpected row: %s\n", lines[k]);
		cJSON_Delete(actual[k]);
		free(lines[k]);
	}
	free(lines);
	free(used);
	free(actual);
	return failures ? 1 : 0;
}

/* "name:type(nullable)" against the --info columns. */
static int compare_schema(const struct section *s, const char *info_path)
{
	FILE *fp = fopen(info_path, "r");
	char *text = NULL;
	size_t cap = 0;
	if (fp == NULL || getline(&text, &cap, fp) <= 0) {
		printf("no info output\n");
		if (fp)
			fclose(fp);
		free(text);
		return 1;
	}
	fclose(fp);
	cJSON *info = cJSON_Parse(text);
	free(text);
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(info, "columns");
	int failures = cJSON_GetArraySize(cols) == (int)s->n_columns ? 0 : 1;
	const cJSON *c = cols ? cols->child : NULL;
	for (size_t i = 0; c && i < s->n_columns; i++, c = c->next) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
		bool nullable = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "nullable"));
		char *got = xasprintf("%s:%s(%s)", cJSON_GetStringValue(name),
				      cJSON_GetStringValue(type), nullable ? "nullable" : "not null");
		if (strcmp(got, s->columns[i]) != 0) {
			printf("column %zu: expected %s, got %s\n", i, s->columns[i], got);
			failures++;
		}
		free(got);
	}
	if (failures && cJSON_GetArraySize(cols) != (int)s->n_columns)
		printf("expected %zu columns, got %d\n", s->n_columns, cJSON_GetArraySize(cols));
	cJSON_Delete(info);
	return failures ? 1 : 0;
}

static int error_code_of_changes(const char *root, long long start, long long end)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *table = delta_table_open(root, &err);
	struct delta_changes *ch = table ? delta_changes_open(table, start, end, NULL, 0, &err)
					 : NULL;
	printf("%s\n", ch ? "OK" : lk_errcode_name(err.code));
	delta_changes_close(ch);
	delta_table_free(table);
	return 0;
}

static void free_expected(struct expected_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct section *s = &f->sections[i];
		free(s->title);
		free(s->arg);
		for (size_t k = 0; k < s->n_columns; k++)
			free(s->columns[k]);
		free(s->columns);
		for (size_t k = 0; k < s->n_rows; k++)
			free(s->rows[k]);
		free(s->rows);
	}
	free(f->sections);
}

static int usage(void)
{
	fprintf(stderr, "usage: delta_expect sections FILE | compare FILE INDEX OUT | "
			"schema FILE INDEX INFO | errcode TABLE START END\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "errcode") == 0)
		return error_code_of_changes(argv[2], atoll(argv[3]), atoll(argv[4]));
	if (argc < 3)
		return usage();
	struct expected_file f;
	if (!read_expected(argv[2], &f))
		return 2;
	int status = 0;
	if (strcmp(argv[1], "sections") == 0 && argc == 3) {
		for (size_t i = 0; i < f.n; i++)
			printf("%zu\t%s\t%s\t%s\n", i, kind_names[f.sections[i].kind],
			       *f.sections[i].arg ? f.sections[i].arg : "-", f.sections[i].title);
	} else if (argc == 5 && (size_t)atol(argv[3]) < f.n) {
		const struct section *s = &f.sections[atol(argv[3])];
		if (strcmp(argv[1], "compare") == 0)
			status = compare_rows(s, argv[4]);
		else if (strcmp(argv[1], "schema") == 0)
			status = compare_schema(s, argv[4]);
		else
			status = usage();
	} else {
		status = usage();
	}
	free_expected(&f);
	return status;
}
