/* demo/tables.c: the five tables of the sample lakehouse: their schemas, how they are
 * loaded and changed, and the generators of their rows. A row's values are drawn from a
 * random state seeded by the table and the key, so a key always gives the same row for the
 * same clock, whatever batch it is written in. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "demo/tables.h"
#include "util/xmalloc.h"

/* ---- word lists --------------------------------------------------------------------------- */

static const char *const first_names[] = {
	"Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Ava", "Elijah", "Sophia", "Lucas",
	"Mia", "Mateo", "Isabella", "Leo", "Charlotte", "Hugo", "Aisha", "Arjun", "Yuki", "Chen",
	"Fatima", "Omar", "Ingrid", "Lars", "Camille", "Jules", "Lucia", "Diego", "Priya", "Ravi",
	"Hannah", "Felix", "Zoe", "Mohammed", "Sofia", "Kenji", "Ana", "Pedro", "Freya", "Nina",
};
static const char *const last_names[] = {
	"Smith", "Johnson", "Garcia", "Martinez", "Brown", "Müller", "Schmidt", "Dubois", "Martin",
	"Rossi", "Bianchi", "Tanaka", "Suzuki", "Wang", "Li", "Kumar", "Patel", "Singh", "Silva",
	"Santos", "Kowalski", "Nowak", "Johansson", "Andersson", "Jensen", "O'Brien", "Murphy",
	"Okafor", "Mensah", "Haddad", "Cohen", "Novak", "Horvat", "Costa", "Ferreira", "Kim",
	"Park", "Nguyen", "Tran", "Dupont",
};
static const char *const domains[] = {
	"gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com", "example.org",
	"fastmail.com", "gmx.de",
};

struct country {
	const char *code;
	const char *cities[3];
	int zip_digits;
	int weight;
};
static const struct country countries[] = {
	{ .code = "US", .cities = { "Seattle", "Austin", "New York" },
	  .zip_digits = 5, .weight = 30 },
	{ .code = "GB", .cities = { "London", "Manchester", "Leeds" },
	  .zip_digits = 0, .weight = 10 },
	{ .code = "DE", .cities = { "Berlin", "München", "Köln" },
	  .zip_digits = 5, .weight = 10 },
	{ .code = "FR", .cities = { "Paris", "Lyon", "Nantes" },
	  .zip_digits = 5, .weight = 8 },
	{ .code = "IN", .cities = { "Bengaluru", "Mumbai", "Pune" },
	  .zip_digits = 6, .weight = 9 },
	{ .code = "BR", .cities = { "São Paulo", "Recife", "Curitiba" },
	  .zip_digits = 8, .weight = 7 },
	{ .code = "JP", .cities = { "Tokyo", "Osaka", "Sapporo" },
	  .zip_digits = 7, .weight = 6 },
	{ .code = "CA", .cities = { "Toronto", "Montréal", "Vancouver" },
	  .zip_digits = 0, .weight = 6 },
	{ .code = "NL", .cities = { "Amsterdam", "Utrecht", "Delft" },
	  .zip_digits = 4, .weight = 5 },
	{ .code = "ES", .cities = { "Madrid", "Sevilla", "Valencia" },
	  .zip_digits = 5, .weight = 5 },
	{ .code = "SE", .cities = { "Stockholm", "Göteborg", "Malmö" },
	  .zip_digits = 5, .weight = 4 },
};
static const char *const street_names[] = {
	"Main", "Oak", "Maple", "Station", "Church", "Park", "Mill", "Harbour", "King", "Queen",
	"Lake", "Cedar", "High", "River", "Elm",
};
static const char *const street_kinds[] = { "Street", "Avenue", "Road", "Lane", "Way" };
static const char *const user_tags[] = {
	"vip", "beta", "newsletter", "mobile", "enterprise", "trial", "churn-risk", "referral",
};
static const char *const languages[] = { "en", "de", "fr", "es", "pt", "ja", "sv", "nl" };
static const char *const themes[] = { "light", "dark", "system" };
static const char *const currencies[] = { "USD", "EUR", "GBP", "JPY", "BRL", "INR" };
static const char *const churn_factors[] = {
	"days_since_last_order", "support_tickets_90d", "return_rate", "orders_90d",
	"page_views_30d", "avg_basket_value",
};
static const char *const regions[DEMO_REGIONS] = { "NA", "LATAM", "EMEA", "APAC", "ANZ" };
static const int region_orders[DEMO_REGIONS] = { 1800, 450, 1400, 1100, 260 };
static const char *const event_types[] = {
	"page_view", "page_view", "page_view", "search", "add_to_cart", "checkout", "login",
	"purchase",
};
static const char *const site_pages[] = {
	"/", "/products", "/products/espresso-grinder", "/products/pour-over-kettle", "/cart",
	"/checkout", "/account", "/search", "/blog/cold-brew-guide", "/help/returns",
};
static const char *const referrers[] = {
	"https://www.google.com/", "https://duckduckgo.com/", "https://news.ycombinator.com/",
	"https://www.reddit.com/r/coffee/", "https://t.co/", "android-app://com.google.android.gm/",
};

