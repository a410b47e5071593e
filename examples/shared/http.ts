import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { DataLayerError, ValidationError } from '@org/data-layer';
import type { z } from 'zod';

/** What a route handler sees of the request. */
export interface Request {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  /** Path parameters (`/chats/:id` gives `params.id`). */
  readonly params: Readonly<Record<string, string>>;
  /** The JSON body (parsed on first call); `{}` when the request has none. */
  json(): Promise<unknown>;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export type Handler = (request: Request) => Promise<Reply>;
export type Route = readonly [method: string, pattern: string, handler: Handler];

/** An HTTP-level failure (no such route, unreadable body): not a data-layer error. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (body: unknown): Reply => ({ status: 201, body });
export const noContent = (): Reply => ({ status: 204 });

/**
 * Parses request input with a zod schema. A failure becomes the library's
 * `ValidationError`, so it is answered like any other 400 from the data layer.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path, message: issue.message, code: issue.code }));
  throw new ValidationError(`Invalid ${what}: ${issues[0]?.message ?? 'rejected'}`, issues);
}

/**
 * Maps an error to a response. Data-layer errors carry their HTTP status (`statusCode`) and
 * a body that is safe to send (`toJSON()` has no parameters or secrets); anything else
 * is a 500 that tells the client nothing.
 */
export function errorReply(error: unknown): Reply {
  if (error instanceof DataLayerError) return { status: error.statusCode, body: { error: error.toJSON() } };
  if (error instanceof HttpError)
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal server error' } } };
}

/** A running HTTP service. */
export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `routes` on 127.0.0.1:`port` (0 picks a free one). */
export async function serve(routes: readonly Route[], port = 0): Promise<Listening> {
  const compiled = routes.map(([method, pattern, handler]) => ({ method, handler, ...compile(pattern) }));
  const server = createServer((incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    const matches = compiled
      .map((route) => ({ route, match: route.regex.exec(url.pathname) }))
      .filter((each) => each.match !== null);
    const found = matches.find((each) => each.route.method === incoming.method);
    const handle: Handler = found
      ? found.route.handler
      : async () => {
          throw matches.length > 0
            ? new HttpError(405, 'METHOD_NOT_ALLOWED', `${incoming.method} is not allowed here`)
            : new HttpError(404, 'NO_ROUTE', `No route for ${url.pathname}`);
        };
    const params = found
      ? Object.fromEntries(found.route.names.map((name, index) => [name, decodeURIComponent(found.match![index + 1]!)]))
      : {};
    let body: Promise<unknown> | undefined;
    const request: Request = {
      method: incoming.method ?? 'GET',
      url,
      headers: incoming.headers,
      params,
      json: () => (body ??= readJson(incoming)),
    };
    handle(request)
      .catch((error: unknown) => {
        const reply = errorReply(error);
        if (reply.status >= 500) console.error(`${request.method} ${url.pathname} failed:`, error);
        return reply;
      })
      .then(
        (reply) => send(response, reply),
        (error: unknown) => console.error(error),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

function compile(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = pattern.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${source}$`), names };
}

async function readJson(incoming: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'The request body is not valid JSON');
  }
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    response.writeHead(reply.status).end();
    return;
  }
  const json = JSON.stringify(reply.body, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
  response.writeHead(reply.status, { 'content-type': 'application/json' }).end(json);
}
