import { describe, expect, it } from 'vitest';
import { RunLook } from './runLook';

describe('RunLook', () => {
  it('gives a run its own color, else the fallback', () => {
    const look = new RunLook();
    look.colors.set('a', [10, 20, 30, 255]);
    expect(look.lineColor('a', [0, 0, 0, 255])).toEqual([10, 20, 30, 255]);
    expect(look.lineColor('b', [1, 2, 3, 255])).toEqual([1, 2, 3, 255]);
  });

  it('fades every run but the highlighted one toward the white background', () => {
    const look = new RunLook();
    look.colors.set('a', [0, 0, 0, 255]);
    look.colors.set('b', [0, 100, 255, 255]);
    look.highlight = 'b';
    expect(look.lineColor('b', [0, 0, 0, 255])).toEqual([0, 100, 255, 255]);
    expect(look.lineColor('a', [0, 0, 0, 255])).toEqual([204, 204, 204, 255]);
  });

  it('tells its subscribers when it changes, until they leave', () => {
    const look = new RunLook();
    let calls = 0;
    const leave = look.subscribe(() => calls++);
    look.changed();
    leave();
    look.changed();
    expect(calls).toBe(1);
  });
});
