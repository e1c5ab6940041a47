/* delta/schema.c: a Delta schemaString as a type tree, the lakesync type each Delta type maps
 * onto, column mapping names and ids, and the schema comparisons the change feed needs
 * (identical / additive / widened / incompatible, and which type widenings are allowed). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

enum {
	SCHEMA_DEPTH_MAX = 64,  /* nesting deeper than any real table; bounds the recursion */
	DECIMAL_PRECISION_MAX = 38,
};

static const struct {
	const char *name;
	enum delta_type_kind kind;
	enum lk_type_id lk;
} primitives[] = {
	{ .name = "string", .kind = DELTA_TYPE_STRING, .lk = LK_TYPE_STRING },
	{ .name = "long", .kind = DELTA_TYPE_LONG, .lk = LK_TYPE_INT64 },
	{ .name = "integer", .kind = DELTA_TYPE_INTEGER, .lk = LK_TYPE_INT32 },
	{ .name = "short", .kind = DELTA_TYPE_SHORT, .lk = LK_TYPE_INT16 },
	{ .name = "byte", .kind = DELTA_TYPE_BYTE, .lk = LK_TYPE_INT8 },
	{ .name = "float", .kind = DELTA_TYPE_FLOAT, .lk = LK_TYPE_FLOAT },
	{ .name = "double", .kind = DELTA_TYPE_DOUBLE, .lk = LK_TYPE_DOUBLE },
	{ .name = "boolean", .kind = DELTA_TYPE_BOOLEAN, .lk = LK_TYPE_BOOLEAN },
	{ .name = "binary", .kind = DELTA_TYPE_BINARY, .lk = LK_TYPE_BINARY },
	{ .name = "date", .kind = DELTA_TYPE_DATE, .lk = LK_TYPE_DATE },
	{ .name = "timestamp", .kind = DELTA_TYPE_TIMESTAMP, .lk = LK_TYPE_TIMESTAMP },
	{ .name = "timestamp_ntz", .kind = DELTA_TYPE_TIMESTAMP_NTZ, .lk = LK_TYPE_TIMESTAMP_NTZ },
	{ .name = "decimal", .kind = DELTA_TYPE_DECIMAL, .lk = LK_TYPE_DECIMAL },
	{ .name = "void", .kind = DELTA_TYPE_VOID, .lk = LK_TYPE_NULL },
	{ .name = "variant", .kind = DELTA_TYPE_VARIANT, .lk = LK_TYPE_VARIANT },
	{ .name = "interval", .kind = DELTA_TYPE_INTERVAL, .lk = LK_TYPE_INTERVAL },
	{ .name = "struct", .kind = DELTA_TYPE_STRUCT, .lk = LK_TYPE_STRUCT },
	{ .name = "array", .kind = DELTA_TYPE_ARRAY, .lk = LK_TYPE_LIST },
	{ .name = "map", .kind = DELTA_TYPE_MAP, .lk = LK_TYPE_MAP },
};

enum { N_PRIMITIVES = sizeof primitives / sizeof primitives[0] };

enum lk_type_id delta_type_lk_id(const struct delta_type *type)
{
	for (size_t i = 0; i < N_PRIMITIVES; i++)
		if (primitives[i].kind == type->kind)
			return primitives[i].lk;
	return LK_TYPE_NULL;
}

/* ---- freeing and cloning ------------------------------------------------------------ */

static void field_clear(struct delta_field *f)
{
	free(f->name);
	delta_type_free(f->type);
	free(f->physical_name);
	free(f->nested_ids_json);
	for (size_t i = 0; i < f->n_type_changes; i++) {
		free(f->type_changes[i].from_type);
		free(f->type_changes[i].to_type);
		free(f->type_changes[i].field_path);
	}
	free(f->type_changes);
	free(f->metadata_json);
}

