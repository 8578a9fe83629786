import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ErrorNotice, fieldError, QueryState } from '../../components/Feedback';
import { SelectField, TextArea, TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { api, unwrap, type Schemas } from '../../lib/api';
import { channelValues, consentSourceValues, purposeValues } from '../../lib/api-schema';
import { useI18n } from '../../lib/i18n';
import { contactKeys, useContact } from '../../lib/queries';
import { useCan } from '../../lib/tenant';
import { useConsents } from './api';

type Contact = Schemas['Contact'];
const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
const tags = (raw: string) => raw.split(',').map((tag) => tag.trim()).filter(Boolean);

export function Page() {
  const id = useParams().id;
  const contact = useContact(id);
  if (!id) return <ContactForm />;
  if (!contact.data) return <QueryState isPending={contact.isPending} error={contact.error} />;
  return (
    <>
      <ContactForm contact={contact.data} />
      <Consents contactId={id} />
    </>
  );
}

function ContactForm({ contact }: { contact?: Contact }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const canWrite = useCan('contacts_write');
  const save = useMutation({
    mutationFn: (draft: Schemas['ContactDraft']) =>
      contact
        ? unwrap(api.PATCH('/v1/contacts/{id}', { params: { path: { id: contact.id } }, body: draft }))
        : unwrap(api.POST('/v1/contacts', { body: draft })),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: contactKeys.all });
      if (!contact) navigate(`/contacts/${saved.id}`, { replace: true });
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/contacts/{id}', { params: { path: { id: contact?.id ?? '' } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: contactKeys.one(contact?.id ?? '') });
      void queryClient.invalidateQueries({ queryKey: contactKeys.all });
      navigate('/contacts', { replace: true });
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      name: text(form, 'name'),
      email: text(form, 'email') || null,
      phone: text(form, 'phone') || null,
      tags: tags(text(form, 'tags')),
      notes: text(form, 'notes'),
    });
  }
  const error = save.error;
  return (
    <>
      <PageHeader
        title={contact ? contact.name || t('contacts.unnamed') : t('contacts.new')}
        actions={
          contact && (
            <button type="button" className="danger" disabled={!canWrite || remove.isPending} onClick={() => window.confirm(t('contacts.confirmDelete')) && remove.mutate()}>
              {t('common.delete')}
            </button>
          )
        }
      />
      <form className="card" onSubmit={submit}>
        <fieldset disabled={!canWrite || save.isPending}>
          {!canWrite && <p className="hint">{t('common.readOnlyRole')}</p>}
          <TextField label={t('contacts.name')} name="name" defaultValue={contact?.name ?? ''} maxLength={200} error={fieldError(error, 'name')} />
          <TextField label={t('field.email')} name="email" type="email" defaultValue={contact?.email ?? ''} error={fieldError(error, 'email')} />
          <TextField label={t('contacts.phone')} name="phone" type="tel" hint={t('contacts.phoneHint')} defaultValue={contact?.phone ?? ''} error={fieldError(error, 'phone')} />
          <TextField label={t('contacts.tags')} name="tags" hint={t('contacts.tagsHint')} defaultValue={(contact?.tags ?? []).join(', ')} error={fieldError(error, 'tags')} />
          <TextArea label={t('contacts.notes')} name="notes" maxLength={5000} defaultValue={contact?.notes ?? ''} error={fieldError(error, 'notes')} />
          <ErrorNotice error={error ?? remove.error} />
          {save.isSuccess && contact && <p className="notice notice-ok" role="status">{t('common.saved')}</p>}
          <button type="submit">{t('common.save')}</button>
        </fieldset>
      </form>
    </>
  );
}

function Consents({ contactId }: { contactId: string }) {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const canWrite = useCan('contacts_write');
  const ledger = useConsents(contactId);
  const record = useMutation({
    mutationFn: (body: Schemas['ConsentRequest']) => unwrap(api.POST('/v1/contacts/{id}/consents', { params: { path: { id: contactId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: contactKeys.consents(contactId) }),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    record.mutate({
      channel: text(form, 'channel') as Schemas['Channel'],
      purpose: text(form, 'purpose') as Schemas['Purpose'],
      granted: text(form, 'granted') === 'granted',
      source: text(form, 'source') as Schemas['ConsentSource'],
      evidence: text(form, 'evidence'),
    });
  }
  const current = (ledger.data?.current ?? {}) as Record<string, Record<string, string>>;
  return (
    <section className="card" aria-labelledby="consent-heading">
      <h2 id="consent-heading">{t('consent.title')}</h2>
      <QueryState isPending={ledger.isPending} error={ledger.error} />
      {ledger.data && (
        <table>
          <caption>{t('consent.current')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('consent.channel')}</th>
              {purposeValues.map((purpose) => (
                <th scope="col" key={purpose}>{t(`purpose.${purpose}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {channelValues.map((channel) => (
              <tr key={channel}>
                <th scope="row">{t(`channel.${channel}`)}</th>
                {purposeValues.map((purpose) => (
                  <td key={purpose}>{t(`consentState.${(current[channel]?.[purpose] ?? 'none') as 'granted' | 'withdrawn' | 'none'}`)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={submit} className="inline-form">
        <fieldset disabled={!canWrite || record.isPending}>
          <legend>{t('consent.record')}</legend>
          <SelectField label={t('consent.channel')} name="channel" options={channelValues.map((c) => ({ value: c, label: t(`channel.${c}`) }))} />
          <SelectField label={t('consent.purpose')} name="purpose" options={purposeValues.map((p) => ({ value: p, label: t(`purpose.${p}`) }))} />
          <SelectField label={t('consent.decision')} name="granted" options={[{ value: 'granted', label: t('consentState.granted') }, { value: 'withdrawn', label: t('consentState.withdrawn') }]} />
          <SelectField
            label={t('consent.source')}
            name="source"
            defaultValue="agent"
            options={consentSourceValues.filter((s) => s !== 'keyword' && s !== 'unsubscribe').map((s) => ({ value: s, label: t(`consentSource.${s}`) }))}
          />
          <TextField label={t('consent.evidence')} name="evidence" required maxLength={500} error={fieldError(record.error, 'evidence')} />
          <button type="submit">{t('consent.save')}</button>
        </fieldset>
      </form>
      <ErrorNotice error={record.error} />
      {ledger.data && ledger.data.history.length > 0 && (
        <table>
          <caption>{t('consent.history')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('consent.channel')}</th>
              <th scope="col">{t('consent.purpose')}</th>
              <th scope="col">{t('consent.decision')}</th>
              <th scope="col">{t('consent.source')}</th>
              <th scope="col">{t('consent.evidence')}</th>
            </tr>
          </thead>
          <tbody>
            {ledger.data.history.map((entry, i) => (
              <tr key={i}>
                <td>{formatDate(entry.at)}</td>
                <td>{t(`channel.${entry.channel}`)}</td>
                <td>{t(`purpose.${entry.purpose}`)}</td>
                <td>{entry.granted ? t('consentState.granted') : t('consentState.withdrawn')}</td>
                <td>{t(`consentSource.${entry.source}`)}</td>
                <td>{entry.evidence}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
