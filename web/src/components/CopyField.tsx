import { useState } from 'react';
import { useT } from '../lib/i18n';

/// A value to paste elsewhere (a webhook URL): read-only text and a button that copies it.
export function CopyField({ label, value }: { label: string; value: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <div className="field copy-field">
      <span className="label">{label}</span>
      <code>{value}</code>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setCopied(true));
        }}
        aria-label={t('common.copyNamed', { name: label })}
      >
        {copied ? t('common.copied') : t('common.copy')}
      </button>
    </div>
  );
}
