import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  BaseRepository,
  belongsTo,
  cache,
  type Database,
  hasMany,
  manyToMany,
  memoryCacheStore,
} from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';

// How relations are loaded on PostgreSQL: a constant number of statements whatever the
// number of parents, the LATERAL top-N, lossless values, caching of related reads.
interface Post {
  id: number;
  title: string;
  author_id: number | null;
}
interface Comment {
  id: number;
  post_id: number;
  body: string;
  at: Date;
  day: Date;
  local: Date;
  big: string;
  price: string;
  ratio: number;
  flag: boolean;
  doc: { nested: { n: number }; list: number[] };
  raw: { a: string };
  uid: string;
  bytes: Buffer;
  words: string[];
}
interface Author {
  id: number;
  name: string;
}
interface Label {
  id: number;
  name: string;
}
interface DB {
  posts: Post;
  comments: Comment;
  authors: Author;
  labels: Label;
  post_labels: { post_id: number; label_id: number };
}

const t = useTestDatabase<DB>('relations_loading');

beforeAll(async () => {
  await sql`
    create table authors (id serial primary key, name text not null);
    create table posts (id serial primary key, title text not null, author_id int references authors);
    create table comments (
      id serial primary key, post_id int not null references posts, body text not null,
      at timestamptz not null, day date not null, local timestamp not null, big int8 not null,
      price numeric(12, 4) not null, ratio float8 not null, flag bool not null, doc jsonb not null,
      raw json not null, uid uuid not null, bytes bytea not null, words text[] not null
    );
    create index comments_post_id on comments (post_id, id);
    create table labels (id serial primary key, name text not null);
    create table post_labels (post_id int not null references posts, label_id int not null references labels);
  `.execute(t.db.kysely);
  await sql`insert into authors (name) select 'author ' || n from generate_series(1, 5) n`.execute(t.db.kysely);
  await sql`insert into posts (title, author_id) select 'post ' || n, 1 + n % 5 from generate_series(1, 60) n`.execute(
    t.db.kysely,
  );
  await sql`
    insert into comments (post_id, body, at, day, local, big, price, ratio, flag, doc, raw, uid, bytes, words)
    select p, 'c' || p || '.' || n, '2024-05-06T07:08:09.123456Z'::timestamptz + n * interval '1 minute', '2024-05-06',
      '2024-05-06 07:08:09.5', 9007199254740993, 1234.5678, 0.25, n % 2 = 0, '{"nested": {"n": 1}, "list": [1, 2]}',
      '{"a": "b"}', '6f1c3c0e-5b7a-4c59-9d59-2f1f1b6c3a10', '\\x00ff', array['a', 'b,c']
    from generate_series(1, 60) p, generate_series(1, 4) n
  `.execute(t.db.kysely);
  await sql`insert into labels (name) values ('red'), ('blue')`.execute(t.db.kysely);
  await sql`insert into post_labels select id, 1 + id % 2 from posts`.execute(t.db.kysely);
});

function repositories(db: Database<DB>, commentMiddleware = [] as Parameters<typeof cache>[0][]) {
  const authors = new BaseRepository(db, { table: 'authors' });
  const labels = new BaseRepository(db, { table: 'labels' });
  const comments = new BaseRepository(db, {
    table: 'comments',
    middleware: commentMiddleware.map((options) => cache(options)),
  });
  const posts = new BaseRepository(db, {
    table: 'posts',
    relations: {
      comments: hasMany(() => comments, { foreignKey: 'post_id' }),
      author: belongsTo(() => authors, { foreignKey: 'author_id' }),
      labels: manyToMany(() => labels, { through: 'post_labels' }),
    },
  });
  return { authors, comments, posts, labels };
}