#define PICK(rng, list) ((list)[demo_rand(rng) % (sizeof(list) / sizeof((list)[0]))])

/* true with probability percent / 100 */
static bool chance(uint64_t *rng, int percent)
{
	return (int)(demo_rand(rng) % 100) < percent;
}

static double rand_unit(uint64_t *rng)
{
	return (double)(demo_rand(rng) >> 11) / 9007199254740992.0;
}

/* Rounded to `digits` decimals, so that values print short. */
static double round_to(double value, int digits)
{
	double scale = 1;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	double scaled = value * scale;
	return (double)(int64_t)(scaled + (scaled >= 0 ? 0.5 : -0.5)) / scale;
}

/* ---- building columns ------------------------------------------------------------------------ */

static bool is_bytes_type(enum lk_type_id type)
{
	return type == LK_TYPE_STRING || type == LK_TYPE_BINARY;
}

/* Initializes v for n entries of type (scalar values get 8 bytes each, enough for all). */
static void vec_init(struct lk_batch *b, struct lk_vector *v, const char *name,
		     enum lk_type_id type, size_t n)
{
	size_t slots = n ? n : 1;
	v->name = xstrdup(name);
	v->type = type;
	v->length = n;
	v->nulls = lk_batch_alloc(b, slots);
	if (is_bytes_type(type))
		v->v.bytes = lk_batch_alloc(b, slots * sizeof *v->v.bytes);
	else if (type == LK_TYPE_LIST || type == LK_TYPE_MAP)
		v->offsets = lk_batch_alloc(b, (slots + 1) * sizeof *v->offsets);
	else if (type != LK_TYPE_STRUCT)
		v->v.u8 = lk_batch_alloc(b, slots * 8);
}

static struct lk_vector *next_column(struct lk_batch *b, size_t *col, const char *name,
				     enum lk_type_id type)
{
	struct lk_vector *v = &b->columns[(*col)++];
	vec_init(b, v, name, type, b->n_rows);
	return v;
}

static struct lk_vector *decimal_column(struct lk_batch *b, size_t *col, const char *name,
					uint8_t precision)
{
	struct lk_vector *v = next_column(b, col, name, LK_TYPE_DECIMAL);
	v->precision = precision;
	v->scale = 2;
	return v;
}

static void put_str(struct lk_batch *b, struct lk_vector *v, size_t i, const char *s)
{
	size_t len = strlen(s);
	v->nulls[i] = 0;
	v->v.bytes[i] = (struct lk_bytes){ .ptr = lk_batch_copy_bytes(b, s, len),
					   .len = (uint32_t)len };
}

__attribute__((format(printf, 4, 5)))
static void put_fmt(struct lk_batch *b, struct lk_vector *v, size_t i, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	put_str(b, v, i, text);
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* An ASCII rendering of a name for an e-mail address ("Müller" -> "mller", "O'Brien" ->
 * "obrien"). */
static void email_part(const char *name, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = name; *p && n + 1 < size; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			out[n++] = *p;
	out[n] = '\0';
	lower_ascii(out);
}

static const struct country *pick_country(uint64_t *rng)
{
	int total = 0;
	for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
		total += countries[i].weight;
	int r = (int)(demo_rand(rng) % (uint64_t)total);
	for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++) {
		if (r < countries[i].weight)
			return &countries[i];
		r -= countries[i].weight;
	}
	return &countries[0];
}

/* ---- analytics.gold.user_profiles ------------------------------------------------------------ */

