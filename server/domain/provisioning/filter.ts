import { parse, type Filter } from 'scim2-parse-filter';
import { isUuid } from '../../contract/fields';
import { AppError } from '../../shared/errors';

/**
 * SCIM filters (RFC 7644 §3.4.2.2) become SQL: scim2-parse-filter turns the text into a tree,
 * and each attribute the SPEC lists is translated to a column here. Anything else is a 400
 * `invalidFilter`, never a query on an unknown column.
 */
export type FilterColumn =
  | { type: 'text'; sql: string; caseExact?: boolean }
  | { type: 'uuid'; sql: string }
  | { type: 'active'; sql: string }
  | { type: 'time'; sql: string }
  /** A multi-valued attribute held in another table: `sql` is an EXISTS with `{condition}` on `value`. */
  | { type: 'member'; sql: string; value: string };

export type FilterAttributes = Record<string, FilterColumn>;
export type SqlCondition = { sql: string; bindings: unknown[] };


export const invalidFilter = (detail: string) => new AppError('BAD_REQUEST', detail, { scimType: 'invalidFilter' });

const escapeLike = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);

function compare(column: FilterColumn, op: string, value: unknown, attribute: string): SqlCondition {
  if (column.type === 'member') {
    const inner = compare({ type: 'text', sql: column.value, caseExact: true }, op, value, attribute);
    return { sql: column.sql.replace('{condition}', inner.sql), bindings: inner.bindings };
  }
  if (op === 'pr') return { sql: `${column.sql} is not null`, bindings: [] };
  if (column.type === 'active') {
    if (typeof value !== 'boolean' || (op !== 'eq' && op !== 'ne')) throw invalidFilter(`${attribute} is compared with eq or ne and true or false.`);
    const on = (op === 'eq') === value;
    return { sql: `${on ? '' : 'not '}(${column.sql} in ('invited', 'active'))`, bindings: [] };
  }
  if (typeof value !== 'string') throw invalidFilter(`${attribute} is compared with a string in double quotes.`);
  if (column.type === 'uuid') {
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`${attribute} is compared with eq or ne.`);
    // An id that is not a uuid matches nothing (and is no error: it is simply not ours).
    if (!isUuid(value)) return { sql: op === 'eq' ? 'false' : 'true', bindings: [] };
    return { sql: `${column.sql} ${op === 'eq' ? '=' : '<>'} ?::uuid`, bindings: [value] };
  }
  if (column.type === 'time') {
    const ops: Record<string, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };
    const time = Date.parse(value);
    if (!ops[op] || Number.isNaN(time)) throw invalidFilter(`${attribute} is compared with eq, ne, gt, ge, lt or le and a date-time.`);
    return { sql: `${column.sql} ${ops[op]} ?`, bindings: [new Date(time)] };
  }
  const exact = column.type === 'text' && column.caseExact;
  const left = exact ? column.sql : `lower(${column.sql})`;
  const right = exact ? '?' : 'lower(?)';
  const like = (pattern: string): SqlCondition => ({ sql: `${left} like ${right} escape '\\'`, bindings: [pattern] });
  let condition: SqlCondition;
  switch (op) {
    case 'eq':
    case 'ne':
      condition = { sql: `${left} ${op === 'eq' ? '=' : '<>'} ${right}`, bindings: [value] };
      break;
    case 'co':
      condition = like(`%${escapeLike(value)}%`);
      break;
    case 'sw':
      condition = like(`${escapeLike(value)}%`);
      break;
    case 'ew':
      condition = like(`%${escapeLike(value)}`);
      break;
    default:
      throw invalidFilter(`The operator ${op} is not supported on ${attribute}.`);
  }
  return condition;
}

function attributeOf(attributes: FilterAttributes, path: string) {
  // Attribute names are case-insensitive (RFC 7643 §2.1); a schema URN prefix may lead them.
  const name = path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, '').toLowerCase();
  const found = Object.entries(attributes).find(([key]) => key.toLowerCase() === name);
  if (!found) throw invalidFilter(`Filtering on ${path} is not supported. Filter on ${Object.keys(attributes).filter((k) => !k.includes('[')).join(', ')}.`);
  return found;
}

function translate(filter: Filter, attributes: FilterAttributes, depth: number): SqlCondition {
  if (depth > 20) throw invalidFilter('The filter nests too deeply.');
  switch (filter.op) {
    case 'and':
    case 'or': {
      const parts = filter.filters.map((f) => translate(f, attributes, depth + 1));
      return { sql: `(${parts.map((p) => p.sql).join(` ${filter.op} `)})`, bindings: parts.flatMap((p) => p.bindings) };
    }
    case 'not': {
      const inner = translate(filter.filter, attributes, depth + 1);
      return { sql: `not (${inner.sql})`, bindings: inner.bindings };
    }
    case '[]': {
      // emails[type eq "work" ...]: the only email is the work one; members[value eq "…"].
      const [base] = attributeOf(attributes, `${filter.attrPath}[]`);
      const prefixed = prefixPaths(filter.valFilter, base.replace('[]', ''));
      return translate(prefixed, attributes, depth + 1);
    }
    default: {
      const [name, column] = attributeOf(attributes, filter.attrPath);
      return compare(column, filter.op, 'compValue' in filter ? filter.compValue : null, name);
    }
  }
}

function prefixPaths(filter: Filter, base: string): Filter {
  if (filter.op === 'and' || filter.op === 'or') return { ...filter, filters: filter.filters.map((f) => prefixPaths(f, base)) };
  if (filter.op === 'not') return { ...filter, filter: prefixPaths(filter.filter, base) };
  if (filter.op === '[]') throw invalidFilter('A value filter cannot hold another.');
  const attrExp = filter as Exclude<Filter, { op: 'and' | 'or' | 'not' | '[]' }>;
  return { ...attrExp, attrPath: `${base}.${attrExp.attrPath}` } as Filter;
}

export function filterToSql(text: string, attributes: FilterAttributes): SqlCondition {
  let tree: Filter;
  try {
    tree = parse(text);
  } catch (error) {
    throw invalidFilter(`The filter cannot be read: ${(error as Error).message.slice(0, 200)}`);
  }
  return translate(tree, attributes, 0);
}