void delta_type_free(struct delta_type *type)
{
	if (type == NULL)
		return;
	for (size_t i = 0; i < type->n_fields; i++)
		field_clear(&type->fields[i]);
	free(type->fields);
	free(type->interval_name);
	delta_type_free(type->element);
	delta_type_free(type->key);
	delta_type_free(type->value);
	free(type);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct delta_type *delta_type_clone(const struct delta_type *t)
{
	if (t == NULL)
		return NULL;
	struct delta_type *c = xmalloc(sizeof *c);
	*c = *t;
	c->interval_name = dup_or_null(t->interval_name);
	c->element = delta_type_clone(t->element);
	c->key = delta_type_clone(t->key);
	c->value = delta_type_clone(t->value);
	c->fields = t->n_fields ? xcalloc(t->n_fields, sizeof *c->fields) : NULL;
	for (size_t i = 0; i < t->n_fields; i++) {
		const struct delta_field *f = &t->fields[i];
		struct delta_field *g = &c->fields[i];
		*g = *f;
		g->name = xstrdup(f->name);
		g->type = delta_type_clone(f->type);
		g->physical_name = dup_or_null(f->physical_name);
		g->nested_ids_json = dup_or_null(f->nested_ids_json);
		g->metadata_json = dup_or_null(f->metadata_json);
		g->type_changes = f->n_type_changes ? xcalloc(f->n_type_changes,
							      sizeof *g->type_changes)
						    : NULL;
		for (size_t k = 0; k < f->n_type_changes; k++) {
			g->type_changes[k].from_type = dup_or_null(f->type_changes[k].from_type);
			g->type_changes[k].to_type = dup_or_null(f->type_changes[k].to_type);
			g->type_changes[k].field_path = dup_or_null(f->type_changes[k].field_path);
		}
	}
	return c;
}

/* ---- parsing ------------------------------------------------------------------------ */

struct parse_ctx {
	struct lk_buf path; /* the field path being parsed, for messages */
	struct lk_error *err;
};

static bool schema_error(struct parse_ctx *pc, const char *what)
{
	return lk_error_set(pc->err, LK_ECORRUPT, "field '%s': %s",
			    pc->path.len ? lk_buf_cstr(&pc->path) : "(root)", what);
}

/* "decimal(p,s)" with optional spaces; p in 1..38, 0 <= s <= p. */
static bool parse_decimal(const char *s, struct delta_type *t)
{
	const char *p = s + strlen("decimal");
	while (*p == ' ')
		p++;
	if (*p == '\0') { /* bare "decimal" is Spark's decimal(10,0) */
		t->precision = 10;
		return true;
	}
	int prec, scale, used = 0;
	if (sscanf(p, "( %d , %d )%n", &prec, &scale, &used) != 2 || p[used] != '\0')
		return false;
	if (prec < 1 || prec > DECIMAL_PRECISION_MAX || scale < 0 || scale > prec)
		return false;
	t->precision = (uint8_t)prec;
	t->scale = (uint8_t)scale;
	return true;
}

static bool parse_primitive(struct parse_ctx *pc, const char *name, struct delta_type *t)
{
	if (strncmp(name, "decimal", 7) == 0 && (name[7] == '\0' || name[7] == '(' || name[7] == ' ')) {
		t->kind = DELTA_TYPE_DECIMAL;
		return parse_decimal(name, t) ||
		       schema_error(pc, "decimal type needs precision 1..38 and 0 <= scale <= precision");
	}
	if (strncmp(name, "interval", 8) == 0 && (name[8] == '\0' || name[8] == ' ')) {
		t->kind = DELTA_TYPE_INTERVAL;
		t->interval_name = xstrdup(name);
		return true;
	}
	for (size_t i = 0; i < N_PRIMITIVES; i++) {
		if (primitives[i].kind >= DELTA_TYPE_DECIMAL && primitives[i].kind != DELTA_TYPE_VOID &&
		    primitives[i].kind != DELTA_TYPE_VARIANT)
			continue;
		if (strcmp(name, primitives[i].name) == 0) {
			t->kind = primitives[i].kind;
			return true;
		}
	}
	lk_error_set(pc->err, LK_EUNSUPPORTED, "field '%s': unknown type '%s'",
		     pc->path.len ? lk_buf_cstr(&pc->path) : "(root)", name);
	return false;
}

static struct delta_type *parse_type(struct parse_ctx *pc, const cJSON *json, int depth);

static bool parse_nullable_flag(struct parse_ctx *pc, const cJSON *obj, const char *name,
				bool *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (item == NULL) {
		*out = true;
		return true;
	}
	if (!cJSON_IsBool(item))
		return schema_error(pc, "a nullability flag is not a boolean");
	*out = cJSON_IsTrue(item);
	return true;
}

/* Parses json[name] as the child type at path + suffix. */
static struct delta_type *parse_child(struct parse_ctx *pc, const cJSON *obj, const char *name,
				      const char *suffix, int depth)
{
	size_t mark = pc->path.len;
	lk_buf_append_str(&pc->path, suffix);
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
	struct delta_type *t = NULL;
	if (item == NULL)
		schema_error(pc, "a nested type has no type");
	else
		t = parse_type(pc, item, depth + 1);
	lk_buf_truncate(&pc->path, mark);
	return t;
}

static bool parse_type_changes(struct parse_ctx *pc, const cJSON *changes, struct delta_field *f)
{
	if (!cJSON_IsArray(changes))
		return schema_error(pc, "delta.typeChanges is not an array");
	size_t n = (size_t)cJSON_GetArraySize(changes);
	f->type_changes = xcalloc(n ? n : 1, sizeof *f->type_changes);
	const cJSON *c;
	cJSON_ArrayForEach(c, changes) {
		struct delta_type_change *tc = &f->type_changes[f->n_type_changes++];
		const cJSON *from = cJSON_GetObjectItemCaseSensitive(c, "fromType");
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(c, "toType");
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(c, "fieldPath");
		if (!cJSON_IsString(from) || !cJSON_IsString(to))
			return schema_error(pc, "a delta.typeChanges entry lacks fromType/toType");
		tc->from_type = xstrdup(from->valuestring);
		tc->to_type = xstrdup(to->valuestring);
		tc->field_path = cJSON_IsString(path) ? xstrdup(path->valuestring) : NULL;
	}
	return true;
}

static bool parse_field_metadata(struct parse_ctx *pc, const cJSON *meta, struct delta_field *f)
{
	if (meta == NULL || cJSON_IsNull(meta))
		return true;
	if (!cJSON_IsObject(meta))
		return schema_error(pc, "metadata is not an object");
	char *text = cJSON_PrintUnformatted(meta);
	f->metadata_json = xstrdup(text);
	cJSON_free(text);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(meta, "delta.columnMapping.id");
	if (id != NULL) {
		if (!cJSON_IsNumber(id) || id->valuedouble != (double)(int64_t)id->valuedouble)
			return schema_error(pc, "delta.columnMapping.id is not an integer");
		f->has_column_mapping_id = true;
		f->column_mapping_id = (int64_t)id->valuedouble;
	}
	const cJSON *phys = cJSON_GetObjectItemCaseSensitive(meta, "delta.columnMapping.physicalName");
	if (phys != NULL) {
		if (!cJSON_IsString(phys) || phys->valuestring[0] == '\0')
			return schema_error(pc, "delta.columnMapping.physicalName is not a name");
		f->physical_name = xstrdup(phys->valuestring);
	}
	const cJSON *nested = cJSON_GetObjectItemCaseSensitive(meta, "delta.columnMapping.nested.ids");
	if (nested != NULL) {
		char *nested_text = cJSON_PrintUnformatted(nested);
		f->nested_ids_json = xstrdup(nested_text);
		cJSON_free(nested_text);
	}
	const cJSON *changes = cJSON_GetObjectItemCaseSensitive(meta, "delta.typeChanges");
	return changes == NULL || parse_type_changes(pc, changes, f);
}

static bool parse_field(struct parse_ctx *pc, const cJSON *json, struct delta_field *f,
			int depth)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(json, "name");
	if (!cJSON_IsString(name))
		return schema_error(pc, "a struct field has no name");
	f->name = xstrdup(name->valuestring);
	size_t mark = pc->path.len;
	if (mark)
		lk_buf_append_byte(&pc->path, '.');
	lk_buf_append_str(&pc->path, f->name);
	bool ok = parse_nullable_flag(pc, json, "nullable", &f->nullable) &&
		  parse_field_metadata(pc, cJSON_GetObjectItemCaseSensitive(json, "metadata"), f);
	if (ok) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(json, "type");
		f->type = type ? parse_type(pc, type, depth + 1) : NULL;
		ok = f->type != NULL || (type == NULL && schema_error(pc, "the field has no type"));
	}
	lk_buf_truncate(&pc->path, mark);
	return ok;
}

