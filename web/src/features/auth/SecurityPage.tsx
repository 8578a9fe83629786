import { useState, type FormEvent } from 'react';
import qrcode from 'qrcode-generator';
import { ErrorNotice, fieldError } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { useT } from '../../lib/i18n';
import { startTotpSetup, verifyTotp } from './api';
import { TotpCodeField } from './TotpCodeField';

/// The QR code is drawn here, in the browser: the TOTP secret never goes to a third-party service.
export function qrDataUrl(text: string): string {
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(code.createSvgTag({ cellSize: 4, margin: 4, scalable: true }))}`;
}

export function SecurityPage() {
  const t = useT();
  const [setup, setSetup] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function begin() {
    setError(null);
    try {
      setSetup(await startTotpSetup());
    } catch (e) {
      setError(e);
    }
  }

  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    try {
      await verifyTotp(String(new FormData(event.currentTarget).get('code') ?? ''));
      setEnabled(true);
      setSetup(null);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <>
      <PageHeader title={t('security.title')} />
      <section className="card">
        <h2>{t('security.totp')}</h2>
        <p>{t('security.totpExplained')}</p>
        {enabled && <p className="notice notice-ok" role="status">{t('security.enabled')}</p>}
        {!setup && !enabled && (
          <button type="button" onClick={() => void begin()}>
            {t('security.start')}
          </button>
        )}
        {setup && (
          <form onSubmit={verify}>
            <img src={qrDataUrl(setup.otpauth_uri)} alt={t('security.qrAlt')} width={200} height={200} />
            <p>
              {t('security.manual')} <code>{setup.secret}</code>
            </p>
            <TotpCodeField error={fieldError(error, 'code')} />
            <button type="submit">{t('security.verify')}</button>
          </form>
        )}
        <ErrorNotice error={error} />
      </section>
    </>
  );
}
