// tests/manual/parquet-writer/check.mjs: reads the files roundtrip.c wrote with hyparquet (an
// independent Parquet reader) and compares every value, the schema annotations, the row
// groups, the codecs and the column statistics with what the writer was given and reported.
// Usage: node check.mjs OUTDIR (run from a directory where hyparquet and hyparquet-compressors
// are installed; see run.sh). Exits 1 on the first file with a difference.
import fs from 'node:fs'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
// hyparquet's own Thrift decoder, to look at page headers (a module path, not its public API)
import { deserializeTCompactProtocol } from './node_modules/hyparquet/src/thrift.js'

const dir = process.argv[2]
const parsers = {
  timestampFromMicroseconds: (us) => us, // keep the exact bigint
  dateFromDays: (days) => days,
}
// Statistics of byte arrays as latin1 strings: every byte kept, and < compares bytes unsigned.
const metaParsers = { ...parsers, stringFromBytes: (b) => b && Buffer.from(b).toString('latin1') }

function arrayBufferOf(path) {
  const b = fs.readFileSync(path)
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length)
}

const hex = (u8) => Buffer.from(u8).toString('hex')
let failures = 0
function fail(where, msg) {
  failures++
  if (failures <= 20) console.log(`MISMATCH ${where}: ${msg}`)
}

// Compares an expected value (conventions of roundtrip.c's value_json) with hyparquet's.
function same(exp, act, where) {
  if (exp === null) {
    if (act !== null && act !== undefined) fail(where, `expected null, got ${String(act)}`)
    return
  }
  if (typeof exp === 'boolean' || typeof exp === 'string') {
    if (act !== exp) fail(where, `expected ${JSON.stringify(exp)}, got ${String(act)}`)
    return
  }
  if (Array.isArray(exp)) {
    if (!Array.isArray(act) || act.length !== exp.length) {
      fail(where, `expected array of ${exp.length}, got ${JSON.stringify(act, big)}`)
      return
    }
    exp.forEach((e, i) => same(e, act[i], `${where}[${i}]`))
    return
  }
  if ('$i' in exp) {
    if (act === null || act === undefined || BigInt(act) !== BigInt(exp.$i)) {
      fail(where, `expected ${exp.$i}, got ${String(act)}`)
    }
    return
  }
  if ('$f32' in exp || '$f64' in exp) {
    const text = exp.$f32 ?? exp.$f64
    const want = text === '-0' ? -0 : Number(text)
    if (typeof act !== 'number' || !Object.is(act, want)) fail(where, `expected ${text}, got ${act}`)
    return
  }
  if ('$dec' in exp) {
    const want = Number(exp.$dec)
    const tol = Math.max(1e-9, Math.abs(want) * 1e-12)
    if (typeof act !== 'number' || Math.abs(act - want) > tol) {
      fail(where, `expected ${exp.$dec}, got ${act}`)
    }
    return
  }
  if ('$hex' in exp) {
    if (!(act instanceof Uint8Array) || hex(act) !== exp.$hex) {
      fail(where, `expected bytes ${exp.$hex}, got ${act && hex(act)}`)
    }
    return
  }
  if ('$json' in exp) {
    if (JSON.stringify(act) !== JSON.stringify(exp.$json)) {
      fail(where, `expected json ${JSON.stringify(exp.$json)}, got ${JSON.stringify(act)}`)
    }
    return
  }
  if ('$map' in exp) {
    if (act === null || typeof act !== 'object') {
      fail(where, `expected a map, got ${String(act)}`)
      return
    }
    const keys = Object.keys(act)
    if (keys.length !== exp.$map.length) fail(where, `expected ${exp.$map.length} entries, got ${keys.length}`)
    for (const [k, v] of exp.$map) same(v, act[k], `${where}{${k}}`)
    return
  }
  // a struct
  if (act === null || typeof act !== 'object') {
    fail(where, `expected a struct, got ${String(act)}`)
    return
  }
  const keys = Object.keys(exp)
  if (JSON.stringify(Object.keys(act)) !== JSON.stringify(keys)) {
    fail(where, `expected fields ${keys}, got ${Object.keys(act)}`)
  }
  for (const k of keys) same(exp[k], act[k], `${where}.${k}`)
}