#define USER_PROFILES_FIELDS \
	"{\"name\":\"user_id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}}," \
	"{\"name\":\"email\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"full_name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"country\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"signup_date\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"last_login\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"lifetime_value\",\"type\":\"decimal(12,2)\",\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"preferences\",\"type\":{\"type\":\"map\",\"keyType\":\"string\"," \
	"\"valueType\":\"string\",\"valueContainsNull\":true},\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"elementType\":\"string\"," \
	"\"containsNull\":true},\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"address\",\"type\":{\"type\":\"struct\",\"fields\":[" \
	"{\"name\":\"street\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"city\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}," \
	"{\"name\":\"zip\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}," \
	"\"nullable\":true,\"metadata\":{}}"

static const char user_profiles_schema[] =
	"{\"type\":\"struct\",\"fields\":[" USER_PROFILES_FIELDS "]}";
const char demo_added_column[] = "loyalty_tier";
const char demo_user_profiles_schema_added[] =
	"{\"type\":\"struct\",\"fields\":[" USER_PROFILES_FIELDS ","
	"{\"name\":\"loyalty_tier\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}";

static const char *loyalty_tier(int64_t cents)
{
	return cents < 10000 ? "bronze" : cents < 100000 ? "silver" : cents < 300000 ? "gold"
										   : "platinum";
}

static void user_address(struct lk_batch *b, struct lk_vector *address, size_t i,
			 const struct country *country, uint64_t *rng)
{
	struct lk_vector *street = &address->children[0], *city = &address->children[1],
			 *zip = &address->children[2];
	bool null = chance(rng, 6);
	address->nulls[i] = street->nulls[i] = city->nulls[i] = zip->nulls[i] = null;
	if (null)
		return;
	int number = (int)demo_rand_range(rng, 1, 480);
	const char *name = PICK(rng, street_names);
	put_fmt(b, street, i, "%d %s %s", number, name, PICK(rng, street_kinds));
	put_str(b, city, i, country->cities[demo_rand(rng) % 3]);
	if (country->zip_digits == 0 || chance(rng, 10)) {
		zip->nulls[i] = 1;
		return;
	}
	char digits[16];
	for (int d = 0; d < country->zip_digits; d++)
		digits[d] = (char)('0' + demo_rand(rng) % 10);
	digits[country->zip_digits] = '\0';
	put_str(b, zip, i, digits);
}

static void user_preferences(struct lk_batch *b, struct lk_vector *prefs, size_t i, uint32_t *entries,
			     uint64_t *rng)
{
	prefs->offsets[i] = *entries;
	prefs->nulls[i] = chance(rng, 8);
	if (prefs->nulls[i])
		return;
	struct lk_vector *keys = &prefs->children[0], *values = &prefs->children[1];
	const char *language = PICK(rng, languages);
	const char *theme = PICK(rng, themes);
	const char *newsletter = chance(rng, 40) ? "true" : "false";
	const char *currency = PICK(rng, currencies);
	const char *const pairs[][2] = {
		{ "language", language }, { "theme", theme },
		{ "newsletter", newsletter }, { "currency", currency },
	};
	for (size_t p = 0; p < 4; p++) {
		if (!chance(rng, 65))
			continue;
		put_str(b, keys, *entries, pairs[p][0]);
		if (p == 3 && chance(rng, 10))
			values->nulls[*entries] = 1; /* a key set to null */
		else
			put_str(b, values, *entries, pairs[p][1]);
		(*entries)++;
	}
}

static void user_tags_list(struct lk_batch *b, struct lk_vector *tags, size_t i, uint32_t *elements,
			   uint64_t *rng)
{
	tags->offsets[i] = *elements;
	tags->nulls[i] = chance(rng, 5);
	if (tags->nulls[i])
		return;
	size_t n_tags = (size_t)demo_rand_range(rng, 0, 3);
	size_t first = demo_rand(rng) % (sizeof user_tags / sizeof user_tags[0]);
	for (size_t t = 0; t < n_tags; t++)
		put_str(b, &tags->children[0], (*elements)++,
			user_tags[(first + t * 3) % (sizeof user_tags / sizeof user_tags[0])]);
}

static void build_user_profiles(struct lk_batch *b, const struct delta_type *schema,
				const int64_t *keys, size_t n, int64_t now_us)
{
	size_t col = 0;
	struct lk_vector *id = next_column(b, &col, "user_id", LK_TYPE_INT64);
	struct lk_vector *email = next_column(b, &col, "email", LK_TYPE_STRING);
	struct lk_vector *full_name = next_column(b, &col, "full_name", LK_TYPE_STRING);
	struct lk_vector *country = next_column(b, &col, "country", LK_TYPE_STRING);
	struct lk_vector *signup = next_column(b, &col, "signup_date", LK_TYPE_DATE);
	struct lk_vector *last_login = next_column(b, &col, "last_login", LK_TYPE_TIMESTAMP);
	struct lk_vector *ltv = decimal_column(b, &col, "lifetime_value", 12);
	struct lk_vector *prefs = next_column(b, &col, "preferences", LK_TYPE_MAP);
	struct lk_vector *tags = next_column(b, &col, "tags", LK_TYPE_LIST);
	struct lk_vector *address = next_column(b, &col, "address", LK_TYPE_STRUCT);
	struct lk_vector *tier = delta_schema_find(schema, demo_added_column)
					? next_column(b, &col, demo_added_column, LK_TYPE_STRING)
					: NULL;
	lk_vector_init_children(prefs, 2);
	vec_init(b, &prefs->children[0], "key", LK_TYPE_STRING, 4 * n);
	vec_init(b, &prefs->children[1], "value", LK_TYPE_STRING, 4 * n);
	lk_vector_init_children(tags, 1);
	vec_init(b, &tags->children[0], "element", LK_TYPE_STRING, 3 * n);
	lk_vector_init_children(address, 3);
	vec_init(b, &address->children[0], "street", LK_TYPE_STRING, n);
	vec_init(b, &address->children[1], "city", LK_TYPE_STRING, n);
	vec_init(b, &address->children[2], "zip", LK_TYPE_STRING, n);
	uint32_t entries = 0, elements = 0;
	int64_t today = now_us / DEMO_DAY_US;
	for (size_t i = 0; i < n; i++) {
		uint64_t rng = demo_row_seed("user_profiles", keys[i]);
		id->v.i64[i] = keys[i];
		const char *first = PICK(&rng, first_names), *last = PICK(&rng, last_names);
		char a[32], c[32];
		email_part(first, a, sizeof a);
		email_part(last, c, sizeof c);
		put_fmt(b, email, i, "%s.%s%d@%s", a, c, (int)(keys[i] % 97), PICK(&rng, domains));
		full_name->nulls[i] = chance(&rng, 1);
		if (!full_name->nulls[i])
			put_fmt(b, full_name, i, "%s %s", first, last);
		const struct country *where = pick_country(&rng);
		country->nulls[i] = chance(&rng, 2);
		if (!country->nulls[i])
			put_str(b, country, i, where->code);
		/* the initial users signed up over the years before; later ones on the day */
		int64_t days_ago = now_us <= DEMO_REFERENCE_US ? demo_rand_range(&rng, 30, 2400) : 0;
		signup->v.i32[i] = (int32_t)(today - days_ago);
		last_login->nulls[i] = chance(&rng, 4);
		int64_t window = (days_ago < 90 ? days_ago : 90) * DEMO_DAY_US + DEMO_HOUR_US;
		last_login->v.i64[i] = now_us - demo_rand_range(&rng, 0, window);
		ltv->nulls[i] = chance(&rng, 3);
		int64_t cents = demo_rand_range(&rng, 0, 500000);
		cents = cents * demo_rand_range(&rng, 0, 100) / 100;
		if (days_ago == 0) /* a first order at most */
			cents /= 50;
		ltv->v.i64[i] = cents;
		user_preferences(b, prefs, i, &entries, &rng);
		user_tags_list(b, tags, i, &elements, &rng);
		user_address(b, address, i, where, &rng);
		if (tier) {
			tier->nulls[i] = ltv->nulls[i];
			if (!ltv->nulls[i])
				put_str(b, tier, i, loyalty_tier(cents));
		}
	}
	prefs->offsets[n] = entries;
	prefs->children[0].length = prefs->children[1].length = entries;
	tags->offsets[n] = elements;
	tags->children[0].length = elements;
}

static void mutate_user_profiles(struct lk_batch *b, size_t row, uint64_t *rng, int64_t now_us)
{
	struct lk_vector *last_login = lk_batch_column(b, "last_login");
	last_login->nulls[row] = 0;
	last_login->v.i64[row] = now_us - demo_rand_range(rng, 0, DEMO_HOUR_US);
	struct lk_vector *ltv = lk_batch_column(b, "lifetime_value");
	if (ltv->nulls[row])
		ltv->v.i64[row] = 0;
	ltv->nulls[row] = 0;
	ltv->v.i64[row] += demo_rand_range(rng, 499, 24999);
	if (chance(rng, 10)) {
		struct lk_vector *email = lk_batch_column(b, "email");
		char local[64];
		email_part(PICK(rng, last_names), local, sizeof local);
		put_fmt(b, email, row, "%s.%lld@%s", local,
			(long long)lk_batch_column(b, "user_id")->v.i64[row], PICK(rng, domains));
	}
	struct lk_vector *tier = lk_batch_column(b, demo_added_column);
	if (tier)
		put_str(b, tier, row, loyalty_tier(ltv->v.i64[row]));
}

/* ---- ml.features.customer_features ----------------------------------------------------------- */

#define EMBEDDING_DIMS 8

static const char customer_features_schema[] =
	"{\"type\":\"struct\",\"fields\":["
	"{\"name\":\"customer_id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},"
	"{\"name\":\"days_since_last_order\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"orders_90d\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"total_spend_90d\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"avg_basket_value\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"return_rate\",\"type\":\"float\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"page_views_30d\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"embedding\",\"type\":{\"type\":\"array\",\"elementType\":\"double\","
	"\"containsNull\":false},\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"updated_at\",\"type\":\"timestamp_ntz\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"feature_version\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}";

