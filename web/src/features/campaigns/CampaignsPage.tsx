import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorNotice, fieldError, QueryState } from '../../components/Feedback';
import { SelectField, TextArea, TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { api, unwrap, type Schemas } from '../../lib/api';
import { channelValues } from '../../lib/api-schema';
import { useI18n } from '../../lib/i18n';
import { useCan } from '../../lib/tenant';
import { campaignKeys, useAudience, useCampaigns } from './api';

const tagList = (raw: string) => [...new Set(raw.split(',').map((tag) => tag.trim()).filter(Boolean))];

export function Page() {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const canWrite = useCan('contacts_write');
  const campaigns = useCampaigns();
  const [channel, setChannel] = useState<Schemas['Channel']>('sms');
  const [tags, setTags] = useState('');
  const audienceTags = useSettled(tagList(tags).join(','), 400);
  const audience = useAudience(channel, audienceTags);
  const send = useMutation({
    mutationFn: (body: Schemas['NewCampaign']) => unwrap(api.POST('/v1/campaigns', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: campaignKeys.all }),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (!window.confirm(t('campaigns.confirmSend'))) return;
    send.mutate({
      channel,
      subject: channel === 'email' ? String(form.get('subject') ?? '') : null,
      body: String(form.get('body') ?? ''),
      audience: { tags: tagList(tags) },
    });
  }

  return (
    <>
      <PageHeader title={t('campaigns.title')} />
      <form className="card" onSubmit={submit}>
        <h2>{t('campaigns.compose')}</h2>
        <fieldset disabled={!canWrite || send.isPending}>
          {!canWrite && <p className="hint">{t('common.readOnlyRole')}</p>}
          <SelectField label={t('consent.channel')} value={channel} onChange={(e) => setChannel(e.target.value as Schemas['Channel'])} options={channelValues.map((c) => ({ value: c, label: t(`channel.${c}`) }))} />
          <TextField label={t('campaigns.tags')} value={tags} onChange={(e) => setTags(e.target.value)} hint={t('contacts.tagsHint')} required error={fieldError(send.error, 'audience')} />
          <p role="status" className="hint">
            {audience.data &&
              t('campaigns.audience', {
                consented: audience.data.consented,
                contacts: audience.data.contacts,
                channel: t(`channel.${channel}`),
                no_consent: audience.data.no_consent,
                opted_out: audience.data.opted_out,
                unreachable: audience.data.unreachable,
              })}
          </p>
          <ErrorNotice error={audience.error} showFieldErrors />
          {channel === 'email' && <TextField label={t('campaigns.subject')} name="subject" required error={fieldError(send.error, 'subject')} />}
          <TextArea label={t('campaigns.body')} name="body" required maxLength={1600} rows={4} hint={t('campaigns.bodyHint')} error={fieldError(send.error, 'body')} />
          <ErrorNotice error={send.error} />
          {send.isSuccess && <p className="notice notice-ok" role="status">{t('campaigns.accepted')}</p>}
          <button type="submit" disabled={!audience.data || audience.data.consented === 0}>
            {t('campaigns.send')}
          </button>
        </fieldset>
      </form>
      <section className="card">
        <h2>{t('campaigns.list')}</h2>
        <QueryState isPending={campaigns.isPending} error={campaigns.error} />
        {campaigns.data?.items.length === 0 && <p>{t('campaigns.none')}</p>}
        {campaigns.data && campaigns.data.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('consent.channel')}</th>
                <th scope="col">{t('campaigns.status')}</th>
                <th scope="col">{t('campaigns.targeted')}</th>
                <th scope="col">{t('campaigns.sent')}</th>
                <th scope="col">{t('campaigns.delivered')}</th>
                <th scope="col">{t('campaigns.failed')}</th>
                <th scope="col">{t('campaigns.skipped')}</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.data.items.map((c) => {
                const s = c.counts.skipped;
                return (
                  <tr key={c.id}>
                    <td>{formatDate(c.created_at)}</td>
                    <td>{t(`channel.${c.channel}`)}</td>
                    <td>{t(`campaignStatus.${c.status}`)}</td>
                    <td>{c.counts.targeted}</td>
                    <td>{c.counts.sent}</td>
                    <td>{c.counts.delivered}</td>
                    <td>{c.counts.failed}</td>
                    <td title={t('campaigns.skippedDetail', { no_consent: s.no_consent, opted_out: s.opted_out, invalid: s.invalid, plan_limit: s.plan_limit })}>
                      {s.no_consent + s.opted_out + s.invalid + s.plan_limit}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/// `value` once it has stopped changing for `ms` (typing a tag list asks the server once, not per key).
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