function big(_k, v) {
  return typeof v === 'bigint' ? `${v}n` : v
}

// The schema annotations each column must carry.
const annotations = {
  b: { type: 'BOOLEAN' },
  i8: { type: 'INT32', converted_type: 'INT_8', logical: { type: 'INTEGER', bitWidth: 8, isSigned: true } },
  i16: { type: 'INT32', converted_type: 'INT_16', logical: { type: 'INTEGER', bitWidth: 16, isSigned: true } },
  i32: { type: 'INT32', field_id: 4, repetition_type: 'REQUIRED' },
  i64: { type: 'INT64', repetition_type: 'OPTIONAL' },
  u8: { type: 'INT32', converted_type: 'UINT_8', logical: { type: 'INTEGER', bitWidth: 8, isSigned: false } },
  u16: { type: 'INT32', converted_type: 'UINT_16' },
  u32: { type: 'INT32', converted_type: 'UINT_32', logical: { type: 'INTEGER', bitWidth: 32, isSigned: false } },
  u64: { type: 'INT64', converted_type: 'UINT_64', logical: { type: 'INTEGER', bitWidth: 64, isSigned: false } },
  f32: { type: 'FLOAT' },
  f64: { type: 'DOUBLE' },
  d9: { type: 'INT32', converted_type: 'DECIMAL', precision: 9, scale: 2, logical: { type: 'DECIMAL', precision: 9, scale: 2 } },
  d18: { type: 'INT64', converted_type: 'DECIMAL', precision: 18, scale: 4 },
  d38: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', precision: 38, scale: 6 },
  s: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical: { type: 'STRING' } },
  j: { type: 'BYTE_ARRAY', converted_type: 'JSON', logical: { type: 'JSON' } },
  bin: { type: 'BYTE_ARRAY' },
  uuid: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical: { type: 'UUID' } },
  date: { type: 'INT32', converted_type: 'DATE', logical: { type: 'DATE' } },
  time: { type: 'INT64', logical: { type: 'TIME', isAdjustedToUTC: false, unit: 'MICROS' } },
  ts: { type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } },
  tsntz: { type: 'INT64', logical: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } },
  l: { converted_type: 'LIST', logical: { type: 'LIST' }, num_children: 1 },
  m: { converted_type: 'MAP', logical: { type: 'MAP' }, num_children: 1 },
  a: { type: 'INT32', field_id: 101 },
}

function checkSchema(meta, where) {
  const byName = new Map()
  for (const el of meta.schema) if (!byName.has(el.name)) byName.set(el.name, el)
  for (const [name, want] of Object.entries(annotations)) {
    const el = byName.get(name)
    if (!el) { fail(where, `no schema element ${name}`); continue }
    for (const [k, v] of Object.entries(want)) {
      if (k === 'logical') {
        for (const [lk, lv] of Object.entries(v)) {
          if (el.logical_type?.[lk] !== lv) fail(where, `${name}.logical_type.${lk}: expected ${lv}, got ${JSON.stringify(el.logical_type, big)}`)
        }
      } else if (el[k] !== v) {
        fail(where, `${name}.${k}: expected ${v}, got ${el[k]}`)
      }
    }
  }
  const names = meta.schema.map((e) => e.name).join(',')
  for (const seq of ['l,list,element', 'll,list,element,list,element', 'm,key_value,key,value', 'ls,list,element,p,q', 'st,a,b,inner,x']) {
    if (!names.includes(seq)) fail(where, `schema lacks the sequence ${seq}`)
  }
}

function toBig(v) {
  return typeof v === 'bigint' ? v : BigInt(v)
}

