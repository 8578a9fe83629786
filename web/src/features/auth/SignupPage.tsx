import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ErrorNotice, fieldError } from '../../components/Feedback';
import { TextField } from '../../components/Field';
import { useT } from '../../lib/i18n';
import { acceptTokens, login, signUp } from './api';

export function SignupPage() {
  const t = useT();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      company: String(form.get('company') ?? ''),
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
    };
    setBusy(true);
    setError(null);
    try {
      await signUp(body);
      acceptTokens(await login(body.email, body.password));
      navigate('/profile?welcome=1', { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="auth-page">
      <h1>{t('signup.title')}</h1>
      <p>{t('signup.intro')}</p>
      <form onSubmit={submit}>
        <TextField label={t('field.company')} name="company" required maxLength={200} autoComplete="organization" error={fieldError(error, 'company')} />
        <TextField label={t('field.email')} name="email" type="email" required autoComplete="email" error={fieldError(error, 'email')} />
        <TextField
          label={t('field.password')}
          name="password"
          type="password"
          required
          minLength={12}
          autoComplete="new-password"
          hint={t('field.passwordRules')}
          error={fieldError(error, 'password')}
        />
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy}>{t('signup.submit')}</button>
      </form>
      <p>
        {t('signup.haveAccount')} <Link to="/login">{t('login.submit')}</Link>
      </p>
    </main>
  );
}
