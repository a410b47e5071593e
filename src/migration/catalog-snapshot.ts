import { type Kysely, sql } from 'kysely';

/**
 * The catalog of one schema as sorted lines of text: relations, columns (type, nullability,
 * default), indexes, constraints, row-level security, policies, enum and domain types,
 * functions and triggers. Two snapshots compare as sets of lines. Relations whose name
 * starts with `exclude` (the migration ledger) are left out.
 */
export async function catalogSnapshot(db: Kysely<unknown>, schema: string, exclude: string): Promise<string[]> {
  const like = `${exclude.replaceAll('_', '\\_')}%`;
  const { rows } = await sql<{ line: string }>`
    with rel as (
      select c.oid, c.relname, c.relkind, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and c.relname not like ${like}
    )
    select 'relation ' || relname || ' kind=' || relkind::text as line from rel
    union all
    select 'rls ' || relname from rel where relrowsecurity
    union all
    select 'column ' || rel.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
      || case when a.attnotnull then ' not null' else '' end
      || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
    from rel join pg_attribute a on a.attrelid = rel.oid and a.attnum > 0 and not a.attisdropped
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where rel.relkind <> 'S'
    union all
    select 'index ' || i.indexname || ': ' || i.indexdef from pg_indexes i where i.schemaname = ${schema} and i.tablename not like ${like}
    union all
    select 'constraint ' || rel.relname || '.' || con.conname || ' ' || pg_get_constraintdef(con.oid)
    from pg_constraint con join rel on rel.oid = con.conrelid
    union all
    select 'policy ' || p.tablename || '.' || p.policyname || ' ' || p.permissive || ' ' || p.cmd || ' to ' || array_to_string(p.roles, ',')
      || coalesce(' using ' || p.qual, '') || coalesce(' check ' || p.with_check, '')
    from pg_policies p where p.schemaname = ${schema} and p.tablename not like ${like}
    union all
    select 'type ' || t.typname || ' ' || t.typtype::text
      || coalesce(' (' || (select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) || ')', '')
      || case when t.typtype = 'd' then ' ' || format_type(t.typbasetype, t.typtypmod) else '' end
    from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = ${schema} and t.typtype in ('e', 'd')
    union all
    select 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = ${schema}
    union all
    select 'trigger ' || tg.tgname || ': ' || pg_get_triggerdef(tg.oid) from pg_trigger tg join rel on rel.oid = tg.tgrelid where not tg.tgisinternal
  `.execute(db);
  return rows.map((row) => row.line).sort();
}

/** What `after` lacks (`-`) and what it has in excess (`+`) compared with `before`. */
export function catalogDiff(before: readonly string[], after: readonly string[]): string[] {
  const old = new Set(before);
  const now = new Set(after);
  return [
    ...before.filter((line) => !now.has(line)).map((line) => `- ${line}`),
    ...after.filter((line) => !old.has(line)).map((line) => `+ ${line}`),
  ];
}