// Folds the row groups' statistics and compares them with what the writer reported.
function checkStats(meta, stats, where) {
  meta.row_groups[0].columns.forEach((_, ci) => {
    const want = stats.columns[ci]
    const path = meta.row_groups[0].columns[ci].meta_data.path_in_schema.join('.')
    if (path !== want.path) fail(where, `column ${ci}: path ${path} vs ${want.path}`)
    let nulls = 0n
    let values = 0n
    let min, max
    for (const rg of meta.row_groups) {
      const md = rg.columns[ci].meta_data
      values += toBig(md.num_values)
      const st = md.statistics
      if (!st) { fail(where, `${path}: no statistics`); return }
      nulls += toBig(st.null_count)
      if (st.min_value !== undefined) {
        if (min === undefined || st.min_value < min) min = st.min_value
        if (max === undefined || st.max_value > max) max = st.max_value
      }
    }
    if (nulls !== BigInt(want.null_count)) fail(where, `${path}: null_count ${nulls} vs ${want.null_count}`)
    if (values !== BigInt(want.num_values)) fail(where, `${path}: num_values ${values} vs ${want.num_values}`)
    if (want.has_min_max !== (min !== undefined)) fail(where, `${path}: min/max presence ${min} vs ${want.has_min_max}`)
    if (min === undefined) return
    const t = want.type
    let ok
    if (t === 'float' || t === 'double') {
      const f = (o) => (o.$f64 === '-0' ? -0 : Number(o.$f64))
      ok = Object.is(Number(min), f(want.min_f)) && Object.is(Number(max), f(want.max_f))
    } else if (t === 'decimal') {
      const el = meta.schema.find((e) => e.name === want.path.split('.').pop())
      const unscaled = (w, h) => el.precision <= 18 ? Number(w) : Number(BigInt.asIntN(h.length * 4, BigInt('0x' + h)))
      const near = (a, b) => Math.abs(a - b) <= Math.max(1e-9, Math.abs(b) * 1e-12)
      ok = near(Number(min), unscaled(want.min_i, want.min_hex) * 10 ** -el.scale) &&
        near(Number(max), unscaled(want.max_i, want.max_hex) * 10 ** -el.scale)
    } else if (t === 'string' || t === 'json' || t === 'binary') {
      const h = (x) => Buffer.from(x, 'latin1').toString('hex')
      ok = h(min) === want.min_hex && h(max) === want.max_hex
    } else if (t === 'uuid') {
      ok = min.replaceAll('-', '') === want.min_hex && max.replaceAll('-', '') === want.max_hex
    } else if (t === 'boolean') {
      ok = Number(min) === Number(want.min_i) && Number(max) === Number(want.max_i)
    } else if (t === 'uint64') {
      ok = toBig(min) === BigInt.asUintN(64, BigInt(want.min_i)) && toBig(max) === BigInt.asUintN(64, BigInt(want.max_i))
    } else {
      ok = toBig(min) === BigInt(want.min_i) && toBig(max) === BigInt(want.max_i)
    }
    if (!ok) fail(where, `${path} (${t}): min/max ${String(min)}/${String(max)} vs ${JSON.stringify(want)}`)
  })
}

// file name, codec, whether its chunks carry a dictionary page, data page type (0 v1, 3 v2)
const variants = [
  ['all_uncompressed', 'UNCOMPRESSED', false, 0],
  ['all_snappy', 'SNAPPY', false, 0],
  ['all_gzip', 'GZIP', false, 0],
  ['all_zstd', 'ZSTD', false, 0],
  ['all_snappy_dict', 'SNAPPY', true, 0],
  ['all_gzip_dict_fallback', 'GZIP', true, 0],
  ['all_uncompressed_v2', 'UNCOMPRESSED', false, 3],
  ['all_zstd_v2', 'ZSTD', false, 3],
  ['all_snappy_v2_dict_fallback', 'SNAPPY', true, 3],
]

// The types of the pages of one column chunk, from their headers; for v2 pages also checks
// that num_rows and num_nulls add up to the row group's rows and the chunk's null count.
function pageTypes(file, md, rowGroupRows, where) {
  const types = []
  let rows = 0
  let nulls = 0
  let off = Number(md.dictionary_page_offset ?? md.data_page_offset)
  const end = off + Number(md.total_compressed_size)
  while (off < end) {
    const reader = { view: new DataView(file, off), offset: 0 }
    const h = deserializeTCompactProtocol(reader)
    types.push(h.field_1)
    if (h.field_1 === 3) {
      rows += h.field_8.field_3
      nulls += h.field_8.field_2
    }
    off += reader.offset + h.field_3
  }
  if (types.includes(3) && (rows !== Number(rowGroupRows) || nulls !== Number(md.statistics.null_count))) {
    fail(where, `${md.path_in_schema.join('.')}: v2 pages count ${rows} rows, ${nulls} nulls`)
  }
  return types
}

