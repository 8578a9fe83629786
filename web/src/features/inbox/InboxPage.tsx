import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorNotice, fieldError, QueryState } from '../../components/Feedback';
import { SelectField, TextArea } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { api, unwrap, type Schemas } from '../../lib/api';
import { conversationStatusValues } from '../../lib/api-schema';
import { useI18n } from '../../lib/i18n';
import { useContact, useMembers } from '../../lib/queries';
import { useCan } from '../../lib/tenant';
import { conversationKeys, useConversation, useConversations } from './api';
import { whatsappWindowEnd, whatsappWindowOpen } from './whatsapp';

type Status = Schemas['ConversationStatus'];

export function Page() {
  const { t, formatDate } = useI18n();
  const selected = useParams().id;
  const [status, setStatus] = useState<Status>('open');
  const conversations = useConversations(status);
  return (
    <>
      <PageHeader title={t('inbox.title')} />
      <div className="inbox">
        <section aria-labelledby="conversations-heading" className="conversation-list">
          <h2 id="conversations-heading" className="visually-hidden">{t('inbox.conversations')}</h2>
          <div role="group" aria-label={t('inbox.byStatus')} className="tabs">
            {conversationStatusValues.map((value) => (
              <button key={value} type="button" aria-pressed={status === value} className={status === value ? '' : 'secondary'} onClick={() => setStatus(value)}>
                {t(`conversationStatus.${value}`)}
              </button>
            ))}
          </div>
          <QueryState isPending={conversations.isPending} error={conversations.error} />
          {conversations.data?.items.length === 0 && <p>{t('inbox.none')}</p>}
          <ul className="plain-list">
            {conversations.data?.items.map((c) => (
              <li key={c.id} className={c.id === selected ? 'selected' : undefined}>
                <Link to={`/inbox/${c.id}`} aria-current={c.id === selected ? 'page' : undefined}>
                  {t(`channel.${c.channel}`)} · {formatDate(c.last_activity_at)}
                </Link>
              </li>
            ))}
          </ul>
        </section>
        {selected ? <Thread id={selected} /> : <p>{t('inbox.pick')}</p>}
      </div>
    </>
  );
}

function deliveryOf(message: Schemas['Message']): string {
  const status = message.status;
  return typeof status === 'string' ? status : status.delivery;
}

function Thread({ id }: { id: string }) {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const canWrite = useCan('contacts_write');
  const thread = useConversation(id);
  const contactId = thread.data?.contact_id;
  const contact = useContact(contactId);
  const members = useMembers({ retry: false });
  const refresh = () => queryClient.invalidateQueries({ queryKey: conversationKeys.all });
  const reply = useMutation({
    mutationFn: (body: string) => unwrap(api.POST('/v1/conversations/{id}/messages', { params: { path: { id } }, body: { body } })),
    onSuccess: refresh,
  });
  const change = useMutation({
    mutationFn: (body: Schemas['ConversationChange']) => unwrap(api.PATCH('/v1/conversations/{id}', { params: { path: { id } }, body })),
    onSuccess: refresh,
  });
  if (!thread.data) return <QueryState isPending={thread.isPending} error={thread.error} />;
  const c = thread.data;
  const windowEnd = c.channel === 'whatsapp' ? whatsappWindowEnd(c.last_inbound_at) : null;
  const windowOpen = c.channel !== 'whatsapp' || whatsappWindowOpen(c.last_inbound_at);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = String(new FormData(form).get('body') ?? '').trim();
    if (body) reply.mutate(body, { onSuccess: () => form.reset() });
  }

  return (
    <section className="thread card" aria-labelledby="thread-heading">
      <h2 id="thread-heading">{contact.data?.name || t('contacts.unnamed')} · {t(`channel.${c.channel}`)}</h2>
      <div className="inline-form">
        <SelectField
          label={t('inbox.assignee')}
          value={c.assignee ?? ''}
          disabled={!canWrite || change.isPending}
          onChange={(e) => change.mutate({ assignee: e.target.value || null })}
          options={[{ value: '', label: t('inbox.unassigned') }, ...(members.data?.members ?? []).map((m) => ({ value: m.user_id, label: m.email }))]}
        />
        <SelectField
          label={t('inbox.status')}
          value={c.status}
          disabled={!canWrite || change.isPending}
          onChange={(e) => change.mutate({ status: e.target.value })}
          options={conversationStatusValues.map((s) => ({ value: s, label: t(`conversationStatus.${s}`) }))}
        />
      </div>
      <ErrorNotice error={change.error} showFieldErrors />
      {windowEnd && (
        <p className={windowOpen ? 'notice' : 'notice notice-error'}>
          {windowOpen ? t('inbox.windowOpen', { until: formatDate(windowEnd.toISOString()) }) : t('inbox.windowClosed')}
        </p>
      )}
      <ol className="messages" aria-live="polite">
        {c.messages.map((m) => (
          <li key={m.id} className={`message ${m.direction}`}>
            <p>{m.body}</p>
            <p className="muted">
              {formatDate(m.at)} · {t(`delivery.${deliveryOf(m) as 'received'}`)}
              {m.error_code && ` · ${t('inbox.errorCode', { code: m.error_code })}`}
            </p>
          </li>
        ))}
      </ol>
      <form onSubmit={submit}>
        <fieldset disabled={!canWrite || !windowOpen || reply.isPending}>
          <TextArea label={t('inbox.reply')} name="body" maxLength={1600} required rows={3} error={fieldError(reply.error, 'body')} />
          <ErrorNotice error={reply.error} />
          <button type="submit">{t('inbox.send')}</button>
        </fieldset>
      </form>
    </section>
  );
}
