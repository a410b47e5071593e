/** Where the CLI writes: results on `out` (JSON with `--json`), progress and errors on `err`. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  json: boolean;
}

/** A wrong command line: exit code 2 with the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: data-layer <command> [options]

Commands:
  migrate latest|up|down            apply all pending / the next one / revert the last one
  migrate to <name>                 migrate up or down until <name> is the last applied
  migrate status                    every migration and its state (applied, pending, missing, changed)
  migrate verify                    prove each down reverses its up, in a scratch schema
  migrate repair <name> --reason <text>   accept the edited source of an applied migration
  migrate make <name> [--ext ts|js|mjs]   write a timestamped migration with up and down
  migrate tenants latest|status     the same migrations into every tenant schema
  seed [--only <name>] [--fresh] [--env <name>] [--allow-production]
  health                            connectivity, pool and migration summary

Options:
  --config <file>     module exporting { database, migrations, seeders, tenants }
  --folder <dir>      migrations folder (default: $DATA_LAYER_MIGRATIONS or ./migrations)
  --schema <name>     schema of the ledger and the migration search_path (default: public)
  --table <name>      ledger table (default: data_layer_migrations)
  --schemas <a,b,c>   tenant schemas for "migrate tenants" (or "tenants" in --config)
  --concurrency <n>   tenant schemas at a time (default 4); --stop-on-error
  --dry-run           run and roll back, printing what ran
  --json              machine-readable output on stdout
Connection settings come from the environment (DATABASE_URL or DB_HOST, DB_PORT, ...) or --config.
Exit codes: 0 success, 1 failure, 2 usage.`;

/** One line, with any `scheme://user:password@` credentials masked. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}
