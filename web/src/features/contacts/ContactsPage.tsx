import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ErrorNotice, QueryState } from '../../components/Feedback';
import { TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { api, unwrap } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { contactKeys } from '../../lib/queries';
import { useCan } from '../../lib/tenant';
import { useContacts, type Search } from './api';

/// Exact search: a value with `@` is an email, anything else a phone number (as the API looks up).
export function searchFor(tag: string, query: string): Search {
  const search: Search = {};
  if (tag.trim()) search.tag = tag.trim();
  const q = query.trim();
  if (q) {
    if (q.includes('@')) search.email = q;
    else search.phone = q;
  }
  return search;
}

export function Page() {
  const t = useT();
  const canWrite = useCan('contacts_write');
  const [search, setSearch] = useState<Search>({});
  const contacts = useContacts(search);
  const items = contacts.data?.pages.flatMap((page) => page.items) ?? [];

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setSearch(searchFor(String(form.get('tag') ?? ''), String(form.get('query') ?? '')));
  }

  return (
    <>
      <PageHeader
        title={t('contacts.title')}
        actions={canWrite ? <Link className="button" to="/contacts/new">{t('contacts.new')}</Link> : <button type="button" disabled>{t('contacts.new')}</button>}
      />
      <form className="card filters" onSubmit={submit} role="search" aria-label={t('contacts.search')}>
        <TextField label={t('contacts.tag')} name="tag" />
        <TextField label={t('contacts.exact')} name="query" hint={t('contacts.exactHint')} />
        <button type="submit">{t('contacts.searchButton')}</button>
      </form>
      <ErrorNotice error={contacts.error} showFieldErrors />
      {!contacts.data ? (
        <QueryState isPending={contacts.isPending} error={null} />
      ) : items.length === 0 ? (
        <p>{t('contacts.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('contacts.name')}</th>
              <th scope="col">{t('field.email')}</th>
              <th scope="col">{t('contacts.phone')}</th>
              <th scope="col">{t('contacts.tags')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((contact) => (
              <tr key={contact.id}>
                <td>
                  <Link to={`/contacts/${contact.id}`}>{contact.name || t('contacts.unnamed')}</Link>
                </td>
                <td>{contact.email ?? '—'}</td>
                <td>{contact.phone ?? '—'}</td>
                <td>{(contact.tags ?? []).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {contacts.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void contacts.fetchNextPage()}>
          {t('common.more')}
        </button>
      )}
      <Import enabled={canWrite} />
    </>
  );
}

function Import({ enabled }: { enabled: boolean }) {
  const t = useT();
  const queryClient = useQueryClient();
  const upload = useMutation({
    mutationFn: async (file: File) =>
      unwrap(
        api.POST('/v1/contacts/import', {
          body: await file.text(),
          bodySerializer: (body: string) => body,
          headers: { 'content-type': 'text/csv' },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: contactKeys.all }),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get('file');
    if (file instanceof File && file.size > 0) upload.mutate(file);
  }
  const report = upload.data;
  return (
    <section className="card">
      <h2>{t('contacts.import')}</h2>
      <p className="hint">{t('contacts.importHint')}</p>
      <form onSubmit={submit} className="inline-form">
        <fieldset disabled={!enabled || upload.isPending}>
          <div className="field">
            <label htmlFor="csv-file">{t('contacts.file')}</label>
            <input id="csv-file" name="file" type="file" accept=".csv,text/csv" required />
          </div>
          <button type="submit">{t('contacts.importButton')}</button>
        </fieldset>
      </form>
      <ErrorNotice error={upload.error} showFieldErrors />
      {report && (
        <div role="status">
          <p className="notice notice-ok">
            {t('contacts.importReport', { created: report.created, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected })}
          </p>
          {report.rejected_rows.length > 0 && (
            <table>
              <caption>{t('contacts.rejectedRows')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('contacts.row')}</th>
                  <th scope="col">{t('contacts.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {report.rejected_rows.map((row) => (
                  <tr key={row.row}>
                    <td>{row.row}</td>
                    <td>{row.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
