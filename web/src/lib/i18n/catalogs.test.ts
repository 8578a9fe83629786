import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';
import { format, preferredLanguage } from './index';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('say the same things in German: every key, with the same placeholders', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(de[key]), key).toEqual(placeholders(en[key]));
      expect(de[key].trim(), key).not.toBe('');
    }
  });

  it('fill placeholders and leave unknown ones visible', () => {
    expect(format('{used} of {limit}', { used: 3, limit: 10 })).toBe('3 of 10');
    expect(format('Hello {name}', {})).toBe('Hello {name}');
  });
});

describe('the language', () => {
  it("is the person's choice first, then the browser's order, then English", () => {
    expect(preferredLanguage('de', ['en-GB'])).toBe('de');
    expect(preferredLanguage(null, ['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(preferredLanguage(null, ['en-US', 'de'])).toBe('en');
    expect(preferredLanguage('xx', ['fr'])).toBe('en');
  });
});
