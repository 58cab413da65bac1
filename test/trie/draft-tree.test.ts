import { ancestorMask, leafPaths, positionIds, verifyInputs, emptyTree, type DraftTree } from '../../trie/draft-tree';

// The draft tree of ../shared/fixtures/hf-llama/llama-tiny/cases.json (`tree`), written by the HF fixture generator.
const HF_TREE = {
  parents: [-1, -1, 0, 0, 1, 2, 2, 3, 5, 8, 4],
  depth: [0, 0, 1, 1, 1, 2, 2, 2, 3, 4, 2],
  positionIds: [24, 24, 25, 25, 25, 26, 26, 26, 27, 28, 26],
  mask: [
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0],
    [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0],
    [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0],
    [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0],
    [1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0],
    [1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0],
    [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1],
  ],
};

describe('draft tree arrays', () => {
  test('ancestor-or-self mask equals the HF fixture mask', () => {
    expect(Array.from(ancestorMask(HF_TREE.parents))).toEqual(HF_TREE.mask.flat());
  });

  test('position ids = prompt length + depth, as in the HF fixture', () => {
    expect(positionIds(HF_TREE.depth, 24)).toEqual(HF_TREE.positionIds);
  });

  test('root-to-leaf paths of the HF fixture tree', () => {
    // leaves: 6, 7, 9, 10 (hand-traced from the parents)
    expect(leafPaths(HF_TREE.parents)).toEqual([
      [0, 2, 6],
      [0, 3, 7],
      [0, 2, 5, 8, 9],
      [1, 4, 10],
    ]);
  });

  test('verifyInputs puts the root first, visible to every node', () => {
    const tree: DraftTree = { ...emptyTree(), tokens: [5, 6, 9], parents: [-1, 0, -1], depths: [0, 1, 0] };
    const v = verifyInputs(7, 24, tree);
    expect(v.tokens).toEqual([7, 5, 6, 9]);
    expect(v.positions).toEqual([24, 25, 26, 25]);
    expect(Array.from(v.mask)).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1]);
  });

  test('an empty tree verifies the root alone', () => {
    const v = verifyInputs(3, 0, emptyTree());
    expect(v).toEqual({ tokens: [3], positions: [0], mask: new Uint8Array([1]) });
  });

  test('a parent that does not precede its child is rejected', () => {
    expect(() => ancestorMask([-1, 2, 0])).toThrow(/node 1 has parent 2/);
  });
});
