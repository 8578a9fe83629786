import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ErrorNotice, fieldError } from '../../components/Feedback';
import { TextField } from '../../components/Field';
import { useT } from '../../lib/i18n';
import { TotpCodeField } from './TotpCodeField';
import { acceptTokens, answerMfa, answerNewPassword, login, type Challenge } from './api';

/// Logging in is a conversation: a password, then perhaps a new password (first login of an invited
/// member) and a code from the authenticator app.
export function LoginPage() {
  const t = useT();
  const navigate = useNavigate();
  const location = useLocation();
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  const [email, setEmail] = useState('');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function step(run: () => Promise<Parameters<typeof acceptTokens>[0]>) {
    setBusy(true);
    setError(null);
    try {
      const pending = acceptTokens(await run());
      if (pending) setChallenge(pending);
      else navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '');
    if (!challenge) {
      setEmail(value('email'));
      void step(() => login(value('email'), value('password')));
    } else if (challenge.challenge === 'NEW_PASSWORD_REQUIRED') {
      void step(() => answerNewPassword(email, challenge.session, value('new_password')));
    } else {
      void step(() => answerMfa(email, challenge.session, value('code')));
    }
  }

  return (
    <main id="main" className="auth-page">
      <h1>{t('login.title')}</h1>
      <form onSubmit={submit} noValidate={false}>
        {!challenge && (
          <>
            <TextField label={t('field.email')} name="email" type="email" autoComplete="username" required error={fieldError(error, 'email')} />
            <TextField label={t('field.password')} name="password" type="password" autoComplete="current-password" required />
          </>
        )}
        {challenge?.challenge === 'NEW_PASSWORD_REQUIRED' && (
          <>
            <p>{t('login.newPasswordExplained')}</p>
            <TextField
              label={t('field.newPassword')}
              name="new_password"
              type="password"
              autoComplete="new-password"
              minLength={12}
              required
              hint={t('field.passwordRules')}
              error={fieldError(error, 'new_password') ?? fieldError(error, 'password')}
            />
          </>
        )}
        {challenge?.challenge === 'SOFTWARE_TOKEN_MFA' && <TotpCodeField hint={t('login.codeHint')} error={fieldError(error, 'code')} />}
        {challenge && challenge.challenge !== 'NEW_PASSWORD_REQUIRED' && challenge.challenge !== 'SOFTWARE_TOKEN_MFA' && (
          <p className="notice notice-error" role="alert">{t('login.unsupportedChallenge')}</p>
        )}
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy}>
          {challenge ? t('login.continue') : t('login.submit')}
        </button>
      </form>
      <p>
        {t('login.noAccount')} <Link to="/signup">{t('signup.title')}</Link>
      </p>
    </main>
  );
}