describe('relation loading on PostgreSQL', () => {
  it('costs the same number of statements for 1, 10 and 60 parents', async () => {
    const spy = statementSpy();
    const { posts } = repositories(t.open(spy.options));
    const read = (limit: number) =>
      posts.findMany({
        limit,
        include: { comments: { limit: 2, include: {} }, author: true, labels: true },
        withCount: ['comments'],
      });
    await read(1); // catalog reads, once per repository
    const counts: number[] = [];
    for (const limit of [1, 10, 60]) {
      spy.clear();
      const rows = await read(limit);
      expect(rows).toHaveLength(limit);
      counts.push(spy.statements.length);
    }
    // posts, comments (lateral), authors, post_labels, labels, comment counts
    expect(counts).toEqual([6, 6, 6]);
    expect(spy.statements.filter((each) => /= any\(\$1\)/.test(each)).length).toBeGreaterThanOrEqual(4);
    // Keys are one bound array: no key value in the SQL text.
    expect(spy.statements.join('\n')).not.toMatch(/\b(?:42|59)\b/);
  });

  it('chooses = ANY without a limit and a LATERAL top-N with one, and says why', async () => {
    const { posts } = repositories(t.db);
    const plain = await posts.findMany({ limit: 3, include: { comments: true }, explain: true });
    expect(plain.explain[0]).toMatchObject({ path: 'comments', strategy: 'any', keys: 3 });
    expect(plain.explain[0]!.sql).toMatch(/"post_id" = any\(\$1\)/);
    expect(plain.explain[0]!.sql).not.toMatch(/lateral/);
    const top = await posts.findMany({
      limit: 3,
      include: { comments: { limit: 2, orderBy: { column: 'id', direction: 'desc' } } },
      explain: true,
    });
    expect(top.explain[0]).toMatchObject({ strategy: 'lateral' });
    expect(top.explain[0]!.sql).toMatch(
      /unnest\(cast\(\$1 as integer\[\]\)\) with ordinality .* cross join lateral \(\(select \* from "comments" where "post_id" = "__keys"\."__key" order by "id" desc limit \$2\)\)/,
    );
    expect(top.explain[0]!.reason).toMatch(/limit 2 per parent/);
    expect(top.result.map((post) => post.comments.map((comment) => comment.body))).toEqual([
      ['c1.4', 'c1.3'],
      ['c2.4', 'c2.3'],
      ['c3.4', 'c3.3'],
    ]);
    const counted = await posts.findById(1, { withCount: ['comments'], explain: true });
    expect(counted.result!.commentsCount).toBe(4);
    expect(counted.explain[0]!.sql).toMatch(/count\(\*\) as "count" from "comments" where .* group by "post_id"/);
  });

  it('returns included values exactly as a direct read: Date, int8, numeric, json, uuid, bytea, arrays', async () => {
    const { posts, comments } = repositories(t.db);
    const direct = await comments.findMany({ where: { post_id: 7 } });
    const viaAny = await posts.getById(7, { include: { comments: true } });
    const viaLateral = await posts.getById(7, { include: { comments: { limit: 10 } } });
    expect(viaAny.comments).toEqual(direct);
    expect(viaLateral.comments).toEqual(direct);
    const first = viaLateral.comments[0]!;
    expect(first.at).toBeInstanceOf(Date);
    expect(first.day).toBeInstanceOf(Date);
    expect(first.local).toBeInstanceOf(Date);
    expect(first.big).toBe('9007199254740993'); // int8 as the driver is configured (pg: a string)
    expect(first.price).toBe('1234.5678');
    expect(first.ratio).toBe(0.25);
    expect(typeof first.flag).toBe('boolean');
    expect(first.doc).toEqual({ nested: { n: 1 }, list: [1, 2] });
    expect(first.raw).toEqual({ a: 'b' });
    expect(Buffer.isBuffer(first.bytes)).toBe(true);
    expect(first.words).toEqual(['a', 'b,c']);
    const [comment] = await comments.findMany({ where: { post_id: 7 }, limit: 1 });
    const back = await new BaseRepository(t.db, {
      table: 'comments',
      relations: { post: belongsTo(() => posts, { foreignKey: 'post_id' }) },
    }).getById(comment!.id, { include: { post: true } });
    expect(back.post).toEqual(await posts.getById(7));
  });

  it('reads related rows through the related repository cache, invalidated by its writes', async () => {
    const store = memoryCacheStore({ maxEntries: 100 });
    const options = { store, ttlSeconds: 60, keyPrefix: `relations-${Date.now()}:` };
    const { posts, comments } = repositories(t.db, [options]);
    const spy = statementSpy();
    const watched = repositories(t.open(spy.options), [options]);
    await watched.posts.findById(2, { include: { comments: true } });
    spy.clear();
    const again = await watched.posts.findById(2, { include: { comments: true }, explain: true });
    // The posts read hits the database (no cache on posts); the comments come from the cache.
    expect(spy.statements).toHaveLength(1);
    expect(again.explain[0]!.sql).toBeUndefined();
    expect(again.explain[0]!.reason).toMatch(/answered by middleware/);
    const added = await comments.create({
      ...(await comments.findMany({ where: { post_id: 2 }, limit: 1 }))[0]!,
      id: undefined,
      body: 'new',
    } as never);
    expect(added.body).toBe('new');
    const fresh = await posts.findById(2, { include: { comments: true } });
    expect(fresh!.comments.map((comment) => comment.body)).toContain('new');
    await comments.hardDelete(added.id);
  });

  it('reads a manyToMany through a plain table name with one join-rows statement', async () => {
    const { posts } = repositories(t.db);
    const { result, explain } = await posts.findMany({ limit: 4, include: { labels: true }, explain: true });
    expect(result.map((post) => post.labels.map((label) => label.name))).toEqual([
      ['blue'],
      ['red'],
      ['blue'],
      ['red'],
    ]);
    expect(explain.map((plan) => plan.path)).toEqual(['labels (through)', 'labels']);
    expect(explain[0]!.sql).toMatch(/from "post_labels" where "post_id" = any\(\$1\)/);
  });
});
