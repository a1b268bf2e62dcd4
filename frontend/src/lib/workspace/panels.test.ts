import { describe, expect, it } from 'vitest';
import type { FieldInfo, RunInfo, SeriesInfo } from '../api/types';
import {
  expectedPairs,
  decodeWorkspace, encodeWorkspace, orderPanels, panelSpec, runDisplayName, runNames, runOrder, runsInView, sectionsFor, workspaceDashboard, xFieldFor,
} from './panels';

const types: Record<string, string> = { step: 'int', epoch: 'int', loss: 'float', acc: 'float', phase: 'string', ok: 'bool', img: 'image' };
const fields = new Map<string, FieldInfo>(Object.entries(types).map(([name, type]) => [name, { handle: name, name, type, description: '' }]));
const traits = {
  numeric: (t: string) => t === 'int' || t === 'float',
  discrete: (t: string) => t === 'int' || t === 'string' || t === 'bool',
};
const run = (handle: string, started_at: number, attributes: RunInfo['attributes'] = {}): RunInfo => ({ handle, started_at, tags: [], attributes });

describe('sectionsFor', () => {
  it('draws a series against the field it names as its x, else against its first int field', () => {
    const all = new Map(fields);
    for (const [name, type] of Object.entries({ t: 'float', wave: 'int', value: 'float' })) all.set(name, { handle: name, name, type, description: '' });
    const series: SeriesInfo[] = [
      { name: 'waves', fields: ['t', 'wave', 'value'], x: 't' },
      { name: 'plain', fields: ['t', 'wave', 'value'] },
      { name: 'epochs', fields: ['step', 'epoch', 'acc'], x: 'epoch' },
      { name: 'stale', fields: ['phase', 'step', 'loss'], x: 'phase' },
    ];
    const sections = sectionsFor(series, all, traits);
    expect(sections.map((s) => [s.series, s.x, s.panels.map((p) => `${p.x}:${p.y}`)])).toEqual([
      ['waves', 't', ['t:wave', 't:value']],
      ['plain', 'wave', ['wave:t', 'wave:value']],
      ['epochs', 'epoch', ['epoch:step', 'epoch:acc']],
      ['stale', 'step', ['step:loss']],
    ]);
    expect(panelSpec(sections[0]!.panels[1]!, {}).datasets[0]!.bindings).toEqual({ x: 't', y: 'value', color: 'run' });
    // A float x with no int field at all still gets its section.
    expect(sectionsFor([{ name: 'timed', fields: ['t', 'value'], x: 't' }], all, traits).map((s) => s.x)).toEqual(['t']);
    expect(sectionsFor([{ name: 'timed', fields: ['t', 'value'] }], all, traits)).toEqual([]);
  });

  it('gives a media field a media panel, with the boxes of its box series drawn over it', () => {
    const all = new Map(fields);
    for (const [name, type] of Object.entries({ clip: 'audio', 'box.x0': 'float', 'box.y0': 'float', 'box.x1': 'float', 'box.y1': 'float', 'box.label': 'string', 'box.score': 'float' })) all.set(name, { handle: name, name, type, description: '' });
    const media = { ...traits, media: (t: string) => ['image', 'audio', 'video'].includes(t) };
    const series: SeriesInfo[] = [
      { name: 'samples', fields: ['step', 'img', 'clip'] },
      { name: 'samples.boxes', fields: ['step', 'box.x0', 'box.y0', 'box.x1', 'box.y1', 'box.label', 'box.score'] },
    ];
    const sections = sectionsFor(series, all, media);
    expect(sections.map((s) => s.series)).toEqual(['samples']);
    const [img, clip] = sections[0]!.panels;
    expect(img).toEqual({ key: 'samples/img', series: 'samples', x: 'step', y: 'img', media: { boxes: 'samples.boxes' } });
    expect(clip?.media).toEqual({ boxes: null });
    const spec = panelSpec(img!, {});
    expect(spec.kind).toBe('media');
    expect(spec.datasets.map((d) => d.bindings)).toEqual([{ media: 'img', frame: 'step' }, { x0: 'box.x0', y0: 'box.y0', x1: 'box.x1', y1: 'box.y1', label: 'box.label', score: 'box.score' }]);
  });

  it('gives a string field a text panel at its latest step, with the media panels, leaving the captured series out', () => {
    const all = new Map(fields);
    all.set('note', { handle: 'note', name: 'note', type: 'string', description: '' });
    all.set('console.line', { handle: 'console.line', name: 'console.line', type: 'int', description: '' });
    all.set('console.text', { handle: 'console.text', name: 'console.text', type: 'string', description: '' });
    const both = { ...traits, media: (t: string) => t === 'image', textual: (t: string) => t === 'string' };
    const series: SeriesInfo[] = [
      { name: 'samples', fields: ['step', 'note', 'loss', 'img', 'phase'] },
      { name: 'notes', fields: ['step', 'note'] },
      { name: 'console', fields: ['console.line', 'console.text'] },
    ];
    const sections = sectionsFor(series, all, both);
    expect(sections.map((s) => s.series)).toEqual(['samples', 'notes']);
    // The line panels first, then the media and text panels in schema order.
    expect(sections[0]!.panels.map((p) => [p.y, p.media ? 'media' : p.text ? 'text' : 'line'])).toEqual([['loss', 'line'], ['note', 'text'], ['img', 'media'], ['phase', 'text']]);
    const note = sections[1]!.panels[0]!;
    expect(note).toEqual({ key: 'notes/note', series: 'notes', x: 'step', y: 'note', text: true });
    const spec = panelSpec(note, { handles: ['a'] }, 'elapsed');
    expect(spec).toEqual({ name: 'workspace notes note', title: 'note', kind: 'text', datasets: [{ series: 'notes', filter: { handles: ['a'] }, bindings: { text: 'note', frame: 'step' } }], frame: { value: 'latest' } });
    // Without the textual trait (an older caller), strings get no panel.
    expect(sectionsFor(series, all, traits).map((s) => s.series)).toEqual(['samples']);
  });

  it('puts the sections with a chart before those of only media and text, and the clocked ones last', () => {
    const all = new Map(fields);
    all.set('img', { handle: 'img', name: 'img', type: 'image', description: '' });
    all.set('system.time', { handle: 'system.time', name: 'system.time', type: 'float', description: '' });
    all.set('system.cpu', { handle: 'system.cpu', name: 'system.cpu', type: 'float', description: '' });
    const media = { ...traits, media: (t: string) => t === 'image' };
    const series: SeriesInfo[] = [
      { name: 'a-samples', fields: ['step', 'img'] },
      { name: 'system', fields: ['system.time', 'system.cpu'] },
      { name: 'b-train', fields: ['step', 'loss'] },
    ];
    expect(sectionsFor(series, all, media).map((s) => s.series)).toEqual(['b-train', 'a-samples', 'system']);
  });

  it('makes one panel per numeric field against the first int field, in schema order', () => {
    const series: SeriesInfo[] = [{ name: 'train', fields: ['phase', 'step', 'loss', 'epoch', 'acc', 'ok'] }];
    const [s] = sectionsFor(series, fields, traits);
    expect(s?.x).toBe('step');
    expect(s?.panels.map((p) => p.y)).toEqual(['loss', 'epoch', 'acc']);
    expect(s?.panels[0]).toEqual({ key: 'train/loss', series: 'train', x: 'step', y: 'loss' });
  });

  it('skips series without a step or without anything numeric besides it', () => {
    const series: SeriesInfo[] = [
      { name: 'nostep', fields: ['loss', 'acc'] },
      { name: 'onlystep', fields: ['step', 'phase', 'img'] },
      { name: 'eval', fields: ['epoch', 'acc'] },
    ];
    expect(sectionsFor(series, fields, traits).map((s) => [s.series, s.x])).toEqual([['eval', 'epoch']]);
  });

  it("leaves out what a logger captures by itself, and charts the machine's load last, against its clock", () => {
    const capture: Record<string, string> = {
      'console.line': 'int', 'console.time': 'float', 'progress.done': 'int', 'progress.rate': 'float',
      'system.time': 'float', 'system.cpu_percent': 'float', 'system.memory_used': 'int',
      'gpu.index': 'int', 'gpu.utilization': 'float',
    };
    const all = new Map(fields);
    for (const [name, type] of Object.entries(capture)) all.set(name, { handle: name, name, type, description: '' });
    const series: SeriesInfo[] = [
      { name: 'console', fields: ['console.line', 'console.time'] },
      { name: 'system', fields: ['system.time', 'system.cpu_percent', 'system.memory_used'] },
      { name: 'system.gpu', fields: ['system.time', 'gpu.index', 'gpu.utilization'] },
      { name: 'progress', fields: ['progress.done', 'progress.rate'] },
      { name: 'train', fields: ['step', 'loss'] },
    ];
    const sections = sectionsFor(series, all, traits);
    expect(sections.map((s) => [s.series, s.x])).toEqual([['train', 'step'], ['system', 'system.time']]);
    expect(sections[1]?.panels.map((p) => p.y)).toEqual(['system.cpu_percent', 'system.memory_used']);
  });

  it('ignores fields the listing does not know yet (a series logged while loading)', () => {
    expect(sectionsFor([{ name: 'x', fields: ['step', 'new_metric'] }], fields, traits)).toEqual([]);
  });
});