static bool names_unique(const struct delta_type *t)
{
	for (size_t i = 0; i < t->n_fields; i++)
		for (size_t k = i + 1; k < t->n_fields; k++)
			if (strcasecmp(t->fields[i].name, t->fields[k].name) == 0)
				return false;
	return true;
}

static bool parse_struct(struct parse_ctx *pc, const cJSON *json, struct delta_type *t, int depth)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(json, "fields");
	if (!cJSON_IsArray(fields))
		return schema_error(pc, "a struct has no fields array");
	size_t n = (size_t)cJSON_GetArraySize(fields);
	t->fields = xcalloc(n ? n : 1, sizeof *t->fields);
	const cJSON *item;
	cJSON_ArrayForEach(item, fields) {
		if (!cJSON_IsObject(item))
			return schema_error(pc, "a struct field is not an object");
		if (!parse_field(pc, item, &t->fields[t->n_fields++], depth))
			return false;
	}
	if (!names_unique(t))
		return schema_error(pc, "two fields have the same name (case-insensitively)");
	return true;
}

static bool parse_complex(struct parse_ctx *pc, const cJSON *json, struct delta_type *t,
			  int depth)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(json, "type");
	if (!cJSON_IsString(type))
		return schema_error(pc, "a nested type has no \"type\" name");
	const char *name = type->valuestring;
	if (strcmp(name, "struct") == 0) {
		t->kind = DELTA_TYPE_STRUCT;
		return parse_struct(pc, json, t, depth);
	}
	if (strcmp(name, "array") == 0) {
		t->kind = DELTA_TYPE_ARRAY;
		t->element = parse_child(pc, json, "elementType", ".element", depth);
		return t->element != NULL &&
		       parse_nullable_flag(pc, json, "containsNull", &t->contains_null);
	}
	if (strcmp(name, "map") == 0) {
		t->kind = DELTA_TYPE_MAP;
		t->key = parse_child(pc, json, "keyType", ".key", depth);
		if (t->key == NULL)
			return false;
		t->value = parse_child(pc, json, "valueType", ".value", depth);
		return t->value != NULL &&
		       parse_nullable_flag(pc, json, "valueContainsNull", &t->value_contains_null);
	}
	return parse_primitive(pc, name, t); /* {"type":"long"} is tolerated */
}