static void build_customer_features(struct lk_batch *b, const struct delta_type *schema,
				    const int64_t *keys, size_t n, int64_t now_us)
{
	(void)schema;
	size_t col = 0;
	struct lk_vector *id = next_column(b, &col, "customer_id", LK_TYPE_INT64);
	struct lk_vector *recency = next_column(b, &col, "days_since_last_order", LK_TYPE_INT32);
	struct lk_vector *orders = next_column(b, &col, "orders_90d", LK_TYPE_INT32);
	struct lk_vector *spend = next_column(b, &col, "total_spend_90d", LK_TYPE_DOUBLE);
	struct lk_vector *basket = next_column(b, &col, "avg_basket_value", LK_TYPE_DOUBLE);
	struct lk_vector *returns = next_column(b, &col, "return_rate", LK_TYPE_FLOAT);
	struct lk_vector *views = next_column(b, &col, "page_views_30d", LK_TYPE_INT64);
	struct lk_vector *embedding = next_column(b, &col, "embedding", LK_TYPE_LIST);
	struct lk_vector *updated = next_column(b, &col, "updated_at", LK_TYPE_TIMESTAMP_NTZ);
	struct lk_vector *version = next_column(b, &col, "feature_version", LK_TYPE_INT32);
	lk_vector_init_children(embedding, 1);
	vec_init(b, &embedding->children[0], "element", LK_TYPE_DOUBLE, EMBEDDING_DIMS * n);
	uint32_t elements = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t rng = demo_row_seed("customer_features", keys[i]);
		id->v.i64[i] = keys[i];
		int64_t weeks_active = demo_rand_range(&rng, 0, 6);
		int32_t n_orders = (int32_t)(weeks_active * demo_rand_range(&rng, 0, 6));
		recency->v.i32[i] = n_orders ? (int32_t)demo_rand_range(&rng, 0, 89)
					     : (int32_t)demo_rand_range(&rng, 90, 400);
		recency->nulls[i] = chance(&rng, 2);
		orders->v.i32[i] = n_orders;
		double mean_basket = round_to(12 + rand_unit(&rng) * 180, 2);
		basket->v.f64[i] = mean_basket;
		basket->nulls[i] = n_orders == 0;
		spend->v.f64[i] = round_to(mean_basket * n_orders, 2);
		returns->v.f32[i] = (float)round_to(rand_unit(&rng) * rand_unit(&rng) * 0.4, 3);
		returns->nulls[i] = n_orders == 0;
		int64_t active_days = demo_rand_range(&rng, 0, 60);
		views->v.i64[i] = active_days * demo_rand_range(&rng, 1, 80);
		embedding->offsets[i] = elements;
		embedding->nulls[i] = chance(&rng, 2);
		if (!embedding->nulls[i])
			for (int d = 0; d < EMBEDDING_DIMS; d++)
				embedding->children[0].v.f64[elements++] =
					round_to(rand_unit(&rng) * 2 - 1, 4);
		updated->v.i64[i] = now_us - demo_rand_range(&rng, 0, DEMO_DAY_US);
		version->v.i32[i] = 3;
	}
	embedding->offsets[n] = elements;
	embedding->children[0].length = elements;
}

