import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { CopyField } from '../../components/CopyField';
import { ErrorNotice, fieldError, QueryState } from '../../components/Feedback';
import { TextArea, TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { api, unwrap, type Schemas } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { tenantQuery, useCan, useTenant } from '../../lib/tenant';
import { channelKeys, useEmailChannel, useTwilioChannel } from './api';

const list = (text: string) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

export function Page() {
  const t = useT();
  const tenant = useTenant();
  const queryClient = useQueryClient();
  const canManage = useCan('tenant_manage');
  const canChannels = useCan('channels_manage');
  const save = useMutation({
    mutationFn: (body: Schemas['SettingsPatch']) => unwrap(api.PATCH('/v1/tenant', { body })),
    onSuccess: (saved) => queryClient.setQueryData(tenantQuery.queryKey, saved),
  });
  if (!tenant.data) return <QueryState isPending={tenant.isPending} error={tenant.error} />;
  const settings = tenant.data.settings;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const providers = list(text(form, 'allowed_providers'));
    save.mutate({
      contact_retention_days: Number(text(form, 'contact_retention_days')),
      conversation_retention_days: Number(text(form, 'conversation_retention_days')),
      default_country: text(form, 'default_country').toUpperCase() || null,
      allowed_providers: providers.length ? providers : null,
      analytics_opt_out: form.get('analytics_opt_out') === 'on',
    });
  }

  return (
    <>
      <PageHeader title={t('settings.title')} />
      <form className="card" onSubmit={submit} aria-labelledby="settings-tenant">
        <h2 id="settings-tenant">{t('settings.tenant')}</h2>
        <fieldset disabled={!canManage || save.isPending}>
          {!canManage && <p className="hint">{t('common.readOnlyRole')}</p>}
          <p>
            {t('settings.region')} <strong>{t(`region.${tenant.data.data_region}`)}</strong>
            <span className="hint"> {t('settings.regionHint')}</span>
          </p>
          <TextField label={t('settings.contactRetention')} name="contact_retention_days" type="number" min={0} defaultValue={settings.contact_retention_days} error={fieldError(save.error, 'contact_retention_days')} />
          <TextField label={t('settings.conversationRetention')} name="conversation_retention_days" type="number" min={0} defaultValue={settings.conversation_retention_days} error={fieldError(save.error, 'conversation_retention_days')} />
          <TextField label={t('settings.defaultCountry')} name="default_country" maxLength={2} hint={t('settings.defaultCountryHint')} defaultValue={settings.default_country ?? ''} error={fieldError(save.error, 'default_country')} />
          <TextField label={t('settings.providers')} name="allowed_providers" hint={t('settings.providersHint')} defaultValue={(settings.allowed_providers ?? []).join(', ')} error={fieldError(save.error, 'allowed_providers')} />
          <div className="checkbox">
            <input id="analytics_opt_out" name="analytics_opt_out" type="checkbox" defaultChecked={settings.analytics_opt_out} />
            <label htmlFor="analytics_opt_out">{t('settings.analyticsOptOut')}</label>
          </div>
          <ErrorNotice error={save.error} />
          {save.isSuccess && <p className="notice notice-ok" role="status">{t('common.saved')}</p>}
          <button type="submit">{t('common.save')}</button>
        </fieldset>
      </form>
      <TwilioChannel enabled={canChannels} />
      <EmailChannel enabled={canChannels} />
    </>
  );
}

