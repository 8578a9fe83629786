// The API client, generated from the OpenAPI document the Rust types produce (`npm run api-types`):
// a changed response shape breaks this build, not the user.
import createClient from 'openapi-fetch';
import type { components, paths } from './api-schema';
import { currentToken, refreshSession } from './session';

export type Schemas = components['schemas'];

/// Sends the access token; on a 401 refreshes the session once and tries again.
async function authenticatedFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const token = currentToken();
  if (token) request.headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(request);
  if (response.status !== 401 || !token || request.url.includes('/v1/auth/')) return response;
  if (!(await refreshSession())) return response;
  retry.headers.set('authorization', `Bearer ${currentToken()}`);
  return fetch(retry);
}

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: authenticatedFetch });

/// A request's answer when it was not a success: the API's `{"error":{…}}`, with the HTTP status.
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  readonly limit?: Schemas['LimitDetail'];

  constructor(status: number, detail: Partial<Schemas['ErrorDetail']> | undefined) {
    super(detail?.message ?? `The server answered ${status}.`);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = detail?.code ?? 'unknown';
    this.field = detail?.field ?? undefined;
    this.limit = detail?.limit ?? undefined;
  }
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/// The data of a successful answer, or an `ApiFailure` thrown for TanStack Query to hold.
export async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch {
    throw new ApiFailure(0, { code: 'network', message: 'The server could not be reached.' });
  }
  if (answer.response.ok) return answer.data as T;
  const body = answer.error as { error?: Schemas['ErrorDetail'] } | undefined;
  throw new ApiFailure(answer.response.status, body?.error);
}

/// A file from an authenticated route (a report), saved through the browser's download.
export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const blob = await fetchBlob(path);
  const url = URL.createObjectURL(blob.body);
  const link = document.createElement('a');
  link.href = url;
  link.download = blob.filename ?? fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function fetchBlob(path: string): Promise<{ body: Blob; filename?: string }> {
  const response = await authenticatedFetch(new Request(new URL(path, window.location.origin)));
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: Schemas['ErrorDetail'] } | undefined;
    throw new ApiFailure(response.status, body?.error);
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1];
  return { body: await response.blob(), filename };
}
