import { describe, expect, it } from 'vitest';
import { isDistribution, withDistributions } from './distributions';
import { panelSpec, type Section } from './panels';

const summary = (counts: number[], runs = 1) => ({ runs, rows: counts.reduce((a, b) => a + b, 0), values: { step: { values: counts.map((_, i) => i), counts, truncated: false } } });

describe('workspace distributions', () => {
  it('calls a series with many rows per step (per run) a distribution', () => {
    expect(isDistribution(summary([1, 1, 1, 1]), 'step')).toBe(false);
    expect(isDistribution(summary([200, 200, 3]), 'step')).toBe(true);
    expect(isDistribution(summary([4, 4, 4], 2), 'step')).toBe(false);
    expect(isDistribution({ runs: 0, rows: 0, values: {} }, 'step')).toBe(false);
  });

  it('makes its panels percentile bands over the step, after the regular sections', () => {
    const sections: Section[] = [
      { series: 'cloud', x: 'step', panels: [{ key: 'cloud/v', series: 'cloud', x: 'step', y: 'v' }] },
      { series: 'train', x: 'step', panels: [{ key: 'train/loss', series: 'train', x: 'step', y: 'loss' }] },
    ];
    const out = withDistributions(sections, new Set(['cloud']));
    expect(out.map((s) => s.series)).toEqual(['train', 'cloud']);
    const cloud = out[1]!.panels[0]!;
    expect(panelSpec(cloud, { handles: ['a'] })).toMatchObject({ kind: 'histogram', view: 'distribution', datasets: [{ series: 'cloud', bindings: { x: 'v', t: 'step' } }] });
    expect(panelSpec(cloud, {}, 'elapsed').datasets[0]!.bindings.t).toBe('_elapsed');
    expect(panelSpec(out[0]!.panels[0]!, {}).kind).toBe('line');
    // A text or media panel of a cloud series stays what it is: its rows shown as they are.
    const mixed = withDistributions([{ series: 'cloud', x: 'step', panels: [
      { key: 'cloud/note', series: 'cloud', x: 'step', y: 'note', text: true },
      { key: 'cloud/img', series: 'cloud', x: 'step', y: 'img', media: { boxes: null } },
    ] }], new Set(['cloud']));
    expect(mixed[0]!.panels.map((p) => [p.distribution ?? false, panelSpec(p, {}).kind])).toEqual([[false, 'text'], [false, 'media']]);
  });

  it('puts distribution sections among the charts, before media, text and clocked sections', () => {
    const line = (series: string, y: string) => ({ key: `${series}/${y}`, series, x: 'step', y });
    const sections: Section[] = [
      { series: 'train', x: 'step', panels: [line('train', 'loss')] },
      { series: 'cloud', x: 'step', panels: [line('cloud', 'v')] },
      { series: 'samples', x: 'step', panels: [{ ...line('samples', 'img'), media: { boxes: null } }] },
      { series: 'system', x: 'system.time', panels: [line('system', 'cpu')] },
    ];
    expect(withDistributions(sections, new Set(['cloud'])).map((s) => s.series)).toEqual(['train', 'cloud', 'samples', 'system']);
    expect(withDistributions(sections.slice(1, 2), new Set(['cloud'])).map((s) => s.series)).toEqual(['cloud']);
  });
});