describe('panels and runs', () => {
  const panels = sectionsFor([{ name: 'train', fields: ['step', 'loss', 'acc', 'epoch'] }], fields, traits)[0]?.panels ?? [];

  it('puts pinned panels first, in the order pinned', () => {
    expect(orderPanels(panels, ['train/epoch', 'train/acc']).map((p) => p.y)).toEqual(['epoch', 'acc', 'loss']);
    expect(orderPanels(panels, ['gone/x']).map((p) => p.y)).toEqual(['loss', 'acc', 'epoch']);
  });

  it('builds a line plot colored by run over the given runs', () => {
    const spec = panelSpec(panels[0]!, { handles: ['a'] });
    expect(spec.kind).toBe('line');
    expect(spec.datasets).toEqual([{ series: 'train', filter: { handles: ['a'] }, bindings: { x: 'step', y: 'loss', color: 'run' } }]);
  });

  it('names a run by its name attribute, else its short handle', () => {
    expect(runDisplayName(run('0123456789abcdef', 1, { name: 'baseline' }))).toBe('baseline');
    expect(runDisplayName(run('0123456789abcdef', 1, { name: 3 }))).toBe('01234567');
    expect(runDisplayName(run('0123456789abcdef', 1))).toBe('01234567');
  });

  it('names runs in view by their name attribute, else by what differs between them', () => {
    const names = runNames([
      run('aaaaaaaa-0000-0000-0000-000000000000', 1, { lr: 0.003, optimizer: 'sgd', seed: 1 }),
      run('bbbbbbbb-0000-0000-0000-000000000000', 2, { lr: 0.001, optimizer: 'adam', seed: 1 }),
      run('cccccccc-0000-0000-0000-000000000000', 3, { lr: 0.001, optimizer: 'adam', seed: 1, name: 'baseline' }),
    ]);
    expect(names.get('aaaaaaaa-0000-0000-0000-000000000000')).toBe('lr=0.003 · sgd');
    expect(names.get('bbbbbbbb-0000-0000-0000-000000000000')).toBe('lr=0.001 · adam');
    expect(names.get('cccccccc-0000-0000-0000-000000000000')).toBe('baseline');
    // Runs that differ in nothing keep their short handles.
    const same = runNames([run('dddddddd-0000-0000-0000-000000000000', 1, { lr: 1 }), run('eeeeeeee-0000-0000-0000-000000000000', 2, { lr: 1 })]);
    expect([...same.values()]).toEqual(['dddddddd', 'eeeeeeee']);
  });

  it('numbers runs by start so a later run never takes an earlier color', () => {
    const before = runOrder([run('b', 2), run('a', 1)]);
    const after = runOrder([run('c', 3), run('b', 2), run('a', 1)]);
    expect([before.get('a'), before.get('b')]).toEqual([0, 1]);
    expect([after.get('a'), after.get('b'), after.get('c')]).toEqual([0, 1, 2]);
  });

  it('keeps the newest N runs in view', () => {
    const runs = [run('a', 1), run('c', 3), run('b', 2)];
    expect(runsInView(runs, 2).map((r) => r.handle)).toEqual(['c', 'b']);
    expect(runsInView(runs, null).map((r) => r.handle)).toEqual(['c', 'b', 'a']);
  });
});