static struct delta_type *parse_type(struct parse_ctx *pc, const cJSON *json, int depth)
{
	if (depth > SCHEMA_DEPTH_MAX) {
		schema_error(pc, "types nested too deeply");
		return NULL;
	}
	struct delta_type *t = xcalloc(1, sizeof *t);
	bool ok;
	if (cJSON_IsString(json))
		ok = parse_primitive(pc, json->valuestring, t);
	else if (cJSON_IsObject(json))
		ok = parse_complex(pc, json, t, depth);
	else
		ok = schema_error(pc, "a type is neither a name nor an object");
	if (!ok) {
		delta_type_free(t);
		return NULL;
	}
	return t;
}

struct delta_type *delta_schema_parse(const char *json_text, struct lk_error *err)
{
	if (json_text == NULL) {
		lk_error_set(err, LK_ECORRUPT, "no schema");
		return NULL;
	}
	cJSON *json = cJSON_Parse(json_text);
	if (json == NULL) {
		lk_error_set(err, LK_ECORRUPT, "the schema is not valid JSON");
		return NULL;
	}
	struct parse_ctx pc = { .path = LK_BUF_INIT, .err = err };
	struct delta_type *t = parse_type(&pc, json, 0);
	if (t != NULL && t->kind != DELTA_TYPE_STRUCT) {
		schema_error(&pc, "the schema is not a struct");
		delta_type_free(t);
		t = NULL;
	}
	lk_buf_free(&pc.path);
	cJSON_Delete(json);
	return t;
}

