import { api, unwrap, type Schemas } from '../../lib/api';
import { setToken } from '../../lib/session';

export type LoginOutcome = Schemas['LoginOutcome'];
export type Challenge = Extract<LoginOutcome, { status: 'challenge' }>;

export function login(email: string, password: string) {
  return unwrap(api.POST('/v1/auth/login', { body: { email, password }, credentials: 'same-origin' }));
}

export function answerNewPassword(email: string, session: string, newPassword: string) {
  return unwrap(
    api.POST('/v1/auth/new-password', {
      body: { email, session, new_password: newPassword },
      credentials: 'same-origin',
    }),
  );
}

export function answerMfa(email: string, session: string, code: string) {
  return unwrap(
    api.POST('/v1/auth/mfa', { body: { step: 'challenge', email, session, code }, credentials: 'same-origin' }),
  ) as Promise<LoginOutcome>;
}

export function signUp(body: Schemas['SignupRequest']) {
  return unwrap(api.POST('/v1/signup', { body }));
}

/// Signs out everywhere (Cognito's global sign-out) and forgets the token here, even if the server
/// could not be reached.
export async function logOut() {
  try {
    await unwrap(api.POST('/v1/auth/logout', { credentials: 'same-origin' }));
  } finally {
    setToken(null);
  }
}

export function startTotpSetup() {
  return unwrap(api.POST('/v1/auth/mfa', { body: { step: 'setup' } })) as Promise<Schemas['TotpSetup']>;
}

export function verifyTotp(code: string) {
  return unwrap(api.POST('/v1/auth/mfa', { body: { step: 'verify', code } }));
}

/// Keeps the access token of a finished login in memory; the refresh token came as a cookie.
export function acceptTokens(outcome: LoginOutcome): Challenge | null {
  if (outcome.status === 'authenticated') {
    setToken(outcome.access_token);
    return null;
  }
  return outcome;
}
