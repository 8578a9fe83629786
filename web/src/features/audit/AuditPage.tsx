import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNotice, QueryState } from '../../components/Feedback';
import { SelectField, TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { api, unwrap, type Schemas } from '../../lib/api';
import { auditActionValues } from '../../lib/api-schema';
import { useI18n } from '../../lib/i18n';
import { useAuditPage, type Filters } from './api';

/// The datetime-local value as RFC 3339 in UTC, which the API reads.
const toRfc3339 = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function Page() {
  const { t, formatDate } = useI18n();
  const [filters, setFilters] = useState<Filters>({});
  // The cursors of the pages before this one, to go back without asking the server.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useAuditPage(filters, cursor);
  const verify = useMutation({ mutationFn: () => unwrap(api.GET('/v1/audit/verify')) });

  function applyFilters(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    setCursors([undefined]);
    setFilters({
      action: text('action') as Schemas['AuditAction'] | undefined,
      actor: text('actor'),
      from: toRfc3339(text('from') ?? ''),
      to: toRfc3339(text('to') ?? ''),
    });
  }

  return (
    <>
      <PageHeader
        title={t('audit.title')}
        actions={
          <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
            {t('audit.verify')}
          </button>
        }
      />
      {verify.data && (
        <p className={verify.data.valid ? 'notice notice-ok' : 'notice notice-error'} role="status">
          {verify.data.valid
            ? t('audit.valid', { count: verify.data.entries_checked })
            : t('audit.broken', { seq: verify.data.first_broken_link?.seq ?? '?', reason: verify.data.first_broken_link?.reason ?? '' })}
        </p>
      )}
      <ErrorNotice error={verify.error} showFieldErrors />
      <form className="card filters" onSubmit={applyFilters} aria-label={t('audit.filters')}>
        <SelectField
          label={t('audit.action')}
          name="action"
          defaultValue=""
          options={[{ value: '', label: t('audit.anyAction') }, ...auditActionValues.map((a) => ({ value: a, label: a }))]}
        />
        <TextField label={t('audit.actor')} name="actor" hint={t('audit.actorHint')} />
        <TextField label={t('audit.from')} name="from" type="datetime-local" />
        <TextField label={t('audit.to')} name="to" type="datetime-local" />
        <button type="submit">{t('audit.apply')}</button>
      </form>
      <ErrorNotice error={page.error} showFieldErrors />
      {!page.data ? (
        <QueryState isPending={page.isPending} error={null} />
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.target')}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.entries.map((entry) => (
              <tr key={entry.seq}>
                <td>{entry.seq}</td>
                <td>{formatDate(entry.at)}</td>
                <td className="mono">{entry.actor}</td>
                <td>{entry.action}</td>
                <td className="mono">{entry.target}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <button type="button" className="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('common.newer')}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!page.data?.next_cursor}
          onClick={() => page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])}
        >
          {t('common.older')}
        </button>
      </div>
    </>
  );
}
