import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import { ErrorNotice, fieldError, QueryState } from '../../components/Feedback';
import { TextArea, TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { api, unwrap, type Schemas } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { useCan } from '../../lib/tenant';
import { profileKeys, useProfile } from './api';

type Profile = Schemas['BusinessProfile'];

const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);

export function Page() {
  const t = useT();
  const welcome = new URLSearchParams(useLocation().search).has('welcome');
  const profile = useProfile();
  if (!profile.data) return <QueryState isPending={profile.isPending} error={profile.error} />;
  return (
    <>
      <PageHeader title={t('profile.title')} />
      {welcome && <p className="notice notice-ok">{t('profile.welcome')}</p>}
      <ProfileForm initial={profile.data} />
    </>
  );
}

function ProfileForm({ initial }: { initial: Profile }) {
  const t = useT();
  const canWrite = useCan('profile_write');
  const queryClient = useQueryClient();
  const [faqs, setFaqs] = useState(initial.faqs ?? []);
  const save = useMutation({
    mutationFn: (body: Profile) => unwrap(api.PUT('/v1/tenant/profile', { body })),
    onSuccess: (saved) => queryClient.setQueryData(profileKeys.all, saved),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    save.mutate({
      name: text('name'),
      business_type: text('business_type'),
      location: text('location'),
      website_url: text('website_url') || null,
      opening_hours: text('opening_hours'),
      products_services: lines(text('products_services')),
      people: lines(text('people')),
      faqs: faqs.filter((faq) => faq.question.trim() && faq.answer.trim()),
    });
  }

  const error = save.error;
  return (
    <form onSubmit={submit} className="card">
      <fieldset disabled={!canWrite}>
        {!canWrite && <p className="hint">{t('common.readOnlyRole')}</p>}
        <TextField label={t('profile.name')} name="name" defaultValue={initial.name} required error={fieldError(error, 'name')} />
        <TextField label={t('profile.businessType')} name="business_type" defaultValue={initial.business_type ?? ''} error={fieldError(error, 'business_type')} />
        <TextField label={t('profile.location')} name="location" defaultValue={initial.location ?? ''} error={fieldError(error, 'location')} />
        <TextField label={t('profile.website')} name="website_url" type="url" defaultValue={initial.website_url ?? ''} error={fieldError(error, 'website_url')} />
        <TextField label={t('profile.openingHours')} name="opening_hours" defaultValue={initial.opening_hours ?? ''} error={fieldError(error, 'opening_hours')} />
        <TextArea label={t('profile.products')} name="products_services" hint={t('common.onePerLine')} defaultValue={(initial.products_services ?? []).join('\n')} rows={4} error={fieldError(error, 'products_services')} />
        <TextArea label={t('profile.people')} name="people" hint={t('profile.peopleHint')} defaultValue={(initial.people ?? []).join('\n')} rows={3} error={fieldError(error, 'people')} />
        <fieldset className="faqs">
          <legend>{t('profile.faqs')}</legend>
          {faqs.map((faq, i) => (
            <div key={i} className="faq">
              <TextField label={t('profile.question', { n: i + 1 })} value={faq.question} onChange={(e) => setFaqs(faqs.map((f, j) => (j === i ? { ...f, question: e.target.value } : f)))} />
              <TextArea label={t('profile.answer', { n: i + 1 })} value={faq.answer} rows={2} onChange={(e) => setFaqs(faqs.map((f, j) => (j === i ? { ...f, answer: e.target.value } : f)))} />
              <button type="button" className="secondary" onClick={() => setFaqs(faqs.filter((_, j) => j !== i))}>
                {t('profile.removeFaq', { n: i + 1 })}
              </button>
            </div>
          ))}
          {fieldError(error, 'faqs') && <p className="field-error" role="alert">{fieldError(error, 'faqs')}</p>}
          <button type="button" className="secondary" onClick={() => setFaqs([...faqs, { question: '', answer: '' }])}>
            {t('profile.addFaq')}
          </button>
        </fieldset>
        <ErrorNotice error={error} />
        {save.isSuccess && <p className="notice notice-ok" role="status">{t('common.saved')}</p>}
        <button type="submit" disabled={save.isPending}>{t('profile.save')}</button>
      </fieldset>
    </form>
  );
}
