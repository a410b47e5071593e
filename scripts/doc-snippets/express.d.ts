// The one Express type the error-handling snippet uses, so the docs need no Express install.
declare module 'express' {
  export type ErrorRequestHandler = (
    error: unknown,
    req: { headers: Record<string, string | undefined> },
    res: { setHeader(name: string, value: string): void; status(code: number): { json(body: unknown): void } },
    next: (error?: unknown) => void,
  ) => void;
}