static void mutate_customer_features(struct lk_batch *b, size_t row, uint64_t *rng, int64_t now_us)
{
	struct lk_vector *orders = lk_batch_column(b, "orders_90d");
	struct lk_vector *basket = lk_batch_column(b, "avg_basket_value");
	struct lk_vector *spend = lk_batch_column(b, "total_spend_90d");
	double order_value = round_to(10 + rand_unit(rng) * 150, 2);
	double spent = spend->nulls[row] ? 0 : spend->v.f64[row];
	orders->v.i32[row] = (orders->nulls[row] ? 0 : orders->v.i32[row]) + 1;
	orders->nulls[row] = 0;
	spend->nulls[row] = 0;
	spend->v.f64[row] = round_to(spent + order_value, 2);
	basket->nulls[row] = 0;
	basket->v.f64[row] = round_to(spend->v.f64[row] / orders->v.i32[row], 2);
	struct lk_vector *recency = lk_batch_column(b, "days_since_last_order");
	recency->nulls[row] = 0;
	recency->v.i32[row] = 0;
	struct lk_vector *views = lk_batch_column(b, "page_views_30d");
	views->v.i64[row] += demo_rand_range(rng, 1, 40);
	struct lk_vector *embedding = lk_batch_column(b, "embedding");
	if (!embedding->nulls[row])
		for (uint32_t e = embedding->offsets[row]; e < embedding->offsets[row + 1]; e++)
			embedding->children[0].v.f64[e] =
				round_to(embedding->children[0].v.f64[e] * 0.9 +
						 (rand_unit(rng) * 0.2 - 0.1), 4);
	struct lk_vector *updated = lk_batch_column(b, "updated_at");
	updated->nulls[row] = 0;
	updated->v.i64[row] = now_us;
	struct lk_vector *version = lk_batch_column(b, "feature_version");
	version->nulls[row] = 0;
	version->v.i32[row] += 1;
}

