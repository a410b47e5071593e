import { ConfigError } from '../errors/application-errors.js';
import type { Seeder } from './define-seeder.js';

/**
 * The seeders to run, dependencies first (ties in the order given): those for
 * `environment`, narrowed to `only` and what they depend on.
 */
export function seedOrder<DB>(
  seeders: readonly Seeder<DB>[],
  options: { environment: string; only?: readonly string[] },
): Seeder<DB>[] {
  const byName = new Map<string, Seeder<DB>>();
  for (const seeder of seeders) {
    if (byName.has(seeder.name)) throw new ConfigError(`Two seeders are named ${seeder.name}`, { option: 'seeders' });
    byName.set(seeder.name, seeder);
  }
  for (const seeder of seeders) {
    for (const dependency of seeder.dependsOn) {
      if (!byName.has(dependency))
        throw new ConfigError(`Seeder ${seeder.name} depends on ${dependency}, which is not defined`, {
          option: 'dependsOn',
        });
    }
  }
  const roots = options.only ?? seeders.map((seeder) => seeder.name);
  for (const name of roots)
    if (!byName.has(name)) throw new ConfigError(`No seeder is named ${name}`, { option: 'only' });

  const ordered: Seeder<DB>[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: readonly string[]) => {
    const mark = state.get(name);
    if (mark === 'done') return;
    if (mark === 'visiting')
      throw new ConfigError(`Seeders depend on each other in a cycle: ${[...path, name].join(' -> ')}`, {
        option: 'dependsOn',
      });
    state.set(name, 'visiting');
    const seeder = byName.get(name)!;
    for (const dependency of seeder.dependsOn) visit(dependency, [...path, name]);
    state.set(name, 'done');
    ordered.push(seeder);
  };
  for (const name of roots) visit(name, []);

  const runs = (seeder: Seeder<DB>) =>
    seeder.environments === undefined || seeder.environments.includes(options.environment);
  const selected = ordered.filter(runs);
  for (const seeder of selected) {
    const excluded = seeder.dependsOn.find((dependency) => !runs(byName.get(dependency)!));
    if (excluded !== undefined) {
      throw new ConfigError(
        `Seeder ${seeder.name} depends on ${excluded}, which does not run in environment ${options.environment}`,
        { option: 'environments' },
      );
    }
  }
  return selected;
}