/* ---- names and formatting ----------------------------------------------------------- */

void delta_type_format(const struct delta_type *t, struct lk_buf *out)
{
	switch (t->kind) {
	case DELTA_TYPE_DECIMAL:
		lk_buf_printf(out, "decimal(%u,%u)", t->precision, t->scale);
		return;
	case DELTA_TYPE_INTERVAL:
		lk_buf_append_str(out, t->interval_name ? t->interval_name : "interval");
		return;
	case DELTA_TYPE_ARRAY:
		lk_buf_append_str(out, "array<");
		delta_type_format(t->element, out);
		lk_buf_append_str(out, ">");
		return;
	case DELTA_TYPE_MAP:
		lk_buf_append_str(out, "map<");
		delta_type_format(t->key, out);
		lk_buf_append_str(out, ",");
		delta_type_format(t->value, out);
		lk_buf_append_str(out, ">");
		return;
	case DELTA_TYPE_STRUCT:
		lk_buf_append_str(out, "struct<");
		for (size_t i = 0; i < t->n_fields; i++) {
			if (i)
				lk_buf_append_str(out, ",");
			lk_buf_printf(out, "%s:", t->fields[i].name);
			delta_type_format(t->fields[i].type, out);
		}
		lk_buf_append_str(out, ">");
		return;
	default:
		break;
	}
	for (size_t i = 0; i < N_PRIMITIVES; i++)
		if (primitives[i].kind == t->kind)
			lk_buf_append_str(out, primitives[i].name);
}

const struct delta_field *delta_schema_find(const struct delta_type *schema, const char *name)
{
	for (size_t i = 0; i < schema->n_fields; i++)
		if (strcmp(schema->fields[i].name, name) == 0)
			return &schema->fields[i];
	for (size_t i = 0; i < schema->n_fields; i++)
		if (strcasecmp(schema->fields[i].name, name) == 0)
			return &schema->fields[i];
	return NULL;
}

const char *delta_field_physical_name(const struct delta_field *field,
				      enum delta_column_mapping_mode mode)
{
	if (mode != DELTA_COLUMN_MAPPING_NONE && field->physical_name != NULL)
		return field->physical_name;
	return field->name;
}

bool delta_field_id(const struct delta_field *field, int32_t *id)
{
	if (!field->has_column_mapping_id || field->column_mapping_id < INT32_MIN ||
	    field->column_mapping_id > INT32_MAX)
		return false;
	*id = (int32_t)field->column_mapping_id;
	return true;
}

static bool check_mapping_type(const struct delta_type *t, enum delta_column_mapping_mode mode,
			       struct lk_buf *path, struct lk_error *err);

static bool check_mapping_field(const struct delta_field *f, enum delta_column_mapping_mode mode,
				struct lk_buf *path, struct lk_error *err)
{
	size_t mark = path->len;
	if (mark)
		lk_buf_append_byte(path, '.');
	lk_buf_append_str(path, f->name);
	bool ok = true;
	if (f->physical_name == NULL)
		ok = lk_error_set(err, LK_ECORRUPT,
				  "column mapping mode %s: field '%s' has no physical name",
				  delta_column_mapping_mode_name(mode), lk_buf_cstr(path));
	else if (mode == DELTA_COLUMN_MAPPING_ID && !f->has_column_mapping_id)
		ok = lk_error_set(err, LK_ECORRUPT,
				  "column mapping mode id: field '%s' has no delta.columnMapping.id",
				  lk_buf_cstr(path));
	ok = ok && check_mapping_type(f->type, mode, path, err);
	lk_buf_truncate(path, mark);
	return ok;
}