/* ---- ml.predictions.churn_scores ------------------------------------------------------------- */

static const char churn_scores_schema[] =
	"{\"type\":\"struct\",\"fields\":["
	"{\"name\":\"customer_id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},"
	"{\"name\":\"scored_at\",\"type\":\"timestamp\",\"nullable\":false,\"metadata\":{}},"
	"{\"name\":\"churn_probability\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"risk_band\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"model_version\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"explanation\",\"type\":{\"type\":\"struct\",\"fields\":["
	"{\"name\":\"top_factor\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"weight\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}}]},"
	"\"nullable\":true,\"metadata\":{}}]}";

static const char *risk_band(double p)
{
	return p < 0.3 ? "low" : p < 0.7 ? "medium" : "high";
}

static void build_churn_scores(struct lk_batch *b, const struct delta_type *schema,
			       const int64_t *keys, size_t n, int64_t now_us)
{
	(void)schema;
	size_t col = 0;
	struct lk_vector *id = next_column(b, &col, "customer_id", LK_TYPE_INT64);
	struct lk_vector *scored = next_column(b, &col, "scored_at", LK_TYPE_TIMESTAMP);
	struct lk_vector *prob = next_column(b, &col, "churn_probability", LK_TYPE_DOUBLE);
	struct lk_vector *band = next_column(b, &col, "risk_band", LK_TYPE_STRING);
	struct lk_vector *model = next_column(b, &col, "model_version", LK_TYPE_STRING);
	struct lk_vector *why = next_column(b, &col, "explanation", LK_TYPE_STRUCT);
	lk_vector_init_children(why, 2);
	vec_init(b, &why->children[0], "top_factor", LK_TYPE_STRING, n);
	vec_init(b, &why->children[1], "weight", LK_TYPE_DOUBLE, n);
	const char *model_version = now_us <= DEMO_REFERENCE_US ? "churn-gbt-2026.10.2"
								: "churn-gbt-2026.11.0";
	for (size_t i = 0; i < n; i++) {
		uint64_t rng = demo_row_seed("churn_scores", keys[i] ^ (now_us / 1000000));
		id->v.i64[i] = keys[i];
		/* one scoring run: customers a millisecond apart */
		scored->v.i64[i] = now_us + (keys[i] % 1000) * 1000;
		double p = round_to(rand_unit(&rng) * rand_unit(&rng), 4);
		prob->v.f64[i] = p;
		put_str(b, band, i, risk_band(p));
		put_str(b, model, i, model_version);
		bool null = chance(&rng, 3);
		why->nulls[i] = why->children[0].nulls[i] = why->children[1].nulls[i] = null;
		if (null)
			continue;
		put_str(b, &why->children[0], i, PICK(&rng, churn_factors));
		why->children[1].v.f64[i] = round_to(0.05 + rand_unit(&rng) * 0.6, 3);
	}
}

static void mutate_churn_scores(struct lk_batch *b, size_t row, uint64_t *rng, int64_t now_us)
{
	(void)now_us;
	double p = round_to(rand_unit(rng) * rand_unit(rng), 4);
	struct lk_vector *prob = lk_batch_column(b, "churn_probability");
	prob->nulls[row] = 0;
	prob->v.f64[row] = p;
	put_str(b, lk_batch_column(b, "risk_band"), row, risk_band(p));
	put_str(b, lk_batch_column(b, "model_version"), row, "churn-gbt-2026.11.0-recalibrated");
}

/* ---- analytics.kpi.daily_revenue ------------------------------------------------------------- */

static const char daily_revenue_schema[] =
	"{\"type\":\"struct\",\"fields\":["
	"{\"name\":\"date\",\"type\":\"date\",\"nullable\":false,\"metadata\":{}},"
	"{\"name\":\"region\",\"type\":\"string\",\"nullable\":false,\"metadata\":{}},"
	"{\"name\":\"revenue\",\"type\":\"decimal(18,2)\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"orders\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"avg_order_value\",\"type\":\"decimal(12,2)\",\"nullable\":true,"
	"\"metadata\":{}}]}";

