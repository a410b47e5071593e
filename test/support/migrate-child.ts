// Runs `latest` once in its own process (node --import tsx), printing what it applied as JSON.
import { createDatabase, createMigrator } from '../../src/index.js';

const [connectionString, schema, folder] = process.argv.slice(2);
const db = createDatabase({ connectionString, logger: 'silent', pool: { max: 2 } });
try {
  const result = await createMigrator(db, { folder: folder!, schema: schema!, lockTimeoutMs: 30_000 }).latest();
  process.stdout.write(JSON.stringify(result.executed.map((step) => step.name)));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: (error as Error).message }));
  process.exitCode = 1;
} finally {
  await db.close();
}
