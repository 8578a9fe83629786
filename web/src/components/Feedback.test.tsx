import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../lib/api';
import { I18nProvider } from '../lib/i18n';
import { ErrorNotice, ErrorPage, fieldError } from './Feedback';

function show(node: React.ReactNode) {
  return render(
    <I18nProvider initial="en">
      <MemoryRouter>{node}</MemoryRouter>
    </I18nProvider>,
  );
}

describe('API errors, as a person sees them', () => {
  it('a plan limit says what was used and links to an upgrade', () => {
    const limit = new ApiFailure(402, {
      code: 'plan_limit_reached',
      message: 'the free plan allows 3 analyses a month',
      limit: { metered: 'analyses_per_month', limit: 3, used: 3 },
    });
    show(<ErrorNotice error={limit} />);
    expect(screen.getByRole('alert')).toHaveTextContent('the free plan allows 3 analyses a month');
    expect(screen.getByRole('alert')).toHaveTextContent('You have used 3 of 3 on your plan.');
    expect(screen.getByRole('link', { name: 'Upgrade your plan' })).toHaveAttribute('href', '/billing');
  });

  it("a field's message goes beside the field, and the form only points at it", () => {
    const invalid = new ApiFailure(400, { code: 'invalid_field', message: 'email: is not an email address', field: 'email' });
    expect(fieldError(invalid, 'email')).toBe('email: is not an email address');
    expect(fieldError(invalid, 'company')).toBeUndefined();
    show(<ErrorNotice error={invalid} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Please correct the fields marked above.');
  });

  it('403 and 404 are plain pages, never JSON', () => {
    show(<ErrorPage error={new ApiFailure(403, { code: 'forbidden', message: 'not allowed for analysts' })} />);
    expect(screen.getByRole('heading', { name: 'Not allowed' })).toBeInTheDocument();
    expect(document.body.textContent).not.toContain('{');
  });

  it('anything unexpected is a sentence, not a stack', () => {
    show(<ErrorNotice error={new TypeError('x is undefined at foo.js:1:2')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Something went wrong. Please try again.');
    expect(screen.getByRole('alert')).not.toHaveTextContent('foo.js');
  });
});
