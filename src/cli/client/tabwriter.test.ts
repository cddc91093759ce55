// Go's text/tabwriter as kubectl uses it, on outputs taken from kubectl itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DESCRIBE_TABWRITER, GET_TABWRITER, tabwrite } from './tabwriter.js';

test('get: padding 3, minimal width 6, the last cell unpadded', () => {
  assert.equal(tabwrite('NAME\tSTATUS\tAGE\ndefault\tActive\t3s\nkube-system\tActive\t3s\n', GET_TABWRITER),
    'NAME          STATUS   AGE\ndefault       Active   3s\nkube-system   Active   3s\n');
  assert.equal(tabwrite('a\tb\tc\n', GET_TABWRITER), 'a     b     c\n');
});

test('describe: a column block ends at a line without that column', () => {
  const text = 'Name:\tweb\nNamespace:\tdefault\nContainers:\n  app:\n    Image:\tbusybox\n    Restart Count:\t0\nConditions:\n  Type\tStatus\n  Initialized \tTrue \n';
  assert.equal(tabwrite(text, DESCRIBE_TABWRITER), [
    'Name:       web', 'Namespace:  default', 'Containers:', '  app:', '    Image:          busybox', '    Restart Count:  0',
    'Conditions:', '  Type          Status', '  Initialized   True ', '',
  ].join('\n'));
  // A nested column is aligned only within the lines that have it.
  assert.equal(tabwrite('a\tb\tc\naaaa\tb\n', DESCRIBE_TABWRITER), 'a     b  c\naaaa  b\n');
});

test('remembered widths keep watch rows under the header (kubectl get -w)', () => {
  const widths: number[] = [];
  assert.equal(tabwrite('NAME\tREADY\tSTATUS\tAGE\ninit-demo\t0/2\tCompleted\t40s\n', GET_TABWRITER, widths),
    'NAME        READY   STATUS      AGE\ninit-demo   0/2     Completed   40s\n');
  assert.equal(tabwrite('web\t0/1\tPending\t0s\n', GET_TABWRITER, widths), 'web         0/1     Pending     0s\n');
  assert.equal(tabwrite('web\t0/1\tContainerCreating\t0s\n', GET_TABWRITER, widths), 'web         0/1     ContainerCreating   0s\n');
  assert.equal(tabwrite('web\t1/1\tRunning\t1s\n', GET_TABWRITER, widths), 'web         1/1     Running             1s\n');
});
