/**
 * How conlab starts Debian's headless Chromium (through playwright-core, no
 * browser download): for the report's browser test and the figure benchmark.
 * The background-networking flags matter on a machine with no internet: without
 * them Chromium keeps opening connections that the network refuses.
 */
export const chromiumPath = '/usr/bin/chromium';

export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
