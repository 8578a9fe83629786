import { afterEach, describe, expect, it, vi } from 'vitest';
import { currentToken, onSessionChange, refreshSession, setToken } from './session';

afterEach(() => {
  vi.unstubAllGlobals();
  setToken(null);
});

describe('the session', () => {
  it('asks for one refresh however many requests need it, with the cookie and an empty body', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ status: 'authenticated', access_token: 'new' }), { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    const outcomes = await Promise.all([refreshSession(), refreshSession(), refreshSession()]);
    expect(outcomes).toEqual([true, true, true]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith('/v1/auth/refresh', expect.objectContaining({ body: '{}', credentials: 'same-origin' }));
    expect(currentToken()).toBe('new');
  });

  it('ends when the refresh is refused, and tells who listens', async () => {
    setToken('old');
    const seen: boolean[] = [];
    const stop = onSessionChange((signedIn) => seen.push(signedIn));
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}', { status: 401 })));
    expect(await refreshSession()).toBe(false);
    expect(currentToken()).toBeNull();
    expect(seen).toEqual([false]);
    stop();
  });
});