static void build_daily_revenue(struct lk_batch *b, const struct delta_type *schema,
				const int64_t *keys, size_t n, int64_t now_us)
{
	(void)schema, (void)now_us;
	size_t col = 0;
	struct lk_vector *region = next_column(b, &col, "region", LK_TYPE_STRING);
	struct lk_vector *revenue = decimal_column(b, &col, "revenue", 18);
	struct lk_vector *orders = next_column(b, &col, "orders", LK_TYPE_INT64);
	struct lk_vector *aov = decimal_column(b, &col, "avg_order_value", 12);
	for (size_t i = 0; i < n; i++) {
		uint64_t rng = demo_row_seed("daily_revenue", keys[i]);
		int64_t day = keys[i] / DEMO_REGION_SLOTS;
		size_t r = (size_t)(keys[i] % DEMO_REGION_SLOTS) % DEMO_REGIONS;
		int weekday = (int)((day + 4) % 7); /* 0 = Sunday */
		double season = weekday == 0 || weekday == 6 ? 0.8 : 1.0;
		put_str(b, region, i, regions[r]);
		double noise = 0.85 + rand_unit(&rng) * 0.3;
		int64_t n_orders = (int64_t)(region_orders[r] * season * noise);
		int64_t mean_cents = demo_rand_range(&rng, 4200, 8800);
		orders->v.i64[i] = n_orders;
		revenue->v.i64[i] = n_orders * mean_cents + demo_rand_range(&rng, 0, 99);
		aov->v.i64[i] = n_orders ? revenue->v.i64[i] / n_orders : 0;
	}
}

static void mutate_daily_revenue(struct lk_batch *b, size_t row, uint64_t *rng, int64_t now_us)
{
	(void)now_us;
	/* late orders booked on that day */
	struct lk_vector *revenue = lk_batch_column(b, "revenue");
	struct lk_vector *orders = lk_batch_column(b, "orders");
	struct lk_vector *aov = lk_batch_column(b, "avg_order_value");
	int64_t late = demo_rand_range(rng, 1, 25);
	orders->v.i64[row] += late;
	revenue->v.i64[row] += late * demo_rand_range(rng, 3000, 9000);
	aov->v.i64[row] = revenue->v.i64[row] / orders->v.i64[row];
}

/* ---- analytics.raw.web_events (no Change Data Feed) ------------------------------------------ */

static const char web_events_schema[] =
	"{\"type\":\"struct\",\"fields\":["
	"{\"name\":\"event_id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},"
	"{\"name\":\"user_id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"session_id\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"event_type\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"url\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"referrer\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"event_time\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"duration_ms\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}";

static void build_web_events(struct lk_batch *b, const struct delta_type *schema,
			     const int64_t *keys, size_t n, int64_t now_us)
{
	(void)schema;
	size_t col = 0;
	struct lk_vector *id = next_column(b, &col, "event_id", LK_TYPE_INT64);
	struct lk_vector *user = next_column(b, &col, "user_id", LK_TYPE_INT64);
	struct lk_vector *session = next_column(b, &col, "session_id", LK_TYPE_STRING);
	struct lk_vector *type = next_column(b, &col, "event_type", LK_TYPE_STRING);
	struct lk_vector *url = next_column(b, &col, "url", LK_TYPE_STRING);
	struct lk_vector *referrer = next_column(b, &col, "referrer", LK_TYPE_STRING);
	struct lk_vector *when = next_column(b, &col, "event_time", LK_TYPE_TIMESTAMP);
	struct lk_vector *duration = next_column(b, &col, "duration_ms", LK_TYPE_INT32);
	for (size_t i = 0; i < n; i++) {
		uint64_t rng = demo_row_seed("web_events", keys[i]);
		id->v.i64[i] = keys[i];
		user->nulls[i] = chance(&rng, 30); /* anonymous visitors */
		user->v.i64[i] = demo_rand_range(&rng, 1, 3000);
		unsigned long long session_bits = demo_rand(&rng) & 0xffffffffu;
		put_fmt(b, session, i, "s-%08llx", session_bits);
		put_str(b, type, i, PICK(&rng, event_types));
		put_fmt(b, url, i, "https://shop.example.com%s", PICK(&rng, site_pages));
		referrer->nulls[i] = chance(&rng, 45);
		if (!referrer->nulls[i])
			put_str(b, referrer, i, PICK(&rng, referrers));
		/* events arrive in id order over the three days before now */
		when->v.i64[i] = now_us - 3 * DEMO_DAY_US + (keys[i] % 6000) * 43200000 +
				 demo_rand_range(&rng, 0, 40000000);
		duration->nulls[i] = chance(&rng, 10);
		duration->v.i32[i] = (int32_t)demo_rand_range(&rng, 80, 120000);
	}
}