let files = 0
for (const [name, codec, dictionary, dataPageType] of variants) {
  const path = `${dir}/${name}.parquet`
  const where = `${name}.parquet`
  const file = arrayBufferOf(path)
  const meta = parquetMetadata(file, { parsers: metaParsers })
  const rows = JSON.parse(fs.readFileSync(`${path}.rows.json`, 'utf8'))
  const stats = JSON.parse(fs.readFileSync(`${path}.stats.json`, 'utf8'))
  if (Number(meta.num_rows) !== rows.length) fail(where, `num_rows ${meta.num_rows} vs ${rows.length}`)
  if (meta.row_groups.length !== stats.num_row_groups || meta.row_groups.length < 3) {
    fail(where, `row groups ${meta.row_groups.length} vs ${stats.num_row_groups}`)
  }
  if (!meta.created_by.startsWith('lakesync version ')) fail(where, `created_by ${meta.created_by}`)
  const kv = Object.fromEntries(meta.key_value_metadata.map((e) => [e.key, e.value]))
  if (kv['lakesync.test'] !== 'roundtrip' || !('no.value' in kv)) fail(where, `key_value_metadata ${JSON.stringify(kv)}`)
  for (const rg of meta.row_groups) {
    for (const c of rg.columns) {
      const md = c.meta_data
      if (md.codec !== codec) fail(where, `codec ${md.codec}`)
      const path = md.path_in_schema.join('.')
      const hasDict = md.dictionary_page_offset !== undefined
      const boolean = md.type === 'BOOLEAN' || path === 'nul'
      if (hasDict !== (dictionary && !boolean && md.statistics.null_count < md.num_values)) {
        fail(where, `${path}: dictionary page ${hasDict}`)
      }
      if (hasDict && !md.encodings.includes('RLE_DICTIONARY')) fail(where, `${path}: encodings ${md.encodings}`)
      const types = pageTypes(file, md, rg.num_rows, where)
      const want = hasDict ? [2] : []
      if (types[0] !== want.concat(dataPageType)[0] || types.slice(want.length).some((t) => t !== dataPageType)) {
        fail(where, `${path}: page types ${types}`)
      }
    }
  }
  checkSchema(meta, where)
  checkStats(meta, stats, where)
  const got = await parquetReadObjects({ file, compressors, parsers, utf8: false })
  if (got.length !== rows.length) fail(where, `read ${got.length} rows, expected ${rows.length}`)
  rows.forEach((row, i) => same(row, got[i], `${where} row ${i}`))
  files++
  console.log(`${where}: ${rows.length} rows, ${meta.row_groups.length} row groups, ` +
    `${meta.row_groups[0].columns.length} leaf columns, codec ${codec}` +
    `${dictionary ? ', dictionary' : ''}, data pages v${dataPageType ? 2 : 1}: compared`)
}

// INTERVAL: hyparquet does not decode it; check the schema and that the pages parse as far as
// the reader goes.
{
  const meta = parquetMetadata(arrayBufferOf(`${dir}/interval.parquet`))
  const el = meta.schema[1]
  if (el.type !== 'FIXED_LEN_BYTE_ARRAY' || el.type_length !== 12 || el.converted_type !== 'INTERVAL') {
    fail('interval.parquet', `schema ${JSON.stringify(el)}`)
  }
  const st = meta.row_groups[0].columns[0].meta_data.statistics
  if (Number(st.null_count) !== 1 || st.min_value !== undefined) fail('interval.parquet', `statistics ${JSON.stringify(st, big)}`)
  console.log('interval.parquet: schema and statistics checked')
}

console.log(failures ? `FAILED: ${failures} differences` : `OK: ${files} files, every value equal`)
process.exit(failures ? 1 : 0)
