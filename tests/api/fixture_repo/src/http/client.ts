import { retryWithBackoff } from './retry';

export interface RequestOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** A small HTTP client that retries failed requests. */
export class HttpClient {
  constructor(private readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<unknown> {
    return retryWithBackoff(async () => {
      const response = await fetch(this.baseUrl + path, {
        method,
        headers: options.headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      return response.json();
    });
  }

  get(path: string): Promise<unknown> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown): Promise<unknown> {
    return this.request('POST', path, body);
  }
}