static bool check_mapping_type(const struct delta_type *t, enum delta_column_mapping_mode mode,
			       struct lk_buf *path, struct lk_error *err)
{
	for (size_t i = 0; i < t->n_fields; i++)
		if (!check_mapping_field(&t->fields[i], mode, path, err))
			return false;
	if (t->element && !check_mapping_type(t->element, mode, path, err))
		return false;
	if (t->key && !check_mapping_type(t->key, mode, path, err))
		return false;
	return t->value == NULL || check_mapping_type(t->value, mode, path, err);
}

bool delta_schema_check_column_mapping(const struct delta_type *schema,
				       enum delta_column_mapping_mode mode, struct lk_error *err)
{
	if (mode == DELTA_COLUMN_MAPPING_NONE)
		return true;
	struct lk_buf path = LK_BUF_INIT;
	bool ok = check_mapping_type(schema, mode, &path, err);
	lk_buf_free(&path);
	return ok;
}

/* ---- comparison and widening -------------------------------------------------------- */

static bool is_small_int(enum delta_type_kind k)
{
	return k == DELTA_TYPE_BYTE || k == DELTA_TYPE_SHORT || k == DELTA_TYPE_INTEGER;
}

static int int_rank(enum delta_type_kind k)
{
	switch (k) {
	case DELTA_TYPE_BYTE: return 1;
	case DELTA_TYPE_SHORT: return 2;
	case DELTA_TYPE_INTEGER: return 3;
	case DELTA_TYPE_LONG: return 4;
	default: return 0;
	}
}

bool delta_type_widening_allowed(const struct delta_type *from, const struct delta_type *to)
{
	enum delta_type_kind f = from->kind, t = to->kind;
	if (int_rank(f) && int_rank(t))
		return int_rank(f) < int_rank(t);
	if (f == DELTA_TYPE_FLOAT && t == DELTA_TYPE_DOUBLE)
		return true;
	if (is_small_int(f) && t == DELTA_TYPE_DOUBLE)
		return true;
	if (f == DELTA_TYPE_DATE && t == DELTA_TYPE_TIMESTAMP_NTZ)
		return true;
	if (t != DELTA_TYPE_DECIMAL)
		return false;
	int int_digits = to->precision - to->scale;
	if (f == DELTA_TYPE_DECIMAL)
		return (to->precision > from->precision || to->scale > from->scale) &&
		       to->scale >= from->scale &&
		       to->precision - from->precision >= to->scale - from->scale;
	if (is_small_int(f))
		return int_digits >= 10;
	return f == DELTA_TYPE_LONG && int_digits >= 20;
}

static enum delta_schema_change worse(enum delta_schema_change a, enum delta_schema_change b)
{
	return a > b ? a : b;
}

static enum delta_schema_change compare_type(const struct delta_type *a,
					     const struct delta_type *b, struct lk_buf *path,
					     struct lk_buf *what);

static enum delta_schema_change differ(struct lk_buf *what, struct lk_buf *path,
				       enum delta_schema_change change, const char *message,
				       const char *detail)
{
	if (what != NULL && what->len == 0)
		lk_buf_printf(what, "column %s: %s%s", path->len ? lk_buf_cstr(path) : "(root)",
			      message, detail);
	return change;
}

