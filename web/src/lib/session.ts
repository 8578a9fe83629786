// The signed-in session. The access token lives in this module's memory only (never in storage):
// a reload restores it from the refresh token, which the browser keeps in an HttpOnly cookie that
// scripts cannot read, scoped to /v1/auth.

type Listener = (signedIn: boolean) => void;

let accessToken: string | null = null;
const listeners = new Set<Listener>();

export function currentToken(): string | null {
  return accessToken;
}

export function setToken(token: string | null): void {
  const changed = (token === null) !== (accessToken === null);
  accessToken = token;
  if (changed) listeners.forEach((listener) => listener(token !== null));
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let refreshing: Promise<boolean> | null = null;

/// Asks for a new access token with the refresh cookie; one request at a time however many callers
/// need it. Resolves to whether the session goes on.
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    credentials: 'same-origin',
  })
    .then(async (response) => {
      if (!response.ok) return false;
      const body = (await response.json()) as { status?: string; access_token?: string };
      if (body.status !== 'authenticated' || !body.access_token) return false;
      setToken(body.access_token);
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing.then((ok) => {
    if (!ok) setToken(null);
    return ok;
  });
}
