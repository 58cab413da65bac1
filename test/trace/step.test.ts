import { tokenInLine } from '../../src/trace/step';

test('tokenInLine counts tokens since the last newline', () => {
  expect(tokenInLine([0, 1, 2, 3], ['a', '\n', 'b', 'c'])).toBe(2);
  expect(tokenInLine([0, 1], ['a', '\n'])).toBe(0);
  expect(tokenInLine([0, 0, 0], ['a'])).toBe(3);
});