describe('workspace state', () => {
  it('round-trips through the URL beside the search filter', () => {
    const state = { pins: ['train/loss'], closed: ['eval'], hidden: ['abc'], latest: 5, x: 'elapsed' as const };
    const q = encodeWorkspace(state, new URLSearchParams('any=sweep&pin=old'));
    expect(q.getAll('any')).toEqual(['sweep']);
    expect(decodeWorkspace(q)).toEqual(state);
    expect(q.get('x')).toBe('elapsed');
    expect(decodeWorkspace(new URLSearchParams('latest=-2&x=bogus'))).toEqual({ pins: [], closed: [], hidden: [], latest: null, x: 'step' });
    // The default x (step) leaves the URL alone.
    expect(encodeWorkspace({ ...state, x: 'step' }, new URLSearchParams('x=time')).has('x')).toBe(false);
  });

  it('binds x to the step, the wall-clock time or the time since start', () => {
    const panel = { key: 'train/loss', series: 'train', x: 'step', y: 'loss' };
    const xOf = (axis: 'step' | 'time' | 'elapsed') => panelSpec(panel, {}, axis).datasets[0]?.bindings.x;
    expect([xOf('step'), xOf('time'), xOf('elapsed')]).toEqual(['step', '_time', '_elapsed']);
    expect(xFieldFor(panel, 'time')).toBe('_time');
  });

  it('saves pins first and open sections as a dashboard, three plots a row', () => {
    const sections = sectionsFor(
      [{ name: 'train', fields: ['step', 'loss', 'acc', 'epoch'] }, { name: 'eval', fields: ['step', 'acc'] }],
      fields,
      traits,
    );
    const { plots, dashboard } = workspaceDashboard('ws', sections, { pins: ['train/acc'], closed: ['eval'], hidden: [], latest: null, x: 'time' }, {});
    expect(plots.every((p) => p.datasets[0]?.bindings.x === '_time')).toBe(true);
    expect(plots.map((p) => p.name)).toEqual(['ws.train.acc', 'ws.train.loss', 'ws.train.epoch']);
    expect(new URLSearchParams(dashboard.layout).get('rows')).toBe('ws.train.acc,ws.train.loss,ws.train.epoch');
    expect(dashboard.plots).toHaveLength(3);
  });
});

describe('expectedPairs', () => {
  it('pairs a text field with the field of what it should have been, by name', () => {
    expect([...expectedPairs(['answer', 'expected'])]).toEqual([['answer', 'expected']]);
    expect([...expectedPairs(['sample.answer', 'sample.answer.expected', 'note'])]).toEqual([['sample.answer', 'sample.answer.expected']]);
    expect([...expectedPairs(['out', 'out_expected', 'log'])]).toEqual([['out', 'out_expected']]);
    // `expected` alone with two other texts: which one is not said, so no pair.
    expect(expectedPairs(['a', 'b', 'expected']).size).toBe(0);
    expect(expectedPairs(['unexpected', 'text']).size).toBe(0);
  });
});