static enum delta_schema_change compare_field(const struct delta_field *a,
					      const struct delta_field *b, struct lk_buf *path,
					      struct lk_buf *what)
{
	size_t mark = path->len;
	if (mark)
		lk_buf_append_byte(path, '.');
	lk_buf_append_str(path, a->name);
	enum delta_schema_change c = DELTA_SCHEMA_IDENTICAL;
	if (strcmp(a->name, b->name) != 0)
		c = differ(what, path, DELTA_SCHEMA_INCOMPATIBLE, "renamed or reordered, now ",
			   b->name);
	else if (a->nullable != b->nullable)
		c = differ(what, path, DELTA_SCHEMA_INCOMPATIBLE, "nullability changed to ",
			   b->nullable ? "nullable" : "not null");
	else if ((a->physical_name == NULL) != (b->physical_name == NULL) ||
		 (a->physical_name && strcmp(a->physical_name, b->physical_name) != 0))
		c = differ(what, path, DELTA_SCHEMA_INCOMPATIBLE, "physical name changed", "");
	else
		c = compare_type(a->type, b->type, path, what);
	lk_buf_truncate(path, mark);
	return c;
}

static enum delta_schema_change compare_struct(const struct delta_type *a,
					       const struct delta_type *b, struct lk_buf *path,
					       struct lk_buf *what)
{
	if (b->n_fields < a->n_fields)
		return differ(what, path, DELTA_SCHEMA_INCOMPATIBLE, "a column was dropped", "");
	enum delta_schema_change c = DELTA_SCHEMA_IDENTICAL;
	for (size_t i = 0; i < a->n_fields && c != DELTA_SCHEMA_INCOMPATIBLE; i++)
		c = worse(c, compare_field(&a->fields[i], &b->fields[i], path, what));
	for (size_t i = a->n_fields; i < b->n_fields && c != DELTA_SCHEMA_INCOMPATIBLE; i++) {
		if (!b->fields[i].nullable)
			return differ(what, path, DELTA_SCHEMA_INCOMPATIBLE,
				      "new column is not nullable: ", b->fields[i].name);
		c = worse(c, differ(what, path, DELTA_SCHEMA_ADDITIVE, "new nullable column ",
				    b->fields[i].name));
	}
	return c;
}

static enum delta_schema_change compare_type(const struct delta_type *a,
					     const struct delta_type *b, struct lk_buf *path,
					     struct lk_buf *what)
{
	if (a->kind != b->kind || a->precision != b->precision || a->scale != b->scale) {
		struct lk_buf name = LK_BUF_INIT;
		delta_type_format(b, &name);
		enum delta_schema_change c = delta_type_widening_allowed(a, b)
						     ? DELTA_SCHEMA_WIDENED
						     : DELTA_SCHEMA_INCOMPATIBLE;
		differ(what, path, c, "type changed to ", lk_buf_cstr(&name));
		lk_buf_free(&name);
		return c;
	}
	switch (a->kind) {
	case DELTA_TYPE_STRUCT:
		return compare_struct(a, b, path, what);
	case DELTA_TYPE_ARRAY:
		if (a->contains_null != b->contains_null)
			return differ(what, path, DELTA_SCHEMA_INCOMPATIBLE,
				      "array element nullability changed", "");
		return compare_type(a->element, b->element, path, what);
	case DELTA_TYPE_MAP:
		if (a->value_contains_null != b->value_contains_null)
			return differ(what, path, DELTA_SCHEMA_INCOMPATIBLE,
				      "map value nullability changed", "");
		return worse(compare_type(a->key, b->key, path, what),
			     compare_type(a->value, b->value, path, what));
	default:
		return DELTA_SCHEMA_IDENTICAL;
	}
}

enum delta_schema_change delta_schema_compare(const struct delta_type *old_schema,
					      const struct delta_type *new_schema,
					      struct lk_buf *what)
{
	struct lk_buf path = LK_BUF_INIT;
	enum delta_schema_change c = compare_type(old_schema, new_schema, &path, what);
	lk_buf_free(&path);
	return c;
}

static const char *const change_names[] = {
	[DELTA_SCHEMA_IDENTICAL] = "identical",
	[DELTA_SCHEMA_ADDITIVE] = "additive",
	[DELTA_SCHEMA_WIDENED] = "widened",
	[DELTA_SCHEMA_INCOMPATIBLE] = "incompatible",
};

const char *delta_schema_change_name(enum delta_schema_change change)
{
	return change_names[change];
}
