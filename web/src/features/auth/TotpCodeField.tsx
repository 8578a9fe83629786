import { TextField } from '../../components/Field';
import { useT } from '../../lib/i18n';

/// The six digits of an authenticator app, as the login step and the setup both ask for them.
export function TotpCodeField({ error, hint }: { error?: string; hint?: string }) {
  const t = useT();
  return (
    <TextField
      label={t('field.totpCode')}
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
      hint={hint}
      error={error}
    />
  );
}
