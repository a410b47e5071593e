import net from 'node:net';

/**
 * Why Redis cannot be used at `url`, or undefined when it answers PING within
 * `timeoutMs`. Run once per test run (global setup); a refused port answers in
 * milliseconds, a silent one within the bound.
 */
export async function probeRedis(url: string, timeoutMs = 1_000): Promise<string | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return `REDIS_URL is not a URL`;
  }
  const host = target.hostname || '127.0.0.1';
  const port = Number(target.port || 6379);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (reason: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(`no answer from Redis at ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (!reply.includes('\r\n')) return;
      // "-NOAUTH ..." still means a Redis: the suite's clients would fail, so skip too.
      done(
        reply.startsWith('+PONG')
          ? undefined
          : `Redis at ${host}:${port} answered PING with "${reply.trim().slice(0, 60)}"`,
      );
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(
        `Redis at ${host}:${port} is unreachable (${error.code ?? error.message}); set REDIS_URL or start redis-server`,
      ),
    );
  });
}
