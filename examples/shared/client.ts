/** A response as the scripted sessions see it. */
export interface ClientResponse<T = unknown> {
  status: number;
  body: T;
}

export type Print = (line: string) => void;

/** A JSON client over `fetch` that prints one line per request: what was asked, what came back. */
export function createClient(baseUrl: string, print: Print = console.log) {
  async function request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ClientResponse<T>> {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = (text === '' ? undefined : JSON.parse(text)) as T;
    print(`  ${method.padEnd(6)} ${path.padEnd(34)} -> ${response.status} ${summarize(parsed)}`);
    return { status: response.status, body: parsed };
  }
  return { request };
}

export type Client = ReturnType<typeof createClient>;

function summarize(body: unknown): string {
  if (body === undefined) return '';
  const error = (body as { error?: { name?: string; code?: string; message?: string } }).error;
  if (error) return `${error.name ?? error.code}: ${error.message}`;
  const text = JSON.stringify(body);
  return text.length > 110 ? `${text.slice(0, 107)}...` : text;
}
