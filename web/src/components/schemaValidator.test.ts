import { describe, expect, it } from 'vitest';
import { errorSchemaOf, problemFromServer, problems } from './schemaValidator';

// The SWOT and competitor forms as `GET /v1/analysis-kinds` publishes them (abridged).
const swot = {
  type: 'object',
  required: ['goal'],
  properties: {
    goal: { type: 'string', minLength: 3, maxLength: 500 },
    time_horizon: { type: 'string', enum: ['3 months', '1 year'] },
    people: { type: 'array', minItems: 0, maxItems: 2, items: { type: 'string', minLength: 2, maxLength: 100 } },
  },
};
const budget = { type: 'object', required: ['budget_eur'], properties: { budget_eur: { type: 'integer', minimum: 0, maximum: 100 } } };

describe('form validation', () => {
  it('accepts a complete form', () => {
    expect(problems(swot, { goal: 'Open a shop', time_horizon: '1 year', people: ['Ada Baker'] })).toEqual([]);
  });

  it('names each field that is missing, too short, too long or not a choice', () => {
    expect(problems(swot, {})).toEqual([{ path: ['goal'], message: 'is required' }]);
    expect(problems(swot, { goal: 'ab' })).toEqual([{ path: ['goal'], message: 'must be at least 3 characters' }]);
    expect(problems(swot, { goal: 'x'.repeat(501) })[0]?.message).toBe('must be at most 500 characters');
    expect(problems(swot, { goal: 'Open', time_horizon: 'soon' })).toEqual([
      { path: ['time_horizon'], message: 'is not one of the choices' },
    ]);
  });

  it('checks list lengths and each item', () => {
    expect(problems(swot, { goal: 'Open', people: ['A', 'Ada', 'Bo'] })).toEqual([
      { path: ['people'], message: 'takes at most 2' },
      { path: ['people', '0'], message: 'must be at least 2 characters' },
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(problems(swot, { goal: '👩‍🍳ab' })).toEqual([]);
  });

  it('checks whole numbers and their bounds', () => {
    expect(problems(budget, { budget_eur: 1.5 })[0]?.message).toBe('must be a whole number');
    expect(problems(budget, { budget_eur: 101 })[0]?.message).toBe('must be at most 100');
    expect(problems(budget, { budget_eur: 0 })).toEqual([]);
  });
});

describe("the API's form errors", () => {
  it('land on the field they name, array items included', () => {
    expect(problemFromServer('inputs: goal: is required')).toEqual({ path: ['goal'], message: 'is required' });
    expect(problemFromServer('inputs: competitors[2]: must be at most 200 characters')).toEqual({
      path: ['competitors', '2'],
      message: 'must be at most 200 characters',
    });
    expect(problemFromServer('the analysis is running')).toBeNull();
  });

  it('become an rjsf error schema', () => {
    expect(errorSchemaOf([{ path: ['competitors', '2'], message: 'too long' }])).toEqual({
      competitors: { 2: { __errors: ['too long'] } },
    });
  });
});
