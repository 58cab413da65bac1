import { barChart, hbarChart, heatColour, niceTicks, stackedBarChart } from '../../src/html/svg';

describe('niceTicks', () => {
  it.each([
    [7.3, 5, false, [0, 2, 4, 6, 8]],
    [1, 5, false, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [3, 5, true, [0, 1, 2, 3]],
    [2.53, 5, false, [0, 1, 2, 3]], // step 2.53 / 5 = 0.506 → 1
    [0, 5, false, [0, 1]],
  ])('niceTicks(%j, %j, %j) = %j', (max, target, integers, ticks) => expect(niceTicks(max, target, integers)).toEqual(ticks));
});

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)/g)].map((m) => m[1]);

describe('barChart', () => {
  it('writes long category names in full, slanted', () => {
    const svg = barChart('L/F', ['amazon-science_patchcore-inspection', 'b'], [{ name: 'rest', values: [1, 2] }, { name: 'fastcoder', values: [2, 3] }]);
    expect(texts(svg)).toContain('amazon-science_patchcore-inspection');
    expect(svg).toContain('rotate(-35');
  });
  it('puts a value label only on a bar wide enough to hold it', () => {
    const wide = barChart('x', ['a'], [{ name: 's', values: [12.5] }]);
    expect(wide).toContain('class="value"');
    const narrow = barChart('x', Array.from({ length: 60 }, (_, i) => String(i)), [{ name: 's', values: Array(60).fill(12.5) }]);
    expect(narrow).not.toContain('class="value"');
  });
  it('a series keeps the colour it is given', () => {
    expect(barChart('x', ['a'], [{ name: 's', values: [1], colour: '#123456' }])).toContain('fill="#123456"');
  });
});

describe('hbarChart', () => {
  it('one bar per (category, series) with the value at its end and the category in full', () => {
    const svg = hbarChart('L/F per repository', ['lucidrains_imagen-pytorch', 'x'], [{ name: 'rest', values: [1.5, null] }, { name: 'fastcoder', values: [2.25, 3] }], 1);
    expect(svg.match(/class="bar"/g)).toHaveLength(3);
    expect(texts(svg)).toEqual(expect.arrayContaining(['lucidrains_imagen-pytorch', '1.50', '2.25', '3.00']));
  });
});

describe('stackedBarChart', () => {
  it('stacks segments bottom up: each starts where the one below ends', () => {
    const svg = stackedBarChart('t', ['0'], [{ name: 'a', values: [2] }, { name: 'b', values: [1] }], 'step');
    const rects = [...svg.matchAll(/class="bar" x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(rects).toHaveLength(2);
    expect(rects[1][0] + rects[1][1]).toBeCloseTo(rects[0][0]); // b's bottom = a's top
    expect(rects[0][1]).toBeCloseTo(2 * rects[1][1]); // a is twice as tall
  });
});

describe('heatColour', () => {
  it('white at 0, dark green at 1', () => {
    expect(heatColour(0)).toBe('rgb(255,255,255)');
    expect(heatColour(1)).toBe('rgb(55,165,55)');
  });
});