static void mutate_web_events(struct lk_batch *b, size_t row, uint64_t *rng, int64_t now_us)
{
	(void)now_us;
	struct lk_vector *duration = lk_batch_column(b, "duration_ms");
	duration->nulls[row] = 0;
	duration->v.i32[row] = (int32_t)demo_rand_range(rng, 80, 120000);
}

/* ---- the table list ---------------------------------------------------------------------------- */

const struct demo_table demo_tables[] = {
	{ .info = { .name = "analytics.gold.user_profiles", .path = "analytics/gold/user_profiles",
		    .keys = "user_id", .cdf = true },
	  .schema_json = user_profiles_schema,
	  .description = "One row per registered user: contact, activity and value.",
	  .key_policy = DEMO_KEYS_NEXT_ID,
	  .initial_files = 3, .rows_per_file = 1000, .history_steps = 10,
	  .inserts = { 2, 8 }, .updates = { 3, 12 }, .deletes = { 0, 2 },
	  .build = build_user_profiles, .mutate = mutate_user_profiles },
	{ .info = { .name = "ml.features.customer_features",
		    .path = "ml/features/customer_features", .keys = "customer_id", .cdf = true },
	  .schema_json = customer_features_schema,
	  .description = "Model features per customer, refreshed by the feature pipeline.",
	  .key_policy = DEMO_KEYS_NEXT_ID,
	  .initial_files = 2, .rows_per_file = DEMO_CUSTOMERS / 2, .history_steps = 4,
	  .inserts = { 1, 4 }, .updates = { 10, 30 }, .deletes = { 0, 2 },
	  .build = build_customer_features, .mutate = mutate_customer_features },
	{ .info = { .name = "ml.predictions.churn_scores", .path = "ml/predictions/churn_scores",
		    .keys = "customer_id,scored_at", .cdf = true },
	  .schema_json = churn_scores_schema,
	  .description = "Churn predictions: one row per customer and scoring run.",
	  .key_policy = DEMO_KEYS_CUSTOMER_SCORES,
	  .initial_files = 2, .rows_per_file = DEMO_CUSTOMERS / 2, .history_steps = 4,
	  .inserts = { 20, 50 }, .updates = { 2, 5 }, .deletes = { 1, 3 },
	  .build = build_churn_scores, .mutate = mutate_churn_scores },
	{ .info = { .name = "analytics.kpi.daily_revenue", .path = "analytics/kpi/daily_revenue",
		    .keys = "date,region", .cdf = true },
	  .schema_json = daily_revenue_schema, .partition_column = "date",
	  .description = "Revenue and orders per day and sales region.",
	  .key_policy = DEMO_KEYS_NEXT_DAY,
	  .initial_files = 61, .rows_per_file = DEMO_REGIONS, .history_steps = 12,
	  .inserts = { 0, 0 }, .updates = { 1, 3 }, .deletes = { 0, 1 },
	  .build = build_daily_revenue, .mutate = mutate_daily_revenue },
	{ .info = { .name = "analytics.raw.web_events", .path = "analytics/raw/web_events",
		    .keys = "event_id", .cdf = false },
	  .schema_json = web_events_schema,
	  .description = "Clickstream events (append-mostly; no Change Data Feed).",
	  .key_policy = DEMO_KEYS_NEXT_ID,
	  .initial_files = 3, .rows_per_file = 2000, .history_steps = 2,
	  .inserts = { 500, 900 }, .updates = { 0, 0 }, .deletes = { 10, 40 },
	  .build = build_web_events, .mutate = mutate_web_events },
};
const size_t demo_n_tables = sizeof demo_tables / sizeof demo_tables[0];

size_t demo_table_count(void)
{
	return demo_n_tables;
}

const struct demo_table_info *demo_table_info(size_t index)
{
	return index < demo_n_tables ? &demo_tables[index].info : NULL;
}

struct lk_batch *demo_rows(const struct demo_table *t, const struct delta_type *schema,
			   const int64_t *keys, size_t n, int64_t now_us)
{
	size_t n_columns = 0;
	for (size_t i = 0; i < schema->n_fields; i++)
		if (t->partition_column == NULL ||
		    strcmp(schema->fields[i].name, t->partition_column) != 0)
			n_columns++;
	struct lk_batch *b = lk_batch_new(n_columns);
	b->n_rows = n;
	t->build(b, schema, keys, n, now_us);
	return b;
}