function TwilioChannel({ enabled }: { enabled: boolean }) {
  const t = useT();
  const queryClient = useQueryClient();
  const channel = useTwilioChannel(enabled);
  const save = useMutation({
    mutationFn: (body: Schemas['TwilioChannelDraft']) => unwrap(api.PUT('/v1/channels/twilio', { body })),
    onSuccess: (saved) => queryClient.setQueryData(channelKeys.twilio, saved),
  });
  const c = channel.data;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      account_sid: text(form, 'account_sid'),
      auth_token: text(form, 'auth_token') || null,
      messaging_service_sid: text(form, 'messaging_service_sid') || null,
      phone_numbers: list(text(form, 'phone_numbers')),
      whatsapp_senders: list(text(form, 'whatsapp_senders')),
      help_text: text(form, 'help_text') || null,
    });
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="settings-twilio">
      <h2 id="settings-twilio">{t('settings.twilio')}</h2>
      {!enabled && <p className="hint">{t('common.readOnlyRole')}</p>}
      {channel.error && <ErrorNotice error={channel.error} showFieldErrors />}
      <fieldset disabled={!enabled || save.isPending}>
        <TextField label={t('settings.accountSid')} name="account_sid" defaultValue={c?.account_sid ?? ''} required error={fieldError(save.error, 'account_sid')} />
        <TextField
          label={t('settings.authToken')}
          name="auth_token"
          type="password"
          autoComplete="off"
          hint={c?.auth_token_set ? t('settings.secretKept') : undefined}
          error={fieldError(save.error, 'auth_token')}
        />
        <TextField label={t('settings.messagingService')} name="messaging_service_sid" defaultValue={c?.messaging_service_sid ?? ''} error={fieldError(save.error, 'messaging_service_sid')} />
        <TextArea label={t('settings.phoneNumbers')} name="phone_numbers" hint={t('common.onePerLine')} defaultValue={(c?.phone_numbers ?? []).join('\n')} error={fieldError(save.error, 'phone_numbers')} />
        <TextArea label={t('settings.whatsappSenders')} name="whatsapp_senders" hint={t('common.onePerLine')} defaultValue={(c?.whatsapp_senders ?? []).join('\n')} error={fieldError(save.error, 'whatsapp_senders')} />
        <TextArea label={t('settings.helpText')} name="help_text" maxLength={320} defaultValue={c?.help_text ?? ''} error={fieldError(save.error, 'help_text')} />
        <ErrorNotice error={save.error} />
        <button type="submit">{t('common.save')}</button>
      </fieldset>
      {c && (
        <div className="webhooks">
          <h3>{t('settings.webhooks')}</h3>
          <CopyField label={t('settings.webhookMessages')} value={c.webhook_urls.messages} />
          <CopyField label={t('settings.webhookStatus')} value={c.webhook_urls.status} />
        </div>
      )}
    </form>
  );
}

function EmailChannel({ enabled }: { enabled: boolean }) {
  const t = useT();
  const queryClient = useQueryClient();
  const channel = useEmailChannel(enabled);
  const save = useMutation({
    mutationFn: (body: Schemas['EmailChannelDraft']) => unwrap(api.PUT('/v1/channels/email', { body })),
    onSuccess: (saved) => queryClient.setQueryData(channelKeys.email, saved),
  });
  const c = channel.data;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      from_email: text(form, 'from_email'),
      from_name: text(form, 'from_name'),
      sendgrid_api_key: text(form, 'sendgrid_api_key') || null,
    });
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="settings-email">
      <h2 id="settings-email">{t('settings.email')}</h2>
      <fieldset disabled={!enabled || save.isPending}>
        <TextField label={t('settings.fromEmail')} name="from_email" type="email" defaultValue={c?.from_email ?? ''} required error={fieldError(save.error, 'from_email')} />
        <TextField label={t('settings.fromName')} name="from_name" defaultValue={c?.from_name ?? ''} error={fieldError(save.error, 'from_name')} />
        <TextField
          label={t('settings.sendgridKey')}
          name="sendgrid_api_key"
          type="password"
          autoComplete="off"
          hint={c?.sendgrid_api_key_set ? t('settings.secretKept') : undefined}
          error={fieldError(save.error, 'sendgrid_api_key')}
        />
        <ErrorNotice error={save.error} />
        <button type="submit">{t('common.save')}</button>
      </fieldset>
    </form>
  );
}
